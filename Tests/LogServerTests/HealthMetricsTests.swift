import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MetricsAgg
import SegmentStore
import Testing
import TestSupport

@testable import LogServer

extension ServerSuites {
    /// logq's own health metrics on `/metrics`: ingest, commits, fsync failures, store size,
    /// tails and HTTP requests, counted by a live server as a client sees them.
    @Suite("Health metrics")
    struct HealthMetricsTests {
        /// A server with event and health metrics over the store in `dir`, for one test.
        static func run(
            _ dir: TemporaryDirectory, _ body: @Sendable @escaping (any TestClientProtocol, ServerHealthMetrics) async throws -> Void
        ) async throws {
            let directory = DataDirectory(path: dir.path)
            let health = ServerHealthMetrics(directory: directory, storeListingSeconds: 0)
            var options = ServerOptions()
            options.port = 0
            options.health = health
            options.metrics = MetricsService()
            let logger = Logger(label: "test")
            let service = IngestService(writer: try StoreWriter(directory: directory), limits: options.limits, logger: logger, health: health)
            let app = try LogServer.application(
                service: service, context: ServerContext(directory: directory, logger: logger), options: options,
                routes: { router, context in health.follow(tails: QueryRoutes.register(on: router, server: context)) })
            try await app.test(.live) { client in try await body(client, health) }
        }

        /// The value of the sample line `series` (name and labels as rendered) in `text`.
        static func sample(_ series: String, in text: String) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
                return Double(line.dropFirst(series.count + 1).split(separator: " ").first ?? "")
            }
            return nil
        }

        @Test("ingest, duplicates, rejects, commits, HTTP codes and the store's segments are counted")
        func counts() async throws {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            var items = Payloads.k8sEvents(10, prefix: "h")
            items[3] = EventBuilder.k8sLine(
                auditID: "h-bad", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p", time: "yesterday")
            let body = Payloads.eventList(items)
            try await Self.run(dir) { client, _ in
                #expect(try await client.post("/v1/ingest/k8s-audit", body).status == .ok)
                #expect(try await client.post("/v1/ingest/k8s-audit", body).status == .ok)
                #expect(try await client.execute(uri: "/no-such-route", method: .get).status == .notFound)
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                let scrape = try await client.execute(uri: "/metrics", method: .get)
                #expect(scrape.status == .ok)
                let text = String(buffer: scrape.body)
                #expect(Self.sample(#"logq_ingest_events_total{source="k8s-audit"}"#, in: text) == 9)
                #expect(Self.sample(#"logq_ingest_duplicates_total{source="k8s-audit"}"#, in: text) == 9)
                // The bad value is rejected each time it is sent.
                #expect(Self.sample(#"logq_ingest_rejected_total{endpoint="/v1/ingest/k8s-audit"}"#, in: text) == 2)
                #expect(Self.sample("logq_commit_duration_seconds_count", in: text) == 2)
                #expect(Self.sample(#"logq_commit_duration_seconds_bucket{le="+Inf"}"#, in: text) == 2)
                #expect(Self.sample("logq_fsync_failures_total", in: text) == 0)
                #expect(Self.sample(#"logq_http_requests_total{route="/v1/ingest/k8s-audit",code="200"}"#, in: text) == 2)
                #expect(Self.sample(#"logq_http_requests_total{route="other",code="404"}"#, in: text) == 1)
                #expect(Self.sample(#"logq_http_requests_total{route="/healthz",code="200"}"#, in: text) == 1)
                #expect(Self.sample("logq_tail_subscribers", in: text) == 0)
                // The store gauges are the segment files on disk.
                let (bytes, segments) = ServerHealthMetrics.segmentFiles(under: dir.path + "/" + FileNames.partitions)
                #expect(segments >= 1 && bytes > 0)
                #expect(Self.sample("logq_store_segments", in: text) == Double(segments))
                #expect(Self.sample("logq_store_bytes", in: text) == Double(bytes))
                // The scrape itself is counted once it is answered.
                let again = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(Self.sample(#"logq_http_requests_total{route="/metrics",code="200"}"#, in: again) == 1)
            }
        }

        @Test("OpenMetrics: the health families come before the one # EOF")
        func openMetrics() async throws {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            try await Self.run(dir) { client, _ in
                _ = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(3, prefix: "o")))
                let scrape = try await client.execute(
                    uri: "/metrics", method: .get, headers: [.accept: "application/openmetrics-text; version=1.0.0"])
                let text = String(buffer: scrape.body)
                #expect(scrape.headers[.contentType]?.hasPrefix("application/openmetrics-text") == true)
                #expect(text.hasSuffix("# EOF\n"))
                #expect(text.components(separatedBy: "# EOF").count == 2)
                #expect(text.contains("# TYPE logq_ingest_events counter"))
                #expect(Self.sample(#"logq_ingest_events_total{source="k8s-audit"}"#, in: text) == 3)
            }
        }

        @Test("a failed fsync is counted, with the commit's duration")
        func fsyncFailure() async throws {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let observer = FailingSync(folder: dir.path)
            IOHooks.observer = observer
            defer { IOHooks.observer = nil }
            try await Self.run(dir) { client, health in
                #expect(try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(4, prefix: "f"))).status == .ok)
                observer.armed.store(true, ordering: .relaxed)
                let failed = try await client.post("/v1/ingest/k8s-audit", Payloads.eventList(Payloads.k8sEvents(4, prefix: "g")))
                #expect(failed.status == .serviceUnavailable)
                observer.armed.store(false, ordering: .relaxed)
                #expect(health.value("logq_fsync_failures") == 1)
                let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(Self.sample("logq_fsync_failures_total", in: text) == 1)
                #expect(Self.sample("logq_commit_duration_seconds_count", in: text) == 2)
                // Only the events of the commit that returned are counted as ingested.
                #expect(Self.sample(#"logq_ingest_events_total{source="k8s-audit"}"#, in: text) == 4)
                #expect(Self.sample(#"logq_http_requests_total{route="/v1/ingest/k8s-audit",code="503"}"#, in: text) == 1)
            }
        }
    }
}
