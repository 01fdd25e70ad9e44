import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 GET over a loopback socket whose body is read as it streams (a live tail
/// never ends, which a buffering test client cannot show): the head, then the body de-chunked.
/// Blocking: call it through ``offload(_:)`` from async tests, never on the cooperative pool.
final class LoopbackStream: @unchecked Sendable {
    private let fd: Int32
    private var raw: [UInt8] = []
    /// The status code, once the head arrived.
    private(set) var status = 0
    private(set) var head = ""
    /// The de-chunked body so far.
    private(set) var body: [UInt8] = []
    private var headDone = false
    private var chunkRemaining = 0
    private var chunkedDone = false

    init(port: Int, target: String, headers: [String: String] = [:]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure("connect: \(errno)")
        }
        var request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    deinit { close(fd) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads until `done()` holds or `seconds` pass; whether it held.
    func read(seconds: Double, until done: (LoopbackStream) -> Bool) -> Bool {
        let deadline = Self.now() + seconds
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !done(self) {
            let left = deadline - Self.now()
            guard left > 0 else { return false }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(max(1, min(left * 1000, 200)))) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return done(self) }
            raw += buffer[0..<n]
            parse()
        }
        return true
    }

    /// Closes the connection (a client that goes away).
    func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    private func parse() {
        if !headDone {
            guard let end = raw.indices.first(where: { raw[$0...].starts(with: [13, 10, 13, 10]) }) else { return }
            head = String(decoding: raw[..<end], as: UTF8.self)
            status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            raw.removeFirst(end + 4)
            headDone = true
        }
        guard head.lowercased().contains("transfer-encoding: chunked") else {
            body += raw
            raw.removeAll()
            return
        }
        while !chunkedDone {
            if chunkRemaining > 0 {
                let take = min(chunkRemaining, raw.count)
                guard take > 0 else { return }
                body += raw[..<take]
                raw.removeFirst(take)
                chunkRemaining -= take
                if chunkRemaining == 0 { chunkRemaining = -2 }  // the CRLF after the data
                continue
            }
            if chunkRemaining == -2 {
                guard raw.count >= 2 else { return }
                raw.removeFirst(2)
                chunkRemaining = 0
                continue
            }
            guard let lineEnd = raw.indices.first(where: { raw[$0...].starts(with: [13, 10]) }) else { return }
            let sizeText = String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            raw.removeFirst(lineEnd + 2)
            let size = Int(sizeText, radix: 16) ?? 0
            if size == 0 { chunkedDone = true } else { chunkRemaining = size }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Runs blocking test I/O on a dispatch thread, off Swift's cooperative pool (where the
/// server's own response tasks run).
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

/// The server-sent events of a body: (id, data lines) of each complete event.
func serverSentEvents(_ body: [UInt8]) -> [(type: String, id: String?, data: [String])] {
    var events: [(type: String, id: String?, data: [String])] = []
    var type = ""
    var id: String?
    var data: [String] = []
    let text = String(decoding: body, as: UTF8.self)
    // Only complete events: up to the last blank line.
    guard let end = text.range(of: "\n\n", options: .backwards) else { return [] }
    for line in text[..<end.upperBound].split(separator: "\n", omittingEmptySubsequences: false) {
        if line.isEmpty {
            if !data.isEmpty || id != nil { events.append((type, id, data)) }
            type = ""
            id = nil
            data = []
        } else if line.hasPrefix("data: ") {
            data.append(String(line.dropFirst(6)))
        } else if line.hasPrefix("id: ") {
            id = String(line.dropFirst(4))
        } else if line.hasPrefix("event: ") {
            type = String(line.dropFirst(7))
        }
    }
    return events
}
