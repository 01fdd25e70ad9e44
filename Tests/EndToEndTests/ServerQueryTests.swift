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
/// Writes while serving go through `logq ingest --data` beside the server (marked
/// "writes beside the server"): once the server owns the store's writer they go through
/// `logq ingest --server` instead.
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
    func serve(_ data: String, port: Int, in dir: String, name: String = "serve") throws -> Running {
        let server = try Running(logq, ["serve", "--data", data, "--port", "\(port)"], in: dir, name: name)
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
        #expect(https.stderr.contains("http only"))
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

    /// Writes beside the server: `logq ingest --data` (the store has one writer at a time).
    func ingest(_ data: String, _ text: String, in dir: String, name: String) {
        let path = dir + "/\(name).jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let r = Shell.run(logq, ["ingest", "--data", data, path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    static func auditIDs(_ lines: [String]) -> [String] {
        lines.compactMap { line in
            guard let range = line.range(of: "\"auditID\":\"") else { return nil }
            let rest = line[range.upperBound...]
            return String(rest[..<rest.firstIndex(of: "\"")!])
        }
    }

    @Test("logq --server URL -f prints every new match once, and resumes after the server restarts (writes beside the server)")
    func followThroughRestart() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data, Self.lines("old", 5, verb: "delete"), in: dir.path, name: "old")
        let port = Self.freePort()
        var server = try serve(data, port: port, in: dir.path)
        let url = "http://127.0.0.1:\(port)"
        let follower = try Running(logq, ["--server", url, "-f", "-n", "2", "-o", "ndjson", "verb=delete"], in: dir.path, name: "follow")
        defer { follower.stop(SIGKILL) }
        #expect(follower.wait { Self.auditIDs(follower.lines).count >= 2 }, "history: \(follower.errors)")
        ingest(data, Self.lines("a", 20, verb: "delete") + Self.lines("ga", 5, verb: "get"), in: dir.path, name: "a")
        #expect(follower.wait { Self.auditIDs(follower.lines).count >= 22 }, "\(follower.errors)")
        // The server goes away (killed: a graceful stop would wait for the open tail); events
        // are written while it is down; it comes back.
        server.stop(SIGKILL)
        ingest(data, Self.lines("b", 15, verb: "delete"), in: dir.path, name: "b")
        server = try serve(data, port: port, in: dir.path, name: "serve2")
        defer { server.stop() }
        ingest(data, Self.lines("c", 10, verb: "delete"), in: dir.path, name: "c")
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
}
