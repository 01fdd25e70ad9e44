import Foundation
@testable import MetricsAgg
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A remote write receiver on a loopback port for the tests: real HTTP/1.1 over a socket,
/// answering each request with the next status of a script (200 once the script is used up),
/// and keeping what each request carried (its headers and its decoded series).
final class ScriptedReceiver: @unchecked Sendable {
    struct Received {
        var status: Int
        var headers: [String: String]
        var series: [(labels: [(String, String)], samples: [(Double, Int64)])]
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var script: [Int]
    private var received: [Received] = []
    private var closed = false
    private let done = DispatchSemaphore(value: 0)

    /// Listens on `port` (0: any free one).
    init(port: Int = 0, script: [Int] = []) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw SnappyReference.Failure(description: "cannot listen on 127.0.0.1:\(port)")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            serve()
            done.signal()
        }
        thread.start()
    }

    var requests: [Received] { lock.withLock { received } }

    /// Stops listening (new connections are refused).
    func close() {
        lock.withLock { closed = true }
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
        done.wait()
        Glibc.close(fd)
    }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if lock.withLock({ closed }) { return }
                continue
            }
            handle(client)
            Glibc.close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var headers: [String: String] = [:]
        while true {
            if headerEnd == nil, let end = find(data, Array("\r\n\r\n".utf8)) {
                headerEnd = end + 4
                for line in String(decoding: data[..<end], as: UTF8.self).split(separator: "\r\n").dropFirst() {
                    if let colon = line.firstIndex(of: ":") {
                        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                }
            }
            if let headerEnd, data.count - headerEnd >= Int(headers["content-length"] ?? "0") ?? 0 { break }
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            data += chunk[0..<n]
        }
        let body = Array(data[headerEnd!...])
        let series = (try? SnappyReference.decode(body)).flatMap { try? ProtobufReference.writeRequest($0) } ?? []
        let status = lock.withLock {
            let status = script.isEmpty ? 200 : script.removeFirst()
            received.append(Received(status: status, headers: headers, series: series))
            return status
        }
        let answer = status == 200 ? "" : "status \(status) from the test receiver\n"
        let response = Array("HTTP/1.1 \(status) X\r\nContent-Length: \(answer.utf8.count)\r\nConnection: close\r\n\r\n\(answer)".utf8)
        _ = response.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func find(_ data: [UInt8], _ needle: [UInt8]) -> Int? {
        guard data.count >= needle.count else { return nil }
        for i in 0...(data.count - needle.count) where data[i..<i + needle.count].elementsEqual(needle) { return i }
        return nil
    }
}

/// A registry and its lock, as a server holds its health registry.
final class LockedRegistry: @unchecked Sendable {
    let lock = NSLock()
    let registry = MetricRegistry()
    let events: MetricFamily

    init() {
        events = registry.family("demo_events", help: "Events.", kind: .counter, labels: ["source"])
        events.add(["k8s-audit"], 3)
        events.add(["cloudtrail"], 2)
    }

    func with(_ body: (MetricRegistry) -> Void) { lock.withLock { body(registry) } }

    func value(_ id: String) -> Double? { lock.withLock { registry.family(id: id)?.value([]) } }

    func add(_ n: Double) { lock.withLock { events.add(["k8s-audit"], n) } }
}

/// Lines the writer logged.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

