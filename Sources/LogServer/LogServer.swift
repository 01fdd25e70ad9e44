import AuditCore
import Hummingbird
import LogQuery
import MetricsAgg
import SegmentStore

/// The HTTP service: health and `/metrics` over a store. Ingest, query and tail endpoints
/// come with the server issue.
public enum LogServer {
    /// Builds the application serving `directory` on `host:port`.
    public static func application(
        directory: DataDirectory, host: String = "127.0.0.1", port: Int = 9420
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ -> Response in
            let text = try metricsText(directory: directory)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        QueryRoutes.register(on: router, server: ServerContext(directory: directory, queryTimeout: nil, maxTails: 64))
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)))
    }

    /// The `/metrics` body: event counters over everything stored.
    public static func metricsText(directory: DataDirectory) throws -> String {
        var counter = EventCounter()
        let executor = QueryExecutor(reader: StoreReader(directory: directory))
        try executor.run(Query(filter: .all, timeRange: TimeRange(), pipes: []), parts: .fields) { event in
            counter.add(event)
            return true
        }
        return counter.prometheusText()
    }
}
