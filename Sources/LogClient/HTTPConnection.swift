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

/// One HTTP/1.1 connection on a blocking socket: connect (with a time limit), write the
/// request, read the response head, then the body (chunked, `Content-Length`, or up to the
/// close), handing the body over in the pieces that arrive. No threads, no event loop: the CLI
/// sends one request per process run, so the cost of a query over HTTP is the connect.
/// Bodies are taken as sent (the client asks for no `Content-Encoding`).
public final class RemoteConnection: @unchecked Sendable {
    // Sendable by hand: used by one thread; another may only call `shutdown()` (a syscall on
    // the descriptor, safe while the first reads), and only before `close()` (RemoteExchange).
    private let fd: Int32
    /// Received bytes not yet taken, from `start`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// The longest head or chunk-size line taken (a server sending endless lines is broken).
    private static let maxLine = 1 << 20

    /// Connects to `host` (an address literal or a name) and `port`, trying each address.
    public init(host: String, port: Int, timeoutSeconds: Int32) throws(RemoteSocketError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else { throw RemoteSocketError("cannot resolve \(host): \(String(cString: gai_strerror(rc)))") }
        defer { freeaddrinfo(list) }
        var failure = "no address for \(host)"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let address = entry?.pointee {
            entry = address.ai_next
            let fd = socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
            guard fd >= 0 else {
                failure = String(cString: strerror(errno))
                continue
            }
            let error = Self.connect(fd, address.ai_addr, address.ai_addrlen, timeoutSeconds: timeoutSeconds)
            if error == 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                self.fd = fd
                return
            }
            failure = error == ETIMEDOUT ? "timed out connecting" : String(cString: strerror(error))
            Glibc.close(fd)
        }
        throw RemoteSocketError(failure)
    }

    /// `connect` with a time limit: non-blocking connect, `poll` for writability, then back to
    /// blocking. 0 or the errno.
    private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>!, _ length: socklen_t, timeoutSeconds: Int32) -> Int32 {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return 0 }
        guard errno == EINPROGRESS || errno == EINTR else { return errno }
        var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let n = poll(&waiting, 1, timeoutSeconds * 1000)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return errno }
            if n == 0 { return ETIMEDOUT }
            break
        }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else { return errno }
        return error
    }

    /// Writes all of `bytes` (no SIGPIPE when the server has gone).
    public func write(_ bytes: [UInt8]) throws(RemoteSocketError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RemoteSocketError("failed while sending: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads more into the buffer; false at the end of the stream.
    private func fill() throws(RemoteSocketError) -> Bool {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: 65536))
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + old, 65536, 0) }
            if n < 0 && errno == EINTR { continue }
            buffer.removeLast(65536 - max(n, 0))
            guard n >= 0 else { throw RemoteSocketError("failed: \(String(cString: strerror(errno)))") }
            return n > 0
        }
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
    public func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    public func close() { Glibc.close(fd) }
}
