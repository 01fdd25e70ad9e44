import AuditCore
import HTTPTypes
import Hummingbird
import LogQuery
import SegmentStore
import ServiceLifecycle

/// `GET /v1/tail?q=…&cursor=…&n=…`: a live tail over HTTP, as `logq -f` prints it.
///
/// A windowed aggregate (`q=verb=delete | count by user every 1m`) sends each window's table
/// when the window closes (`grace=`, default 2s, after its end; the current window counted from
/// its start when the tail starts, from the cursor when it resumes); late events of a window
/// already sent come as a row marked "(late)".
///
/// NDJSON by default; server-sent events when the client sends `Accept: text/event-stream`
/// — one event per commit record, whose `id:` is the cursor after it, so a reconnect with
/// `Last-Event-ID` (or `cursor=`) resumes with nothing missing and nothing twice. Keep-alives
/// every heartbeat (15 s) so proxies keep the connection open; at most
/// ``ServerContext/maxTails`` tails at once (503 beyond); a tail ends, and frees its thread and
/// place, at the first write after its client went away.
public enum TailRoutes {
    /// The default interval of keep-alives.
    public static let defaultHeartbeat: Duration = .seconds(15)

    /// Registers `/v1/tail` on `router`; returns the hub that counts its tails.
    @discardableResult
    public static func register<Context: RequestContext>(
        on router: Router<Context>, server: ServerContext, heartbeat: Duration = defaultHeartbeat
    ) -> TailHub {
        let hub = TailHub(directory: server.directory, limit: server.maxTails)
        let milliseconds = Int(heartbeat.components.seconds) * 1000 + Int(heartbeat.components.attoseconds / 1_000_000_000_000_000)
        router.get("/v1/tail") { request, _ -> Response in
            answer(request, server: server, hub: hub, heartbeatMilliseconds: max(10, milliseconds))
        }
        return hub
    }

    static func answer(_ request: Request, server: ServerContext, hub: TailHub, heartbeatMilliseconds: Int) -> Response {
        let parameters = QueryString(request.uri.query)
        let text = parameters["q"] ?? ""
        let query: Query
        let live: LiveQuery
        do {
            query = try Query.parse(text, now: QueryRoutes.wallClock())
            let parts = QueryRunner.eventParts(query, printsRawOnly: false)
            live = try LiveQuery(query, parts: parts)
        } catch {
            return QueryRoutes.errorResponse(.badRequest, error.render(query: text), column: error.column)
        }
        // A windowed aggregate (`| count by user every 1m`) prints each window when it closes,
        // `grace` after its end, as `logq -f` does.
        var grace: Int64 = 2_000_000_000
        if let text = parameters["grace"], !text.isEmpty {
            guard let value = DurationParser.parse(text), value >= 0 else {
                return QueryRoutes.errorResponse(.badRequest, "cannot use grace=\(text): pass a duration like 2s or 1m")
            }
            grace = value
        }
        let sse = request.headers[.accept]?.contains("text/event-stream") ?? false
        var resume: JournalCursor?
        if let lastID = request.headers[HTTPField.Name("Last-Event-ID")!] ?? parameters["cursor"], !lastID.isEmpty {
            guard let cursor = JournalCursor(lastID) else {
                return QueryRoutes.errorResponse(
                    .badRequest, "cannot resume at '\(lastID)': a cursor is a record number like 17 or 17.3, as the id of an event")
            }
            resume = cursor
        }
        var history = 0
        if let n = parameters["n"], !n.isEmpty {
            guard let value = Int(n), value >= 0 else {
                return QueryRoutes.errorResponse(.badRequest, "cannot use n=\(n): pass a whole number, 0 or more")
            }
            history = value
        }
        var formatName = parameters["format"].flatMap { $0.isEmpty ? nil : $0 } ?? "ndjson"
        let forPage = formatName == WebUIRowPrinter.formatName
        if forPage { formatName = "ndjson" }
        guard let format = OutputFormat(rawValue: formatName), [.ndjson, .text, .csv, .raw].contains(format) else {
            return QueryRoutes.errorResponse(.badRequest, "unknown format '\(formatName)' for a tail: use ndjson, text, csv or raw")
        }
        guard server.directory.exists else {
            return QueryRoutes.errorResponse(.serviceUnavailable, "no store at \(server.directory.path) yet: ingest first")
        }
        guard hub.enter() else {
            return QueryRoutes.errorResponse(
                .serviceUnavailable, "cannot start another live tail: \(hub.limit) are open, the server's limit; try again later",
                retryAfter: 5)
        }
        let job = TailJob(
            text: text, query: query, framing: sse ? .serverSentEvents : .ndjson, format: format, resume: resume, history: history,
            directory: server.directory, heartbeatMilliseconds: heartbeatMilliseconds, forPage: forPage, grace: grace)
        let channel = QueryChannel<[UInt8]>(capacity: 8)
        let signal = hub.signal
        let started = BlockingThread.start {
            job.run(signal: signal, closing: { hub.isClosing }, channel: channel)
            channel.finish()
            hub.leave()
        }
        guard started else {
            hub.leave()
            return QueryRoutes.errorResponse(.serviceUnavailable, "cannot start the tail: no thread available; try again", retryAfter: 1)
        }
        var headers: HTTPFields = [.contentType: sse ? "text/event-stream" : "application/x-ndjson", .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                do {
                    // A graceful stop (SIGTERM) waits for in-flight requests: open tails end then.
                    try await withGracefulShutdownHandler {
                        while let bytes = await channel.next() {
                            try await writer.write(ByteBuffer(bytes: bytes))
                        }
                    } onGracefulShutdown: {
                        hub.shutdown()
                    }
                    channel.cancel()
                    try await writer.finish(nil)
                } catch {
                    channel.cancel()
                    throw error
                }
            })
    }
}