@Suite("Remote write: the writer against a loopback receiver", .serialized)
struct RemoteWriterTests {
    /// A writer over `registry` that never ticks by itself (snapshots are taken by the test).
    static func writer(_ url: String, _ registry: LockedRegistry, _ log: LogLines, buffer: Int = 10) throws -> RemoteWriter {
        var options = RemoteWriteOptions(url: url, token: "s3cret")
        options.interval = 3600
        options.bufferSnapshots = buffer
        options.minBackoff = 0.01
        options.maxBackoff = 0.05
        return try RemoteWriter(
            options: options, registries: { body in registry.with { body([$0]) } }, counters: { body in registry.with(body) },
            log: { log.append($0) })
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// Samples in one snapshot of `registry`: two event series and the writer's four own.
    static let samplesPerSnapshot = 6

    @Test("5xx and 429 are retried until accepted; headers as remote write 1.0 wants; sent counted once")
    func retries() throws {
        let receiver = try ScriptedReceiver(script: [503, 429, 500])
        defer { receiver.close() }
        let registry = LockedRegistry()
        let log = LogLines()
        let writer = try Self.writer("http://127.0.0.1:\(receiver.port)/api/v1/write", registry, log)
        writer.start()
        writer.takeSnapshot()
        #expect(Self.waitFor(10) { registry.value("logq_remote_write_samples_sent") == Double(Self.samplesPerSnapshot) })
        writer.stop(flushWithin: 2)
        let requests = receiver.requests
        // Four attempts of the first snapshot, then the last one taken at stop.
        #expect(requests.map(\.status).prefix(4) == [503, 429, 500, 200])
        #expect(requests.count == 5)
        let first = try #require(requests.first)
        #expect(first.headers["content-encoding"] == "snappy")
        #expect(first.headers["content-type"] == "application/x-protobuf")
        #expect(first.headers["x-prometheus-remote-write-version"] == "0.1.0")
        #expect(first.headers["authorization"] == "Bearer s3cret")
        // Every attempt carried the same samples: the two event counters with their values.
        for request in requests.prefix(4) {
            let events = request.series.filter { $0.labels.first?.1 == "demo_events_total" }
            #expect(events.map { $0.labels.map(\.1) } == [["demo_events_total", "k8s-audit"], ["demo_events_total", "cloudtrail"]])
            #expect(events.map { $0.samples.first?.0 } == [3, 2])
        }
        #expect(registry.value("logq_remote_write_samples_failed") == 0)
        #expect(registry.value("logq_remote_write_samples_dropped") == 0)
        #expect((registry.value("logq_remote_write_last_success_timestamp_seconds") ?? 0) > Date().timeIntervalSince1970 - 60)
        #expect(log.all.contains { $0.contains("failed (HTTP 503") })
        #expect(log.all.contains { $0.contains("delivering again after 3 failed attempts") })
    }

    @Test("a 400 is not retried: its samples are counted as failed with the reason logged, the next snapshot goes")
    func refused() throws {
        let receiver = try ScriptedReceiver(script: [400])
        defer { receiver.close() }
        let registry = LockedRegistry()
        let log = LogLines()
        let writer = try Self.writer("http://127.0.0.1:\(receiver.port)/api/v1/write", registry, log)
        writer.start()
        writer.takeSnapshot()
        #expect(Self.waitFor(10) { registry.value("logq_remote_write_samples_failed") == Double(Self.samplesPerSnapshot) })
        registry.add(10)
        writer.takeSnapshot()
        #expect(Self.waitFor(10) { registry.value("logq_remote_write_samples_sent") == Double(Self.samplesPerSnapshot) })
        writer.stop(flushWithin: 2)
        #expect(receiver.requests.prefix(2).map(\.status) == [400, 200])
        let second = receiver.requests[1].series.first { $0.labels.map(\.1) == ["demo_events_total", "k8s-audit"] }
        #expect(second?.samples.first?.0 == 13)
        #expect(log.all.contains { $0.contains("refused, not retried: HTTP 400: status 400 from the test receiver") })
    }

    @Test("receiver down: the buffer keeps the newest snapshots, the oldest are dropped and counted; back up, they arrive in order")
    func bufferWhileDown() throws {
        // A port that refuses connections: listened on, then closed.
        let placeholder = try ScriptedReceiver()
        let port = placeholder.port
        placeholder.close()
        let registry = LockedRegistry()
        let log = LogLines()
        let writer = try Self.writer("http://127.0.0.1:\(port)/api/v1/write", registry, log, buffer: 2)
        writer.start()
        var stamps: [Int64] = []
        for k in 0..<5 {
            registry.add(1)
            writer.takeSnapshot()
            stamps.append(Int64(Date().timeIntervalSince1970 * 1000))
            _ = k
            usleep(20_000)
        }
        // Three snapshots dropped (the oldest first), two kept.
        #expect(Self.waitFor(5) { registry.value("logq_remote_write_samples_dropped") == Double(3 * Self.samplesPerSnapshot) })
        #expect(writer.buffered == 2)
        #expect(registry.value("logq_remote_write_samples_sent") == 0)
        let receiver = try ScriptedReceiver(port: port)
        defer { receiver.close() }
        #expect(Self.waitFor(10) { receiver.requests.count >= 2 })
        let stats = writer.stop(flushWithin: 2)
        let values = receiver.requests.compactMap { request in
            request.series.first { $0.labels.map(\.1) == ["demo_events_total", "k8s-audit"] }?.samples.first
        }
        // The 4th and 5th snapshots (k8s-audit at 3 + 4 and 3 + 5), in order, then the one taken at stop.
        #expect(values.map(\.0).prefix(2) == [7, 8])
        #expect(values.map(\.1) == values.map(\.1).sorted())
        #expect(stats.samplesSent == receiver.requests.count * Self.samplesPerSnapshot)
        #expect(log.all.contains { $0.contains("connection refused") || $0.contains("Connection refused") })
        #expect(log.all.contains { $0.contains("buffer of 2 snapshots is full") })
    }
}
