import ArgumentParser
import AuditCore
import ClickHouseExport
import Hummingbird
import LogServer
import MetricsAgg
import Logging
import SegmentStore

/// `logq serve`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive audit events over HTTP (the audit webhook, CloudTrail); serve the store.",
        discussion: """
            Endpoints (docs/server.md has a curl example of each):
              POST /v1/ingest/k8s-audit   the kube-apiserver audit webhook (EventList)
              POST /v1/ingest/cloudtrail  {"Records":[…]}, EventBridge events,
                                          CloudWatch Logs payloads (base64 gzip too)
              POST /v1/ingest             any format `logq ingest` reads
              GET  /healthz  /readyz  /metrics
            A 2xx on ingest means the events are on disk (fsync'd); anything else
            means send again, and what is sent again is skipped as a duplicate.
            Bodies may be gzip (Content-Encoding: gzip). The answer says
            {"stored","duplicates","rejected","first_problem"}; rejected values go
            to the quarantine (`logq rejects`).

            Tokens: --token-file FILE holds one "TOKEN read" or "TOKEN write" a line
            (write implies read; # comments); clients send "Authorization: Bearer
            TOKEN". Ingest needs write; query, tail and /metrics need read
            (/metrics is open with --metrics-open); /healthz and /readyz are open.

            Listens on 127.0.0.1:9420. Listening beyond loopback needs --token-file
            (or --insecure). No TLS yet: put a TLS proxy in front on an untrusted
            network.

            SIGTERM or Ctrl-C: stops accepting, answers the requests in flight,
            commits, closes the store, exits 0. After a crash the next start
            recovers; acknowledged events are kept.

            Example:
              logq serve --data /var/lib/logq --listen 0.0.0.0:9420 \\
                --token-file /etc/logq/tokens
            """
    )

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: ArgumentHelp("Address to listen on, HOST:PORT (overrides --host and --port).", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0: any free port, printed at start).")
    var port = 9420

    @Option(name: .long, help: ArgumentHelp("Bearer tokens with their scope, one \"TOKEN read|write\" a line.", valueName: "file"))
    var tokenFile: String?

    @Flag(name: .long, help: "Listen beyond loopback without a token file (anyone reaching the port may send and read).")
    var insecure = false

    @Flag(name: .long, help: "Serve /metrics without a token.")
    var metricsOpen = false

    @Option(name: .long, help: ArgumentHelp("Largest request body, before and after gunzip (413 beyond): 64M, 512K.", valueName: "size"))
    var maxBody = "64M"

    @Option(name: .long, help: "Ingest requests served at once; one more is answered 503 with Retry-After.")
    var maxIngestRequests = ServerLimits().maxIngestRequests

    @Option(name: .long, help: "Events waiting for the disk across requests; past it requests are answered 503 with Retry-After.")
    var maxQueuedEvents = ServerLimits().maxQueuedEvents

    @Option(name: .long, help: "Seconds a connection may stay idle (or a request stall) before it is closed.")
    var idleTimeout = ServerLimits().idleTimeoutSeconds

    @Option(name: .long, help: ArgumentHelp("Longest a query may run (30s, 2m).", valueName: "duration"))
    var queryTimeout = "60s"

    @Option(name: .long, help: "Live tails served at once.")
    var maxTails = 64

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A rules file of saved queries, each served on /metrics as logq_rule_matches_total{rule=…} (see docs/metrics.md).",
            valueName: "file"))
    var rules: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seal an hour's segment and free its dedupe table once no event came for it for this long (late events reopen it).",
            valueName: "duration"))
    var partitionIdle = "5m"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Free the dedupe IDs of a minute of event time once no event came for it for this long; a re-sent event of that minute reads them back from disk.",
            valueName: "duration"))
    var dedupeIdle = "1m"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Push every series of /metrics to a Prometheus remote write receiver, http(s)://HOST:PORT/api/v1/write (see docs/metrics.md).",
            valueName: "url"))
    var remoteWrite: String?

    @Option(name: .long, help: ArgumentHelp("How often --remote-write pushes a snapshot (15s, 1m).", valueName: "duration"))
    var remoteWriteInterval = "15s"

    @Option(name: .long, help: ArgumentHelp("A file holding the bearer token --remote-write sends.", valueName: "file"))
    var remoteWriteTokenFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp("PEM certificates to trust for an https:// --remote-write receiver, besides the system's (a private CA).", valueName: "file"))
    var remoteWriteCacert: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Snapshots --remote-write keeps while the receiver is down; when full, the oldest is dropped (and counted).", valueName: "n"))
    var remoteWriteBuffer = RemoteWriteOptions.defaultBuffer

    @Option(name: .long, help: ArgumentHelp("Send every stored event to ClickHouse (http://HOST:8123), in arrival order, resumably (docs/clickhouse.md).", valueName: "url"))
    var exportClickhouse: String?

    @Option(name: .long, help: ArgumentHelp("The ClickHouse table of --export-clickhouse, DATABASE.TABLE (create it with logq export --create-table).", valueName: "name"))
    var exportClickhouseTable = "logq.events"

    /// `--listen`, else `--host`/`--port`.
    func address() throws -> (host: String, port: Int) {
        guard let listen else { return (host, port) }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("cannot read --listen \(listen): pass HOST:PORT, e.g. 127.0.0.1:9420 or 0.0.0.0:9420")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func validate() throws {
        let (host, port) = try address()
        guard (0...65535).contains(port) else {
            let flag = listen == nil ? "--port" : "a --listen port"
            throw ValidationError("cannot listen on port \(port): pass \(flag) between 1 and 65535 (0 for any free one)")
        }
        if !Self.isLoopback(host), tokenFile == nil, !insecure {
            throw ValidationError(
                "refusing to listen on \(host) without --token-file: anyone reaching it could send and read events (pass --insecure to do it anyway)")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("pass both --tls-cert and --tls-key to serve HTTPS (or neither for plain HTTP)")
        }
        guard let body = IngestCommand.size(maxBody), body >= 1 << 20 else {
            throw ValidationError("cannot use --max-body \(maxBody): pass a size of at least 1M, like 64M")
        }
        guard maxIngestRequests > 0, maxQueuedEvents > 0, idleTimeout > 0, maxTails > 0 else {
            throw ValidationError("pass positive numbers to --max-ingest-requests, --max-queued-events, --idle-timeout and --max-tails")
        }
        guard DurationParser.parse(partitionIdle) != nil else {
            throw ValidationError("cannot read --partition-idle \(partitionIdle): pass a duration like 5m or 30s")
        }
        guard DurationParser.parse(dedupeIdle) != nil else {
            throw ValidationError("cannot read --dedupe-idle \(dedupeIdle): pass a duration like 1m or 30s")
        }
        guard DurationParser.parse(queryTimeout) != nil else {
            throw ValidationError("cannot read --query-timeout \(queryTimeout): pass a duration like 30s or 2m")
        }
        try validateRemoteWrite()
    }

    func run() async throws {
        var logger = Logger(label: "logq")
        logger.logLevel = .notice
        var serverOptions = ServerOptions()
        (serverOptions.host, serverOptions.port) = try address()
        serverOptions.metricsOpen = metricsOpen
        serverOptions.limits.maxBodyBytes = IngestCommand.size(maxBody) ?? serverOptions.limits.maxBodyBytes
        serverOptions.limits.maxIngestRequests = maxIngestRequests
        serverOptions.limits.maxQueuedEvents = maxQueuedEvents
        serverOptions.limits.idleTimeoutSeconds = idleTimeout
        serverOptions.limits.partitionIdleSeconds = Double(DurationParser.parse(partitionIdle) ?? 300_000_000_000) / 1e9
        serverOptions.limits.dedupeIdleSeconds = Double(DurationParser.parse(dedupeIdle) ?? 60_000_000_000) / 1e9
        if let tokenFile {
            do {
                serverOptions.tokens = try TokenFile(path: tokenFile)
            } catch {
                OutputStream.printError("logq: \(error)")
                throw ExitCode(1)
            }
        }
        if let tlsCert, let tlsKey {
            do {
                serverOptions.tls = try ServerTLS(certificatePath: tlsCert, keyPath: tlsKey)
            } catch {
                OutputStream.printError("logq: \(error)")
                throw ExitCode(1)
            }
        }
        let scheme = serverOptions.tls == nil ? "http" : "https"
        let directory = options.directory
        let writer: StoreWriter
        do {
            writer = try StoreWriter(directory: directory)
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        MaintenanceWriter.reportRecovery(writer.recovery)
        // /metrics: restored from the store, then folded in block by block as commits land.
        let metrics = MetricsService(rules: try MetricsCommand.loadRules(rules))
        metrics.start(directory: directory)
        defer { metrics.stop() }
        serverOptions.metrics = metrics
        // Live export to ClickHouse: the journal from the checkpoint in the data directory.
        var clickhouse: LiveExport?
        if let exportClickhouse {
            do {
                clickhouse = LiveExport(url: exportClickhouse, table: try ClickHouseTable(exportClickhouseTable)) { OutputStream.printError($0) }
            } catch {
                OutputStream.printError("logq: \(error.message)")
                throw ExitCode(2)
            }
            clickhouse?.start(directory: directory)
        }
        defer { clickhouse?.stop() }
        let health = ServerHealthMetrics(directory: directory)
        serverOptions.health = health
        let clickhouseMetrics = clickhouse.map { ClickHouseExportMetrics(export: $0, health: health) }
        clickhouseMetrics?.start()
        defer { clickhouseMetrics?.stop() }
        let remote = try startRemoteWrite(metrics: metrics, health: health)
        // On SIGTERM, after the server has stopped: one last push, within a few seconds.
        defer { remote?.stop(flushWithin: 5) }
        let service = IngestService(writer: writer, limits: serverOptions.limits, logger: logger, health: health)
        let context = ServerContext(
            directory: directory, queryTimeout: .nanoseconds(DurationParser.parse(queryTimeout) ?? 60_000_000_000),
            maxTails: maxTails, logger: logger)
        let host = serverOptions.host
        let app = try LogServer.application(
            service: service, context: context, options: serverOptions,
            routes: { router, context in health.follow(tails: QueryRoutes.register(on: router, server: context)) },
            onServerRunning: { port in
                OutputStream.printError("logq: listening on \(scheme)://\(host):\(port) (data \(directory.path))")
            })
        try await app.runService()
    }
}
