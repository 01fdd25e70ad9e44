import LogClient
import ArgumentParser
import LogQuery
import NIOCore
import NIOHTTP1

/// `logq --server URL 'QUERY'`: the query runs on the server (`GET /v1/query`), which prints
/// in the CLI's format as it would locally (a terminal's table as text lines); the answer
/// streams to stdout. Exit status as locally: 0 with matches, 1 with none or when the server
/// cannot answer, 2 for a bad query, 3 with --strict over a damaged store, 124 when the
/// server's query time limit stopped it.
enum RemoteQuery {
    static func run(client: RemoteClient, text: String, format: OutputFormat, strict: Bool) throws {
        let asked: OutputFormat = format == .table ? .text : format
        let out = OutputBox(OutputStream(fd: 1))
        let response = RemoteResponse()
        let exchange = RemoteExchange(
            onHead: { response.head = $0 },
            onBody: { buffer in
                if response.head?.status == .ok {
                    out.stream.write(bytes: Array(buffer.readableBytesView))
                } else {
                    response.errorBody += Array(buffer.readableBytesView)
                }
            })
        let path = RemoteClient.path("/v1/query", [("q", text), ("format", asked.rawValue)])
        let trailers: HTTPHeaders?
        do {
            trailers = try client.send(method: .GET, path: path, exchange: exchange)
        } catch {
            out.stream.flush()
            OutputStream.printError("logq: \(error)")
            throw ExitCode(1)
        }
        out.stream.flush()
        guard let head = response.head else { throw ExitCode(1) }
        guard head.status == .ok else {
            try fail(head.status, body: response.errorText, client: client, what: "the query")
        }
        let headers = head.headers
        let warnings = headers["Logq-Warning"] + (trailers?["Logq-Warning"] ?? [])
        for warning in warnings { OutputStream.printError("logq: warning: \(warning)") }
        if let error = (trailers?["Logq-Error"].first ?? headers["Logq-Error"].first) {
            OutputStream.printError("logq: the server stopped the query: \(error)")
            throw ExitCode(error.contains("time limit") ? QueryTimeout.exitStatus : 1)
        }
        if strict && !warnings.isEmpty {
            OutputStream.printError("logq: the store is damaged (see the warnings); the answer above may be incomplete")
            throw ExitCode(3)
        }
        let matched = Int(trailers?["Logq-Matched"].first ?? headers["Logq-Matched"].first ?? "") ?? 0
        if matched == 0 { throw ExitCode(1) }
    }

    /// Says why the server did not answer 200, naming the URL, and exits: 2 for a bad query,
    /// 124 for the time limit, else 1.
    static func fail(_ status: HTTPResponseStatus, body: String, client: RemoteClient, what: String) throws -> Never {
        let message = RemoteJSON.string("error", in: body) ?? body.trimmingSuffix("\n")
        switch status.code {
        case 400:
            if RemoteJSON.int("column", in: body) != nil {
                OutputStream.printError("logq: bad query\n" + message)
            } else {
                OutputStream.printError("logq: \(client.url) refused \(what): \(message)")
            }
            throw ExitCode(2)
        case 401:
            OutputStream.printError(
                "logq: \(client.url) refused \(what): 401 Unauthorized (\(message)); pass --token-file FILE or set $LOGQ_TOKEN to a token the server knows")
        case 403:
            OutputStream.printError(
                "logq: \(client.url) refused \(what): 403 Forbidden (\(message)); the token lacks the scope (read for queries and tails, write for ingest)")
        case 504:
            OutputStream.printError("logq: \(client.url) stopped \(what) at its query time limit: \(message)")
            throw ExitCode(QueryTimeout.exitStatus)
        case 500...599:
            OutputStream.printError("logq: the server at \(client.url) failed \(what): \(status.code) \(status.reasonPhrase): \(message)")
        default:
            OutputStream.printError("logq: \(client.url) answered \(what) with \(status.code) \(status.reasonPhrase): \(message)")
        }
        throw ExitCode(1)
    }
}

/// What arrived of a response: its head, and the body of an error answer.
final class RemoteResponse: @unchecked Sendable {
    // Sendable by hand: written by the sending thread, read by it once the exchange is over.
    var head: HTTPResponseHead?
    var errorBody: [UInt8] = []
    var errorText: String { String(decoding: errorBody, as: UTF8.self) }
}
