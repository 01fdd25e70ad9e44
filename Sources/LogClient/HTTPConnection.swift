import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// A failure on the socket, in words that fit after "cannot connect to URL: " or
/// "the connection to URL ".
public struct RemoteSocketError: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// One HTTP/1.1 connection: connect (with a time limit), write the request, read the response
/// head, then the body (chunked, `Content-Length`, or up to the close), handing the body over
/// in the pieces that arrive. Plain http runs on a blocking socket with no threads and no event
/// loop (the CLI sends one request per process run, so the cost of a query over HTTP is the
/// connect); https runs the same reads over a ``TLSStream``.
/// Bodies are taken as sent (the client asks for no `Content-Encoding`).
public final class RemoteConnection: @unchecked Sendable {
    // Sendable by hand: used by one thread; another may only call `shutdown()` (safe while the
    // first reads: see the streams), and only before `close()` (RemoteExchange).
    private let stream: any ByteStream
    /// Received bytes not yet taken, from `start`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// The longest head or chunk-size line taken (a server sending endless lines is broken).
    private static let maxLine = 1 << 20

    /// Connects to `host` (an address literal or a name) and `port`; with `tls`, also makes the
    /// TLS session (the server's certificate checked) before it returns.
    public init(host: String, port: Int, timeoutSeconds: Int32, tls: TLSClientSettings? = nil) throws(RemoteSocketError) {
        if let tls {
            stream = try TLSStream(host: host, port: port, timeoutSeconds: timeoutSeconds, settings: tls)
        } else {
            stream = try SocketStream(host: host, port: port, timeoutSeconds: timeoutSeconds)
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(RemoteSocketError) {
        try stream.send(bytes)
    }

    /// Reads more into the buffer; false at the end of the stream.
    private func fill() throws(RemoteSocketError) -> Bool {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return try stream.receive(appendingTo: &buffer)
    }

    /// One line without its CRLF (or LF).
    private func readLine() throws(RemoteSocketError) -> String {
        var searched = start
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            guard buffer.count - start < Self.maxLine else { throw RemoteSocketError("sent a line of over 1 MiB in the response head") }
            searched = buffer.count
            let before = start
            guard try fill() else { throw RemoteSocketError("broke off before the response ended") }
            searched -= before - start  // the buffer may have been compacted
        }
    }

    /// Header lines up to the blank line.
    private func readFields() throws(RemoteSocketError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        while true {
            let line = try readLine()
            if line.isEmpty { return headers }
            guard let colon = line.firstIndex(of: ":") else { throw RemoteSocketError("sent a header line without ':' (\(line.prefix(80)))") }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.add(name: String(line[..<colon]), value: String(value.reversed().drop { $0 == " " || $0 == "\t" }.reversed()))
        }
    }

    /// The status line and headers (interim 1xx answers skipped).
    public func readHead() throws(RemoteSocketError) -> HTTPResponseHead {
        if buffer.count == start, try !fill() {
            throw RemoteSocketError("was closed without an answer (if the server speaks https, use an https:// URL)")
        }
        while true {
            let line = try readLine()
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...599).contains(code) else {
                throw RemoteSocketError("sent no HTTP/1.1 answer (\(line.prefix(80)))")
            }
            let headers = try readFields()
            if (100...199).contains(code) { continue }
            let version: HTTPVersion = parts[0] == "HTTP/1.0" ? .http1_0 : .http1_1
            return HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: code), headers: headers)
        }
    }

    /// Hands up to `count` bytes (all when nil: up to the close) to `deliver` as they arrive.
    private func pass(_ count: Int?, to deliver: ([UInt8]) -> Void) throws(RemoteSocketError) {
        var left = count ?? Int.max
        while left > 0 {
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                guard try fill() else {
                    if count == nil { return }
                    throw RemoteSocketError("broke off before the response ended")
                }
            }
            let take = min(left, buffer.count - start)
            deliver(Array(buffer[start..<start + take]))
            start += take
            left -= take
        }
    }

    /// The body of `head`, to `deliver` in pieces; the trailers of a chunked body, if any.
    public func readBody(of head: HTTPResponseHead, deliver: ([UInt8]) -> Void) throws(RemoteSocketError) -> HTTPHeaders? {
        if head.status.code == 204 || head.status.code == 304 { return nil }
        let encodings = head.headers[canonicalForm: "Transfer-Encoding"].map { $0.lowercased() }
        if encodings.last == "chunked" {
            while true {
                let line = try readLine()
                let digits = String(line.prefix { $0 != ";" }).trimmingSuffix(" ")
                guard let size = Int(digits, radix: 16), size >= 0 else { throw RemoteSocketError("sent a bad chunk size (\(line.prefix(40)))") }
                if size == 0 {
                    let trailers = try readFields()
                    return trailers.isEmpty ? nil : trailers
                }
                try pass(size, to: deliver)
                guard try readLine().isEmpty else { throw RemoteSocketError("sent a chunk longer than its size") }
            }
        }
        if let length = head.headers["Content-Length"].first {
            guard let count = Int(length), count >= 0 else { throw RemoteSocketError("sent a bad Content-Length (\(length))") }
            try pass(count, to: deliver)
            return nil
        }
        try pass(nil, to: deliver)
        return nil
    }

    /// Stops reads and writes in progress (from another thread).
    public func shutdown() { stream.shutdown() }

    public func close() { stream.close() }
}
