import AuditCore
import HTTPTypes
import Hummingbird
import LogQuery
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `GET /v1/query`: a query in the CLI's language, its results streamed as they are found.
///
/// The scan runs on a thread of its own (``QueryJob``) and hands printed chunks to the response
/// through a bounded ``QueryChannel``; the status is chosen when the first chunk (or the end)
/// arrives, so a query that cannot run still answers 400, and one past the time limit 504.
/// What is known only at the end — events matched, damage the answer was computed over, a
/// failure after results began — travels in headers when the whole answer fits in the first
/// chunk, else in HTTP trailers: `Logq-Matched`, `Logq-Warning` (one per problem), `Logq-Error`.
public enum QueryRoutes {
    /// Registers `/v1/query` and the live tail (``TailRoutes``) on `router`; returns the hub
    /// that counts the live tails. `heartbeat`: the tails' keep-alive interval.
    @discardableResult
    public static func register<Context: RequestContext>(
        on router: Router<Context>, server: ServerContext, heartbeat: Duration = TailRoutes.defaultHeartbeat
    ) -> TailHub {
        router.get("/v1/query") { request, _ -> Response in
            await answer(request, server: server)
        }
        return TailRoutes.register(on: router, server: server, heartbeat: heartbeat)
    }

    static let matchedHeader = HTTPField.Name("Logq-Matched")!
    static let warningHeader = HTTPField.Name("Logq-Warning")!
    static let errorHeader = HTTPField.Name("Logq-Error")!

    /// The answer to one `GET /v1/query`.
    static func answer(_ request: Request, server: ServerContext) async -> Response {
        let checked: QueryRequest
        do {
            checked = try QueryRequest(QueryString(request.uri.query), now: wallClock())
        } catch {
            return errorResponse(.badRequest, error.message, column: error.column)
        }
        guard let channel = QueryJob.start(checked, directory: server.directory, timeout: server.queryTimeout) else {
            return errorResponse(.serviceUnavailable, "cannot start the query: no thread available; try again")
        }
        guard let first = await channel.next() else {
            return errorResponse(.serviceUnavailable, "the query was cancelled")
        }
        var headers: HTTPFields = [.contentType: checked.contentType]
        switch first {
        case .end(let end):
            if let failure = end.failure { return failureResponse(failure, text: checked.text) }
            headers.append(contentsOf: summaryFields(end))
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer()))
        case .data(let bytes):
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    do {
                        try await writer.write(ByteBuffer(bytes: bytes))
                        while let message = await channel.next() {
                            switch message {
                            case .data(let bytes):
                                try await writer.write(ByteBuffer(bytes: bytes))
                            case .end(let end):
                                var trailers = summaryFields(end)
                                if let failure = end.failure {
                                    trailers.append(HTTPField(name: errorHeader, value: headerSafe(failureMessage(failure, text: checked.text))))
                                }
                                try await writer.finish(trailers)
                                return
                            }
                        }
                        try await writer.finish(nil)
                    } catch {
                        // The client went away: stop the scan.
                        channel.cancel()
                        throw error
                    }
                })
        }
    }

    /// `Logq-Matched` and one `Logq-Warning` per problem.
    static func summaryFields(_ end: QueryEnd) -> HTTPFields {
        var fields: HTTPFields = [matchedHeader: "\(end.matched)"]
        for warning in end.warnings { fields.append(HTTPField(name: warningHeader, value: headerSafe(warning))) }
        return fields
    }

    /// A failure before any result: its status and JSON body.
    static func failureResponse(_ failure: QueryFailure, text: String) -> Response {
        switch failure {
        case .badQuery(let error): errorResponse(.badRequest, error.render(query: text), column: error.column)
        case .timedOut: errorResponse(.gatewayTimeout, failureMessage(failure, text: text))
        case .cancelled: errorResponse(.serviceUnavailable, failureMessage(failure, text: text))
        case .failed: errorResponse(.internalServerError, failureMessage(failure, text: text))
        }
    }

    static func failureMessage(_ failure: QueryFailure, text: String) -> String {
        switch failure {
        case .badQuery(let error): error.render(query: text)
        case .timedOut(let limit):
            "cannot finish the query within the server's query time limit (\(limit)): stopped; narrow the time range (since=) or the filter"
        case .cancelled: "the query was cancelled"
        case .failed(let message): "cannot read the store: \(message)"
        }
    }

    /// `{"error": message, "column": N}` with `status`.
    static func errorResponse(_ status: HTTPResponse.Status, _ message: String, column: Int? = nil, retryAfter: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        var json = "{\"error\":" + EventFormatter.jsonString(message)
        if let column { json += ",\"column\":\(column)" }
        json += "}\n"
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// A header value on one line: control characters become spaces.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    /// Now, ns since the epoch UTC.
    static func wallClock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
