import AuditCore
import Hummingbird
import HummingbirdTesting
import SegmentStore
import Testing
import TestSupport

@testable import LogServer

@Suite("LogServer")
struct LogServerTests {
    func store(_ dir: TemporaryDirectory) throws -> DataDirectory {
        let directory = DataDirectory(path: dir.path)
        let writer = try StoreWriter(directory: directory)
        var deleted = FieldValues()
        deleted[.verb] = "delete"
        deleted[.code] = "200"
        deleted[.id] = "a"
        var denied = FieldValues()
        denied[.verb] = "delete"
        denied[.error] = "AccessDenied"
        denied[.id] = "b"
        _ = try writer.append(AuditEvent(time: 1_794_999_600_000_000_000, source: .k8sAudit, fields: deleted, raw: Array("{}".utf8)))
        _ = try writer.append(AuditEvent(time: 1_794_999_600_000_000_000, source: .cloudtrail, fields: denied, raw: Array("{\"x\":1}".utf8)))
        try writer.close()
        return directory
    }

    @Test("a real server on loopback answers /healthz and /metrics in Prometheus text")
    func live() async throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let app = LogServer.application(directory: directory, host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(String(buffer: health.body) == "ok\n")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let body = String(buffer: metrics.body)
            #expect(body.contains("logq_events_total{source=\"k8s-audit\",verb=\"delete\",code=\"200\"} 1\n"))
            #expect(body.contains("logq_events_total{source=\"cloudtrail\",verb=\"delete\",code=\"AccessDenied\"} 1\n"))
        }
    }
}
