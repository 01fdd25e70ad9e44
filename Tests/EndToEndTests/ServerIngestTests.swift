import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `logq serve` process on a free loopback port.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let logPath: String

    /// Starts `logq serve --data data --port 0 extra…` and waits until it says where it listens.
    init(binary: String, data: String, extra: [String] = [], log: String) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data", data, "--port", "0"] + extra
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) {
                    self.port = port
                    return
                }
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        process.terminate()
        throw ServerStartFailure(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    struct ServerStartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "logq serve did not start: \(log)" }
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to end; its exit status.
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A minimal blocking HTTP/1.1 client (one request a connection): the server is tested as any
/// client sees it, without another HTTP stack in the test.
enum HTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func request(
        port: Int, method: String = "POST", path: String, body: [UInt8] = [], headers: [String: String] = [:]
    ) -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return nil }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        var body = String(text[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: fields, body: body)
    }

    /// A chunked body's data (chunk sizes, extensions and trailers dropped).
    static func dechunk(_ text: String) -> String {
        var bytes = Substring(text).utf8[...]
        var out: [UInt8] = []
        while let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\r")) {
            let sizeText = String(decoding: bytes[..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = bytes.index(lineEnd, offsetBy: 2)
            let end = bytes.index(start, offsetBy: size)
            out += bytes[start..<end]
            bytes = bytes[bytes.index(end, offsetBy: 2)...]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@Suite("Server ingest (the built binary)", .serialized)
struct ServerIngestTests {
    static func eventList(prefix: String, count: Int) -> [UInt8] {
        let items = (0..<count).map { k in
            EventBuilder.k8sLine(
                auditID: "\(prefix)-\(k)", verb: "delete", user: "u\(k % 4)", resource: "secrets", namespace: "prod",
                name: "s\(k)", time: "2026-11-24T10:\(String(format: "%02d", k % 60)):00.000000Z")
        }
        return Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["#.utf8)
            + Array(items.joined(separator: ",").utf8) + Array("]}".utf8)
    }

    static func storedIDs(_ binary: String, _ data: String) -> [String] {
        let result = Shell.run(binary, ["--data", data, "source=k8s-audit | fields id"])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func number(_ key: String, in body: String) -> Int? {
        guard let range = body.range(of: "\"\(key)\":") else { return nil }
        return Int(body[range.upperBound...].prefix { $0.isNumber })
    }

    @Test(
        "the webhook's EventList of 400, sent twice, is stored once, found by the CLI, and SIGTERM exits 0 (dedupe IDs kept, or let go at once and read back)",
        .enabled(if: TestPaths.logqBinary != nil), arguments: [[], ["--dedupe-idle", "0s"]])
    func webhookRoundTrip(extra: [String]) throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let server = try ServerProcess(binary: binary, data: data, extra: extra, log: dir.path + "/serve.log")
        let body = Self.eventList(prefix: "wh", count: 400)
        let headers = ["Content-Type": "application/json", "User-Agent": "kube-apiserver-admission"]
        let first = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: body, headers: headers)
        #expect(first?.status == 200)
        #expect(first.flatMap { Self.number("stored", in: $0.body) } == 400)
        let again = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: body, headers: headers)
        #expect(again?.status == 200)
        #expect(again.flatMap { Self.number("duplicates", in: $0.body) } == 400)
        // The batch spans 60 minutes of event time: with --dedupe-idle 0s each was let go after
        // the first commit and read back from disk for the second batch.
        let metrics = HTTP.request(port: server.port, method: "GET", path: "/metrics")?.body ?? ""
        let loaded = metrics.split(separator: "\n").first { $0.hasPrefix("logq_dedupe_minutes_loaded_total ") }
        #expect(loaded == "logq_dedupe_minutes_loaded_total \(extra.isEmpty ? 0 : 60)", "\(String(describing: loaded))")
        #expect(metrics.contains("logq_writer_open_partitions 1"))
        #expect(HTTP.request(port: server.port, method: "GET", path: "/readyz")?.status == 200)
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        // The apiserver may retry a batch after logq restarted: still skipped.
        let restarted = try ServerProcess(binary: binary, data: data, extra: extra, log: dir.path + "/serve-2.log")
        let retried = HTTP.request(port: restarted.port, path: "/v1/ingest/k8s-audit", body: body, headers: headers)
        #expect(retried?.status == 200)
        #expect(retried.flatMap { Self.number("duplicates", in: $0.body) } == 400)
        restarted.signal(SIGTERM)
        #expect(restarted.wait() == 0)

        let one = Shell.run(binary, ["--data", data, "auditID=wh-17 | fields id"])
        #expect(one.status == 0)
        #expect(one.stdout == "wh-17\n")
        let ids = Self.storedIDs(binary, data)
        #expect(ids.count == 400)
        #expect(Set(ids).count == 400)
        #expect(Shell.run(binary, ["verify", "--data", data]).status == 0)
    }

    @Test(
        "a listener beyond loopback without a token file is refused",
        .enabled(if: TestPaths.logqBinary != nil))
    func refusesOpenListener() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let result = Shell.run(TestPaths.logqBinary!, ["serve", "--data", dir.path, "--listen", "0.0.0.0:0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--token-file"))
    }

    /// Regular files under `root`, sorted.
    static func files(under root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(path) }
        }
        return files.sorted()
    }

    @Test(
        "the fixtures posted as files (gzip as they are) store what logq ingest stores",
        .enabled(if: TestPaths.logqBinary != nil))
    func filesAsBodies() throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let inputs = Self.files(under: TestPaths.fixtures + "/k8s-audit") + Self.files(under: TestPaths.fixtures + "/cloudtrail")
        let server = try ServerProcess(binary: binary, data: dir.path + "/served", log: dir.path + "/serve.log")
        for input in inputs {
            let body = Array(FileManager.default.contents(atPath: input)!)
            let path = input.contains("cloudtrail") ? "/v1/ingest/cloudtrail" : "/v1/ingest"
            let response = HTTP.request(port: server.port, path: path, body: body)
            #expect(response?.status == 200, "\(input): \(response?.body ?? "no answer")")
        }
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        #expect(Shell.run(binary, ["ingest", "--data", dir.path + "/cli"] + inputs).status == 0)
        for source in ["k8s-audit", "cloudtrail"] {
            let query = "source=\(source) | fields id"
            let served = Shell.run(binary, ["--data", dir.path + "/served", query]).stdout.split(separator: "\n").sorted()
            let ingested = Shell.run(binary, ["--data", dir.path + "/cli", query]).stdout.split(separator: "\n").sorted()
            #expect(!served.isEmpty)
            #expect(served == ingested, "\(source): \(served.count) served, \(ingested.count) by logq ingest")
        }
    }

    @Test(
        "real k8s audit traces (falco's), posted one file a request: stored, or 400 naming the problem",
        .enabled(if: TestPaths.logqBinary != nil && TestPaths.realdata != nil))
    func realTraces() throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let inputs = Self.files(under: TestPaths.realdata! + "/falco-k8s-audit-traces").filter { $0.hasSuffix(".json") }
        let server = try ServerProcess(binary: binary, data: dir.path + "/served", log: dir.path + "/serve.log")
        var stored = 0
        for input in inputs {
            let body = Array(FileManager.default.contents(atPath: input)!)
            let response = HTTP.request(port: server.port, path: "/v1/ingest/k8s-audit", body: body)
            #expect(response?.status == 200 || response?.status == 400, "\(input)")
            if response?.status == 400 { #expect(response?.body.contains("\"first_problem\":{") == true) }
            stored += response.flatMap { Self.number("stored", in: $0.body) } ?? 0
        }
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        #expect(stored > inputs.count / 2)
        // verify counts every stored event, of whatever source.
        let verify = Shell.run(binary, ["verify", "--data", dir.path + "/served"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains(" \(stored) events"), "\(verify.stdout)")
    }

    /// Posts batches from `clients` threads until `stop`; the IDs of every acknowledged batch.
    final class Load: @unchecked Sendable {
        private let lock = NSLock()
        private var acked: [String] = []
        private var stopped = false
        private let group = DispatchGroup()

        init(port: Int, clients: Int, round: Int) {
            for c in 0..<clients {
                group.enter()
                Thread.detachNewThread { [self] in
                    var batch = 0
                    while !lock.withLock({ stopped }) {
                        let prefix = "r\(round)-c\(c)-b\(batch)"
                        batch += 1
                        let count = 50
                        let response = HTTP.request(port: port, path: "/v1/ingest/k8s-audit", body: ServerIngestTests.eventList(prefix: prefix, count: count))
                        if response?.status == 200 {
                            lock.withLock { acked += (0..<count).map { "\(prefix)-\($0)" } }
                        }
                    }
                    group.leave()
                }
            }
        }

        /// Stops the clients (after the server is gone) and returns the acknowledged IDs.
        func finish() -> [String] {
            lock.withLock { stopped = true }
            group.wait()
            return lock.withLock { acked }
        }
    }

    @Test(
        "SIGKILL under load from 4 clients, then restart: every acknowledged event is there exactly once and verify is clean",
        .enabled(if: TestPaths.logqBinary != nil))
    func killUnderLoad() throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let rounds = Int(ProcessInfo.processInfo.environment["LOGQ_SERVER_KILLS"] ?? "") ?? 3
        var allAcked: [String] = []
        var rng = SeededGenerator(seed: 15)
        for round in 0..<rounds {
            let server = try ServerProcess(binary: binary, data: data, log: dir.path + "/serve-\(round).log")
            let load = Load(port: server.port, clients: 4, round: round)
            usleep(UInt32.random(in: 300_000...900_000, using: &rng))
            server.signal(SIGKILL)
            _ = server.wait()
            allAcked += load.finish()
        }
        // The last start recovers what the last kill left; SIGTERM closes the store cleanly.
        let server = try ServerProcess(binary: binary, data: data, log: dir.path + "/serve-last.log")
        server.signal(SIGTERM)
        #expect(server.wait() == 0)

        #expect(!allAcked.isEmpty)
        var stored: [String: Int] = [:]
        for id in Self.storedIDs(binary, data) { stored[id, default: 0] += 1 }
        let missing = allAcked.filter { stored[$0] == nil }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        let repeated = stored.filter { $0.value > 1 }
        #expect(repeated.isEmpty, "stored more than once: \(repeated.prefix(5))")
        let verify = Shell.run(binary, ["verify", "--data", data])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test(
        "SIGTERM under load: exit 0 and every acknowledged event stored",
        .enabled(if: TestPaths.logqBinary != nil))
    func termUnderLoad() throws {
        let binary = TestPaths.logqBinary!
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let server = try ServerProcess(binary: binary, data: data, log: dir.path + "/serve.log")
        let load = Load(port: server.port, clients: 4, round: 0)
        usleep(500_000)
        server.signal(SIGTERM)
        let status = server.wait()
        let acked = load.finish()
        #expect(status == 0)
        #expect(!acked.isEmpty)
        let stored = Set(Self.storedIDs(binary, data))
        #expect(acked.allSatisfy { stored.contains($0) })
    }
}
