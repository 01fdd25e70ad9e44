import AuditCore
import Hummingbird
import HummingbirdTesting
import SegmentStore
import Testing
import TestSupport

@testable import LogServer
extension ServerSuites {
    @Suite("LogServer")
    struct LogServerTests {
        @Test("a real server on loopback answers /healthz and /metrics in Prometheus text")
        func live() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let items = [
                EventBuilder.k8sLine(
                    auditID: "d1", verb: "delete", user: "u", resource: "pods", namespace: "n", name: "p",
                    time: "2026-11-24T10:00:00.000000Z")
            ]
            try await server.run { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
                #expect(String(buffer: health.body) == "ok\n")
                let post = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(items))
                #expect(post.status == .ok)
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let body = String(buffer: metrics.body)
                #expect(body.contains("logq_events_total{source=\"k8s-audit\",verb=\"delete\",code=\"200\"} 1\n"))
            }
        }
    }
}
