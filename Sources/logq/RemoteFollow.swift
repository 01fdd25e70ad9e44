import LogClient
import ArgumentParser
import Dispatch
import LogQuery
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `logq --server URL -f 'QUERY'`: a live tail over HTTP (`GET /v1/tail`, server-sent events).
///
/// Each event the server sends carries the cursor after it; an event is printed whole or not at
/// all (one arrives complete only at its blank line), and the cursor is kept only then, so
/// after a dropped connection the next one resumes with `Last-Event-ID` at exactly what was
/// printed: nothing missing, nothing twice. Ctrl-C stops it and prints the cursor to resume at.
struct RemoteFollow {
    let client: RemoteClient
    let text: String
    let format: OutputFormat
    /// History: the last `last` matches before live (first connection only).
    let last: Int
    /// Where to start instead (a cursor token): no history then.
    let cursorToken: String?

    /// The connection to close on Ctrl-C, and whether Ctrl-C came.
    final class Stop: Sendable {
        let requested = Atomic<Bool>(false)
        let current = Mutex<RemoteExchange?>(nil)
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let stop = Stop()
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop.requested.store(true, ordering: .relaxed)
                stop.current.withLock { $0?.abort() }
            }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }

        let asked: OutputFormat =
            switch format {
            case .table, .text: .text
            case .json, .ndjson: .ndjson
            case .csv: .csv
            case .raw: .raw
            }
        let out = OutputBox(OutputStream(fd: 1))
        let parser = ServerSentEvents()
        var cursor: String? = cursorToken
        var connected = false
        var delay: UInt32 = 250_000
        while !stop.requested.load(ordering: .relaxed) {
            var parameters = [("q", text), ("format", asked.rawValue)]
            if cursor == nil { parameters.append(("n", "\(last)")) }
            var headers = [("Accept", "text/event-stream")]
            if let cursor { headers.append(("Last-Event-ID", cursor)) }
            let response = RemoteResponse()
            parser.reset()
            let exchange = RemoteExchange(
                onHead: { response.head = $0 },
                onBody: { buffer in
                    guard response.head?.status == .ok else {
                        response.errorBody += Array(buffer.readableBytesView)
                        return
                    }
                    parser.feed(Array(buffer.readableBytesView)) { event in
                        switch event.type {
                        case "warning":
                            OutputStream.printError("logq: warning: \(event.data)")
                        case "cursor":
                            break
                        case "end":
                            parser.ended = true
                        default:
                            out.stream.write(event.data + "\n")
                        }
                        if let id = event.id { parser.lastID = id }
                    }
                    out.stream.flush()
                })
            stop.current.withLock { $0 = exchange }
            do {
                _ = try client.send(method: .GET, path: RemoteClient.path("/v1/tail", parameters), headers: headers, exchange: exchange)
            } catch {
                out.stream.flush()
                if let id = parser.lastID { cursor = id }
                if stop.requested.load(ordering: .relaxed) { break }
                if let head = response.head, head.status != .ok {
                    try RemoteQuery.fail(head.status, body: response.errorText, client: client, what: "the tail")
                }
                guard connected || response.head != nil else {
                    OutputStream.printError("logq: \(error)")
                    throw ExitCode(1)
                }
                connected = true
                // A connection that was answered starts the backoff again.
                if response.head?.status == .ok { delay = 250_000 }
                OutputStream.printError("logq: \(error); reconnecting\(cursor.map { " at cursor \($0)" } ?? "")")
                usleep(delay)
                delay = min(delay * 2, 5_000_000)
                continue
            }
            out.stream.flush()
            if let id = parser.lastID { cursor = id }
            if let head = response.head, head.status != .ok {
                try RemoteQuery.fail(head.status, body: response.errorText, client: client, what: "the tail")
            }
            // The server ended the tail: done when it said so (a `| head N` reached its count),
            // else it is going away (a graceful restart): resume where it stopped.
            if parser.ended { return }
            if stop.requested.load(ordering: .relaxed) { break }
            connected = true
            delay = 250_000
            OutputStream.printError("logq: \(client.url) ended the tail; reconnecting\(cursor.map { " at cursor \($0)" } ?? "")")
            usleep(delay)
            delay = min(delay * 2, 5_000_000)
        }
        out.stream.flush()
        if let cursor {
            OutputStream.printError("logq: stopped at cursor \(cursor); resume with: logq --server \(client.url) -f --cursor-token \(cursor) '\(text)'")
        }
    }
}

/// A parser of a `text/event-stream` body: complete events only, each with its data lines
/// joined by newlines (RFC: the HTML Living Standard's event stream interpretation).
final class ServerSentEvents: @unchecked Sendable {
    // Sendable by hand: fed by the one thread that sends the request.
    struct Event {
        var type: String
        var data: String
        var id: String?
    }

    /// The id of the last complete event: where a reconnect resumes.
    var lastID: String?
    /// The server said the tail is done (`event: end`: the query's `head N` was reached).
    var ended = false
    private var line: [UInt8] = []
    private var data: [String] = []
    private var type = ""
    private var id: String?

    /// Forgets a half-received event (the connection broke in its middle).
    func reset() {
        line.removeAll()
        data.removeAll()
        type = ""
        id = nil
    }

    /// Reads `bytes`, calling `dispatch` for each event completed by them.
    func feed(_ bytes: [UInt8], dispatch: (Event) -> Void) {
        for byte in bytes {
            guard byte == 0x0A else {
                line.append(byte)
                continue
            }
            if line.last == 0x0D { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            line.removeAll(keepingCapacity: true)
            if text.isEmpty {
                if !data.isEmpty || id != nil {
                    dispatch(Event(type: type, data: data.joined(separator: "\n"), id: id))
                }
                data.removeAll()
                type = ""
                id = nil
                continue
            }
            if text.hasPrefix(":") { continue }
            let name: Substring
            var value: Substring
            if let colon = text.firstIndex(of: ":") {
                name = text[..<colon]
                value = text[text.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                name = Substring(text)
                value = ""
            }
            switch name {
            case "data": data.append(String(value))
            case "event": type = String(value)
            case "id": id = String(value)
            default: break
            }
        }
    }
}
