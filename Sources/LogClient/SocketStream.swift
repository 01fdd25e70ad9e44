#if canImport(Glibc)
import Glibc
#endif

/// Where an HTTP connection's bytes go: a plain socket (``SocketStream``) or a TLS session
/// (``TLSStream``). Used by one thread, except `shutdown()`, which another thread may call to
/// stop a read in progress.
protocol ByteStream: AnyObject, Sendable {
    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws(RemoteSocketError)
    /// Waits for more bytes and appends them to `buffer`; false at the end of the stream.
    func receive(appendingTo buffer: inout [UInt8]) throws(RemoteSocketError) -> Bool
    /// Stops reads and writes in progress (from another thread).
    func shutdown()
    func close()
}

/// A blocking TCP socket.
final class SocketStream: ByteStream, @unchecked Sendable {
    // Sendable by hand: `shutdown()` is a syscall on the descriptor, safe while another thread reads.
    private let fd: Int32

    /// Connects to `host` (an address literal or a name) and `port`, trying each address.
    init(host: String, port: Int, timeoutSeconds: Int32) throws(RemoteSocketError) {
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
    func send(_ bytes: [UInt8]) throws(RemoteSocketError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RemoteSocketError("failed while sending: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    func receive(appendingTo buffer: inout [UInt8]) throws(RemoteSocketError) -> Bool {
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

    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    func close() { Glibc.close(fd) }
}
