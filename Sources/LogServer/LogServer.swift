import AuditCore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LogQuery
import Logging
import MetricsAgg
import NIOCore
import SegmentStore

/// How `logq serve` listens and guards its routes.
public struct ServerOptions: Sendable {
    /// Host to bind (127.0.0.1 unless `--listen` says otherwise).
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one.
    public var port = 9420
    /// Bearer tokens (`--token-file`); nil serves every route without a token.
    public var tokens: TokenFile?
    /// Whether `/metrics` answers without a token (`--metrics-open`).
    public var metricsOpen = false
    /// Body, request and queue limits.
    public var limits = ServerLimits()
    /// The aggregator behind `/metrics`, kept up to date from the commit journal; nil: every
    /// scrape counts the stored events again (``LogServer/metricsText(directory:)``).
    public var metrics: MetricsService?
    /// The server's own health metrics (ingest, commits, store, tails, HTTP), served on
    /// `/metrics` after the event metrics; nil: not served.
    public var health: ServerHealthMetrics?
    /// The certificate and key of `--tls-cert`/`--tls-key`; nil: plain HTTP.
    public var tls: ServerTLS?

    public init() {}
}

/// The HTTP service of `logq serve`: ingest (through one ``IngestService``), health,
/// `/metrics`, and the routes others add (query and tail).
public enum LogServer {
    /// Builds the application. `service` owns the store's writer and must run beside the
    /// server: pass it in the application's services (``application(service:context:options:routes:)``
    /// does). `routes` adds the query and tail routes.
    public static func application(
        service: IngestService,
        context: ServerContext,
        options: ServerOptions,
        routes: @escaping (Router<BasicRequestContext>, ServerContext) -> Void = { _, _ in },
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router()
        if let health = options.health {
            router.add(middleware: HTTPMetricsMiddleware(metrics: health))
        }
        WebUIRoutes.register(on: router)  // before the token check: the page holds no data (docs/ui.md)
        if let tokens = options.tokens {
            router.add(middleware: TokenAuthMiddleware(tokens: tokens, metricsOpen: options.metricsOpen))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            switch service.health {
            case .ready: return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ready\n")))
            case .stopping: return JSONAnswer.error(.serviceUnavailable, "shutting down")
            case .failed(let reason): return JSONAnswer.error(.serviceUnavailable, reason)
            }
        }
        let directory = context.directory
        let metrics = options.metrics
        let health = options.health
        router.get("/metrics") { request, _ -> Response in
            if let metrics {
                // Rendered from memory: the series are folded in as blocks become durable.
                let accept = request.headers[.accept]
                let (type, body) =
                    health?.withRegistry { metrics.render(accept: accept, also: [$0]) } ?? metrics.render(accept: accept)
                return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
            let text = try metricsText(directory: directory)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        IngestRoutes(service: service, limits: options.limits).register(on: router)
        // query and tail routes (QueryRoutes): `QueryRoutes.register(on: router, server: context)`
        // is passed in by `logq serve` as `routes`.
        routes(router, context)
        let http = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(options.limits.idleTimeoutSeconds)))
        let server: HTTPServerBuilder
        if let tls = options.tls {
            server = try .tls(.http1(configuration: http), tlsConfiguration: tls.configuration)
        } else {
            server = .http1(configuration: http)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "logq"),
            services: [service],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: context.logger)
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
