import Hummingbird
import HummingbirdTesting
import SegmentStore
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import LogServer

/// Fails every fsync of segment files under one folder once armed (other tests' stores,
/// running at the same time, are left alone).
final class FailingSync: IOObserver {
    let folder: String
    let armed = Atomic(false)

    init(folder: String) { self.folder = folder }

    func willPerform(_ operation: IOOperation) -> Int32 {
        guard armed.load(ordering: .relaxed), case .sync(let path) = operation, path.hasPrefix(folder) else { return 0 }
        return EIO
    }
}
extension ServerSuites {
    @Suite("Writer failure")
    struct WriterFailureTests {
        @Test("after a failed fsync the batch is not acknowledged, later ones are refused, and /readyz answers 503")
        func fsyncFailure() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let observer = FailingSync(folder: server.dir.path)
            IOHooks.observer = observer
            defer { IOHooks.observer = nil }
            try await server.run { client in
                let good = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(5, prefix: "ok")))
                #expect(good.status == .ok)
                observer.armed.store(true, ordering: .relaxed)
                let failed = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(5, prefix: "lost")))
                #expect(failed.status == .serviceUnavailable)
                #expect(String(buffer: failed.body).contains("nothing of this request was acknowledged"))
                observer.armed.store(false, ordering: .relaxed)
                let later = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(5, prefix: "later")))
                #expect(later.status == .serviceUnavailable)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                #expect(String(buffer: ready.body).contains("cannot commit"))
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
            }
            #expect(Set(try server.storedIDs()).isSuperset(of: (0..<5).map { "ok-\($0)" }))
        }
    }
}
