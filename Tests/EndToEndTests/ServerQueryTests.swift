import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `logq serve` answering queries and tails, and `logq --server URL` as its client, run as a user
/// runs them: the client's output equals the local CLI's; a client tail survives a restart of
/// the server with nothing missing and nothing twice; errors name the URL.
///
/// `logq serve` holds the store's writer lock for its whole life, so writes while it serves go
/// through it: `logq ingest --server URL FILES`, tested here end to end too (same events as
/// `logq ingest --data` stores, re-sends are duplicates, bad lines, tokens, 503 retried).
@Suite(
    "logq serve: queries, tails and the CLI as a client",
    .serialized,
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct ServerQueryTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// A background process, its stdout and stderr going to files.
    final class Running {
        let process = Process()
        let outPath: String
        let errPath: String

        init(_ executable: String, _ arguments: [String], in dir: String, name: String) throws {
            outPath = dir + "/\(name).out"
            errPath = dir + "/\(name).err"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = Foundation.FileHandle(forWritingAtPath: outPath)
            process.standardError = Foundation.FileHandle(forWritingAtPath: errPath)
            process.standardInput = Foundation.FileHandle(forReadingAtPath: "/dev/null")
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        var lines: [String] {
            var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeLast()
            return lines
        }

        @discardableResult
        func wait(seconds: Double = 30, until done: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if done() { return true }
                usleep(20_000)
            }
            return done()
        }

        func stop(_ signal: Int32 = SIGTERM) {
            guard process.isRunning else { return }
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }

        deinit { stop(SIGKILL) }
    }

    /// A port free now on 127.0.0.1.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `logq serve` on `port` and waits until /healthz answers.
    func serve(_ data: String, port: Int, in dir: String, name: String = "serve", _ extra: [String] = []) throws -> Running {
        let server = try Running(logq, ["serve", "--data", data, "--port", "\(port)"] + extra, in: dir, name: name)
        let up = server.wait(seconds: 20) { Self.healthy(port) }
        #expect(up, "the server did not start: \(server.errors)")
        return server
    }

    /// Whether something accepts connections on the port.
    static func healthy(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    @Test("logq --server URL prints what the local CLI prints, with its exit status, for several queries and formats")
    func sameOutput() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        #expect(Shell.run(logq, ["ingest", "--data", data, TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"]).status == 0)
        let port = Self.freePort()
        let server = try serve(data, port: port, in: dir.path)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(port)"
        let queries = [
            "verb=delete", "verb=delete | count by user", "code>=400 | fields time,user,code", #"uri~'^/api/v1/namespaces/[^/]+/secrets'"#,
            "source=cloudtrail | top 3 event", "verb=nothing-like-this",
        ]
        for query in queries {
            for format in ["text", "ndjson", "json", "csv", "raw"] {
                let local = Shell.run(logq, ["--data", data, "-o", format, query])
                let remote = Shell.run(logq, ["--server", url, "-o", format, query])
                #expect(remote.stdout == local.stdout, "\(query) -o \(format)")
                #expect(remote.status == local.status, "\(query) -o \(format): \(remote.stderr)")
            }
        }
        let bad = Shell.run(logq, ["--server", url, "verb=delete | count by"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("logq: bad query\n  verb=delete | count by\n"))
        #expect(bad.stderr.contains("error at column 21"))
    }

    @Test("an unreachable server, and a bad URL, get clear messages naming the URL")
    func unreachable() throws {
        let port = Self.freePort()
        let refused = Shell.run(logq, ["--server", "http://127.0.0.1:\(port)", "verb=delete"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot connect to http://127.0.0.1:\(port)"))
        #expect(refused.stderr.lowercased().contains("connection refused"))
        let https = Shell.run(logq, ["--server", "https://127.0.0.1:\(port)", "verb=delete"])
        #expect(https.status == 1)
        #expect(https.stderr == "logq: cannot connect to https://127.0.0.1:\(port): Connection refused (is 'logq serve' running there?)\n", "\(https.stderr)")
        let scheme = Shell.run(logq, ["--server", "ftp://127.0.0.1:\(port)", "verb=delete"])
        #expect(scheme.status == 64)
        #expect(scheme.stderr.contains("pass a URL like http://127.0.0.1:9420"), "\(scheme.stderr)")
        let ingest = Shell.run(logq, ["ingest", "--server", "http://127.0.0.1:\(port)", TestPaths.fixtures + "/k8s-audit"])
        #expect(ingest.status == 1)
        #expect(ingest.stderr.contains("cannot connect to http://127.0.0.1:\(port)"))
    }

    /// Kubernetes audit lines with fresh IDs.
    static func lines(_ prefix: String, _ count: Int, verb: String) -> String {
        (0..<count).map { i in
            EventBuilder.k8sLine(
                auditID: "\(prefix)-\(i)", verb: verb, user: "u\(i % 3)", resource: "pods", namespace: "live", name: "p-\(prefix)-\(i)",
                time: "2026-12-01T10:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60)).000Z")
        }.joined(separator: "\n") + "\n"
    }

    /// Writes `text` as a file and ingests it: through the running server at `url`
    /// (`logq ingest --server`), or into `data` directly when no server runs.
    func ingest(server url: String? = nil, data: String? = nil, _ text: String, in dir: String, name: String) {
        let path = dir + "/\(name).jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let target = url.map { ["--server", $0] } ?? ["--data", data!]
        let r = Shell.run(logq, ["ingest"] + target + [path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    static func auditIDs(_ lines: [String]) -> [String] {
        lines.compactMap { line in
            guard let range = line.range(of: "\"auditID\":\"") else { return nil }
            let rest = line[range.upperBound...]
            return String(rest[..<rest.firstIndex(of: "\"")!])
        }
    }

    @Test("logq --server URL -f prints every new match once, and resumes after the server restarts")
    func followThroughRestart() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data: data, Self.lines("old", 5, verb: "delete"), in: dir.path, name: "old")
        let port = Self.freePort()
        var server = try serve(data, port: port, in: dir.path)
        let url = "http://127.0.0.1:\(port)"
        let follower = try Running(logq, ["--server", url, "-f", "-n", "2", "-o", "ndjson", "verb=delete"], in: dir.path, name: "follow")
        defer { follower.stop(SIGKILL) }
        #expect(follower.wait { Self.auditIDs(follower.lines).count >= 2 }, "history: \(follower.errors)")
        ingest(server: url, Self.lines("a", 20, verb: "delete") + Self.lines("ga", 5, verb: "get"), in: dir.path, name: "a")
        #expect(follower.wait { Self.auditIDs(follower.lines).count >= 22 }, "\(follower.errors)")
        // The server goes away (killed: a graceful stop would wait for the open tail); events
        // are written into the store directly while it is down; it comes back.
        server.stop(SIGKILL)
        ingest(data: data, Self.lines("b", 15, verb: "delete"), in: dir.path, name: "b")
        server = try serve(data, port: port, in: dir.path, name: "serve2")
        defer { server.stop() }
        ingest(server: url, Self.lines("c", 10, verb: "delete"), in: dir.path, name: "c")
        #expect(follower.wait { Self.auditIDs(follower.lines).count >= 47 }, "\(follower.errors)")
        usleep(300_000)
        let ids = Self.auditIDs(follower.lines)
        let expected = ["old-3", "old-4"] + (0..<20).map { "a-\($0)" } + (0..<15).map { "b-\($0)" } + (0..<10).map { "c-\($0)" }
        #expect(ids == expected)
        #expect(follower.errors.contains("reconnecting at cursor"))
        kill(follower.process.processIdentifier, SIGINT)
        follower.process.waitUntilExit()
        #expect(follower.process.terminationStatus == 0)
        #expect(follower.errors.contains("stopped at cursor"))
    }

    /// The ids of `source=…` events, sorted, as `logq --data` or `logq --server` answers.
    func ids(_ target: [String], source: String) -> [Substring] {
        Shell.run(logq, target + ["source=\(source) | fields id"]).stdout.split(separator: "\n").sorted()
    }

    @Test("logq ingest --server URL FILES stores what logq ingest --data stores; a re-send is all duplicates; a bad line costs only itself")
    func ingestOverHTTP() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let inputs = [TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"]
        #expect(Shell.run(logq, ["ingest", "--data", dir.path + "/local"] + inputs).status == 0)
        let port = Self.freePort()
        let server = try serve(dir.path + "/served", port: port, in: dir.path)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(port)"
        let first = Shell.run(logq, ["ingest", "--server", url] + inputs)
        #expect(first.status == 0, "\(first.stderr)")
        for source in ["k8s-audit", "cloudtrail"] {
            let local = ids(["--data", dir.path + "/local"], source: source)
            #expect(!local.isEmpty)
            #expect(ids(["--server", url], source: source) == local, "\(source)")
        }
        let stored = Self.total("stored", in: first.stderr)
        #expect(stored != nil && stored! > 0, "\(first.stderr)")

        let again = Shell.run(logq, ["ingest", "--server", url] + inputs)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.total("stored", in: again.stderr) == 0, "\(again.stderr)")
        #expect(Self.total("duplicates", in: again.stderr) == stored, "\(again.stderr)")

        // Three good lines around a broken one: the three are stored, the problem is named.
        let good = Self.lines("mixed", 3, verb: "patch").split(separator: "\n").map(String.init)
        let mixed = dir.path + "/mixed.jsonl"
        let text: String = good[0] + "\n" + good[1] + "\n{\"kind\":\"Event\",\"auditID\": \n" + good[2] + "\n"
        _ = FileManager.default.createFile(atPath: mixed, contents: Data(text.utf8))
        let bad = Shell.run(logq, ["ingest", "--server", url, mixed])
        #expect(bad.stderr.contains("\(mixed): stored 3, duplicates 0, rejected 1; first problem: "), "\(bad.stderr)")
        #expect(bad.stderr.contains("offset"), "the first problem names where: \(bad.stderr)")
        let strict = Shell.run(logq, ["ingest", "--server", url, "--strict", mixed])
        #expect(strict.status != 0, "--strict fails on a rejected line: \(strict.stderr)")
        let found = Shell.run(logq, ["--server", url, "-o", "ndjson", "verb=patch"])
        // (The fixtures hold patches too.)
        let mixedFound = Self.auditIDs(found.stdout.split(separator: "\n").map(String.init)).filter { $0.hasPrefix("mixed-") }
        #expect(mixedFound.sorted() == ["mixed-0", "mixed-1", "mixed-2"])
    }

    /// The number after `key ` in ingest's summary line (`… stored N events (N duplicates, N rejected)`).
    static func total(_ key: String, in stderr: String) -> Int? {
        guard let summary = stderr.split(separator: "\n").last(where: { $0.contains(" events (") }) else { return nil }
        let words = summary.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == "," || $0 == ")" })
        if key == "stored" {
            guard let at = words.firstIndex(of: "stored") else { return nil }
            return Int(words[at + 1])
        }
        guard let at = words.firstIndex(of: Substring(key)), at > 0 else { return nil }
        return Int(words[at - 1])
    }

    @Test("logq ingest --server with a token file: none is 401, a read token is 403, a write token stores")
    func ingestTokens() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let tokens = dir.path + "/tokens"
        let writer = "w-0123456789abcdef0123", reader = "r-0123456789abcdef0123"
        _ = FileManager.default.createFile(atPath: tokens, contents: Data("# scopes\n\(writer) write\n\(reader) read\n".utf8))
        let readerFile = dir.path + "/reader", writerFile = dir.path + "/writer"
        _ = FileManager.default.createFile(atPath: readerFile, contents: Data("\(reader)\n".utf8))
        _ = FileManager.default.createFile(atPath: writerFile, contents: Data("# mine\n\(writer) write\n".utf8))
        let port = Self.freePort()
        let server = try serve(dir.path + "/data", port: port, in: dir.path, ["--token-file", tokens])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(port)"
        let input = TestPaths.fixtures + "/k8s-audit"
        var environment = ProcessInfo.processInfo.environment
        environment["LOGQ_TOKEN"] = nil
        let none = Shell.run(logq, ["ingest", "--server", url, input], environment: environment)
        #expect(none.status == 1)
        #expect(none.stderr.contains("\(url) refused") && none.stderr.contains("401"), "\(none.stderr)")
        let read = Shell.run(logq, ["ingest", "--server", url, "--token-file", readerFile, input], environment: environment)
        #expect(read.status == 1)
        #expect(read.stderr.contains("403") && read.stderr.contains("write scope"), "\(read.stderr)")
        #expect(Self.total("stored", in: read.stderr) == 0)
        let write = Shell.run(logq, ["ingest", "--server", url, "--token-file", writerFile, input], environment: environment)
        #expect(write.status == 0, "\(write.stderr)")
        #expect((Self.total("stored", in: write.stderr) ?? 0) > 0, "\(write.stderr)")
        // The read token queries what the write token stored.
        let query = Shell.run(logq, ["--server", url, "--token-file", readerFile, "source=k8s-audit | count"], environment: environment)
        #expect(query.status == 0, "\(query.stderr)")
        #expect(query.stdout.contains("\(Self.total("stored", in: write.stderr) ?? -1)"), "\(query.stdout)")
    }

    /// A loopback HTTP server of the test's own that answers the first `busy` requests
    /// `503` with `Retry-After: 1`, then `200` with an ingest answer; counts the requests.
    final class BusyServer: @unchecked Sendable {
        let fd: Int32
        let port: Int
        private let lock = NSLock()
        private var _requests = 0
        var requests: Int { lock.withLock { _requests } }

        init(busy: Int) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
            listen(fd, 8)
            Thread.detachNewThread { [self] in
                while true {
                    let client = accept(fd, nil, nil)
                    guard client >= 0 else { return }
                    let number = lock.withLock { _requests += 1; return _requests }
                    Self.readRequest(client)
                    let (head, body) =
                        number <= busy
                        ? ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1", "{\"error\":\"busy\"}\n")
                        : ("HTTP/1.1 200 OK", "{\"stored\":7,\"duplicates\":0,\"rejected\":0,\"first_problem\":null}\n")
                    let answer =
                        head + "\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
                    _ = answer.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
                    close(client)
                }
            }
        }

        /// Reads the head and a `Content-Length` body.
        static func readRequest(_ client: Int32) {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var needed: Int?
            while needed == nil || bytes.count < needed! {
                let n = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                bytes += buffer[0..<n]
                if needed == nil, let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }) {
                    let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
                    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    needed = end + 4 + length
                }
            }
        }

        func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }

    @Test("logq ingest --server retries a 503 after its Retry-After and then reports what was stored")
    func ingestRetriesBusy() throws {
        let busy = BusyServer(busy: 2)
        defer { busy.stop() }
        let started = Date()
        let r = Shell.run(logq, ["ingest", "--server", "http://127.0.0.1:\(busy.port)", TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(busy.requests == 3)
        #expect(Date().timeIntervalSince(started) >= 1.9, "waited Retry-After twice")
        #expect(r.stderr.contains("stored 7"), "\(r.stderr)")
    }
}
