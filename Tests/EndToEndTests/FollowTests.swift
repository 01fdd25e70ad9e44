import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `logq -f` as a user runs it, beside real writer processes: history then live, no gap and no
/// duplicate across seals, hours, compaction and retention; late events; resuming after a
/// kill; a killed writer; every output format; live windows.
@Suite(
    "logq -f (tail-follow)",
    .serialized,
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct FollowTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// A running `logq -f`, its stdout going to a file.
    final class Running {
        let process = Process()
        let outPath: String
        let errPath: String

        init(_ logq: String, _ arguments: [String], in dir: String, name: String) throws {
            outPath = dir + "/\(name).out"
            errPath = dir + "/\(name).err"
            FileManager.default.createFile(atPath: outPath, contents: nil)
            FileManager.default.createFile(atPath: errPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: logq)
            process.arguments = arguments
            process.standardOutput = Foundation.FileHandle(forWritingAtPath: outPath)
            process.standardError = Foundation.FileHandle(forWritingAtPath: errPath)
            process.standardInput = Foundation.FileHandle(forReadingAtPath: "/dev/null")
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
        /// Complete output lines (a kill may leave half a line).
        var lines: [String] {
            let text = output
            // CSV records end in CRLF (RFC 4180), one Character in Swift: split the bytes.
            var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
                String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
            }
            lines.removeLast()  // after the last newline: empty, or a torn line
            return lines
        }

        /// Waits until `done(lines)` holds, at most `seconds`.
        @discardableResult
        func wait(seconds: Double = 30, until done: ([String]) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if done(lines) { return true }
                usleep(20_000)
            }
            return done(lines)
        }

        func interrupt() -> Int32 {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            return process.terminationStatus
        }

        func killHard() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Kubernetes audit lines with fresh IDs: `count` events of `verb` at `time` + i ms.
    static func lines(_ prefix: String, _ count: Int, verb: String, hour: String, startSecond: Int = 0) -> [String] {
        (0..<count).map { i in
            let second = startSecond + i / 1000
            let time = "\(hour):\(String(format: "%02d", second / 60)):\(String(format: "%02d", second % 60)).\(String(format: "%03d", i % 1000))Z"
            return EventBuilder.k8sLine(
                auditID: "\(prefix)-\(i)", verb: verb, user: "u\(i % 5)", resource: "pods", namespace: "live", name: "p-\(prefix)-\(i)",
                time: time)
        }
    }

    func ingest(_ data: String, _ lines: [String], in dir: String, name: String) {
        let path = dir + "/\(name).jsonl"
        FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
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

    @Test("a follower prints every matching event once, in arrival order, across seals, hours, a compaction and a retention run")
    func everyEventOnce() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        // History the follower must not print (-n 0): the fixtures, old hours.
        #expect(Shell.run(logq, ["ingest", "--data", data, TestPaths.fixtures]).status != 2)
        let follower = try Running(logq, ["--data", data, "-f", "-n", "0", "-o", "ndjson", "verb=delete ns=live"], in: dir.path, name: "f")
        usleep(300_000)
        var expected: [[String]] = []
        let hours = ["2026-12-01T10", "2026-12-01T11", "2026-12-01T12", "2026-12-01T09"]
        for burst in 0..<8 {
            let hour = hours[burst % hours.count]
            let deletes = Self.lines("b\(burst)", 40 + burst * 7, verb: "delete", hour: hour, startSecond: burst * 60)
            let gets = Self.lines("g\(burst)", 30, verb: "get", hour: hour, startSecond: burst * 60)
            ingest(data, zip(deletes, gets).flatMap { [$0, $1] } + deletes.dropFirst(gets.count), in: dir.path, name: "burst\(burst)")
            expected.append(Self.auditIDs(deletes))
            if burst == 3 {
                let r = Shell.run(logq, ["compact", "--data", data])
                #expect(r.status == 0, "\(r.stderr)")
            }
            if burst == 5 {
                // The fixtures' hours (2026-11-24) are old: retention removes them.
                let r = Shell.run(logq, ["retention", "--data", data, "--keep", "3d"])
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        let total = expected.reduce(0) { $0 + $1.count }
        let caught = follower.wait { Self.auditIDs($0).count >= total }
        #expect(follower.interrupt() == 0)
        #expect(caught, "printed \(Self.auditIDs(follower.lines).count) of \(total); stderr: \(follower.errors)")
        let printed = Self.auditIDs(follower.lines)
        // Exactly the matches, each once, burst after burst (arrival order).
        #expect(printed.count == total)
        #expect(Set(printed).count == printed.count)
        #expect(printed.sorted() == expected.flatMap { $0 }.sorted())
        var position = 0
        for burst in expected {
            #expect(Set(printed[position..<min(printed.count, position + burst.count)]) == Set(burst))
            position += burst.count
        }
        #expect(follower.errors.contains("stopped at cursor"), "\(follower.errors)")
    }

    @Test("history then live: the last -n matches, then new ones; nothing twice when a write lands during the start")
    func historyThenLive() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data, Self.lines("h", 30, verb: "delete", hour: "2026-12-01T10"), in: dir.path, name: "h")
        let follower = try Running(logq, ["--data", data, "-f", "-n", "5", "-o", "ndjson", "verb=delete"], in: dir.path, name: "f")
        ingest(data, Self.lines("l", 10, verb: "delete", hour: "2026-12-01T11"), in: dir.path, name: "l")
        let caught = follower.wait { Self.auditIDs($0).filter { $0.hasPrefix("l-") }.count >= 10 }
        #expect(follower.interrupt() == 0)
        #expect(caught, "\(follower.output) \(follower.errors)")
        let printed = Self.auditIDs(follower.lines)
        #expect(Array(printed.prefix(5)) == (25..<30).map { "h-\($0)" })
        #expect(Set(printed).count == printed.count)
        #expect(printed.filter { $0.hasPrefix("l-") }.count == 10)
    }

    @Test("late events are printed once, in arrival order, marked late in text output")
    func lateEvents() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data, Self.lines("x", 1, verb: "list", hour: "2026-12-01T08"), in: dir.path, name: "x")
        let follower = try Running(logq, ["--data", data, "-f", "-n", "0", "-o", "text", "verb=delete"], in: dir.path, name: "f")
        usleep(300_000)
        ingest(data, Self.lines("new", 2, verb: "delete", hour: "2026-12-01T12"), in: dir.path, name: "a")
        ingest(data, Self.lines("old", 2, verb: "delete", hour: "2026-12-01T09"), in: dir.path, name: "b")
        let caught = follower.wait { $0.count >= 4 }
        #expect(follower.interrupt() == 0)
        #expect(caught, "\(follower.output) \(follower.errors)")
        let lines = follower.lines
        #expect(lines.count == 4)
        #expect(lines.prefix(2).allSatisfy { $0.contains("2026-12-01T12") && !$0.contains("(late)") })
        #expect(lines.suffix(2).allSatisfy { $0.contains("2026-12-01T09") && $0.contains("(late)") }, "\(lines)")
    }

    @Test("a follower killed with SIGKILL resumes from its cursor file: the union is exact, nothing twice")
    func resumeAfterKill() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let cursor = dir.path + "/cursor"
        ingest(data, Self.lines("init", 1, verb: "get", hour: "2026-12-01T08"), in: dir.path, name: "init")
        let first = try Running(logq, ["--data", data, "-f", "-n", "0", "-o", "ndjson", "--cursor", cursor, "verb=delete"], in: dir.path, name: "f1")
        usleep(300_000)
        var expected: [String] = []
        for burst in 0..<12 {
            let deletes = Self.lines("k\(burst)", 25, verb: "delete", hour: "2026-12-01T1\(burst % 3)", startSecond: burst * 30)
            ingest(data, deletes, in: dir.path, name: "k\(burst)")
            expected += Self.auditIDs(deletes)
            if burst == 5 {
                first.wait(seconds: 10) { !$0.isEmpty }
                first.killHard()
            }
        }
        let second = try Running(logq, ["--data", data, "-f", "-o", "ndjson", "--cursor", cursor, "verb=delete"], in: dir.path, name: "f2")
        let firstPrinted = Self.auditIDs(first.lines)
        let caught = second.wait { firstPrinted.count + Self.auditIDs($0).count >= expected.count }
        #expect(second.interrupt() == 0)
        #expect(caught, "\(second.errors)")
        let union = firstPrinted + Self.auditIDs(second.lines)
        #expect(!firstPrinted.isEmpty)
        #expect(union.count == expected.count, "first \(firstPrinted.count), second \(union.count - firstPrinted.count)")
        #expect(union.sorted() == expected.sorted())
    }

    @Test("a writer killed with SIGKILL mid-burst: the follower prints only durable events, and after recovery exactly what the store holds")
    func writerKilled() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let input = dir.path + "/audit.log"
        ingest(data, Self.lines("init", 1, verb: "get", hour: "2026-12-01T08"), in: dir.path, name: "init")
        FileManager.default.createFile(atPath: input, contents: nil)
        let follower = try Running(logq, ["--data", data, "-f", "-n", "0", "-o", "ndjson", "verb=delete"], in: dir.path, name: "f")
        let writer = try Running(logq, ["ingest", "--data", data, "--follow", "--interval", "0.05", input], in: dir.path, name: "w")
        let opened = Foundation.FileHandle(forWritingAtPath: input)
        let file = try #require(opened)
        for chunk in 0..<40 {
            let lines = Self.lines("w\(chunk)", 50, verb: chunk % 2 == 0 ? "delete" : "patch", hour: "2026-12-01T1\(chunk % 4)", startSecond: chunk)
            file.seekToEndOfFile()
            file.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            usleep(10_000)
            if chunk == 30 {
                // Killed once it has committed something (a loaded machine may take longer than
                // these 0.3 s to start it), mid-burst all the same: ten chunks are still to come.
                _ = follower.wait(seconds: 60) { !Self.auditIDs($0).isEmpty }
                writer.killHard()
            }
        }
        try file.close()
        usleep(500_000)
        let beforeRecovery = Set(Self.auditIDs(follower.lines))
        // The next writer recovers the store; what it recovered becomes visible too.
        let recover = Shell.run(logq, ["compact", "--data", data])
        #expect(recover.status == 0, "\(recover.stderr)")
        let stored = Shell.run(logq, ["--data", data, "-o", "ndjson", "verb=delete"])
        let held = Self.auditIDs(stored.stdout.split(separator: "\n").map(String.init))
        #expect(!held.isEmpty)
        #expect(beforeRecovery.isSubset(of: Set(held)), "printed events the store does not hold after recovery")
        let caught = follower.wait(seconds: 10) { Self.auditIDs($0).count >= held.count }
        #expect(follower.interrupt() == 0)
        #expect(caught)
        let printed = Self.auditIDs(follower.lines)
        #expect(printed.sorted() == held.sorted())
    }

    @Test("-f prints live in every output format", arguments: ["table", "text", "ndjson", "json", "csv", "raw"])
    func formats(_ format: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data, Self.lines("h", 3, verb: "delete", hour: "2026-12-01T10"), in: dir.path, name: "h")
        let follower = try Running(logq, ["--data", data, "-f", "-n", "1", "-o", format, "verb=delete"], in: dir.path, name: "f")
        #expect(follower.wait(seconds: 30) { $0.contains { $0.contains("h-2") || $0.contains("p-h-2") } }, "\(follower.output) \(follower.errors)")
        ingest(data, Self.lines("l", 2, verb: "delete", hour: "2026-12-01T11"), in: dir.path, name: "l")
        let caught = follower.wait(seconds: 30) { $0.filter { $0.contains("p-l-") }.count >= 2 }
        #expect(follower.interrupt() == 0)
        #expect(caught, "\(follower.output) \(follower.errors)")
        let lines = follower.lines
        #expect(!lines.contains { $0.contains("p-h-1") }, "history printed more than -n 1")
        switch format {
        case "ndjson", "json", "raw":
            // One original event per line, each valid JSON: a stream of objects, no array.
            for line in lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
            }
        case "csv":
            #expect(lines.first == "time,source,verb,user,what,where,code")
            #expect(lines.count == 4)
        case "table":
            #expect(lines.first?.contains("time") == true && lines.first?.contains("source") == true)
        default:
            #expect(lines.count == 3)
            #expect(lines.allSatisfy { $0.contains("k8s-audit") && $0.contains("delete") })
        }
    }

    @Test("a live count prints each window when it closes; sort and tail are refused live")
    func liveWindows() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        ingest(data, Self.lines("init", 1, verb: "get", hour: "2026-12-01T08"), in: dir.path, name: "init")
        let follower = try Running(
            logq, ["--data", data, "-f", "--grace", "0s", "-o", "csv", "verb=delete | count by user every 1s"], in: dir.path, name: "f")
        usleep(300_000)
        // Events stamped now, so that their windows close by the clock.
        let now = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let stamp = formatter.string(from: now)
        let lines = (0..<6).map { i in
            EventBuilder.k8sLine(auditID: "w-\(i)", verb: "delete", user: i < 4 ? "alice" : "bob", resource: "pods", namespace: "live", name: "p\(i)", time: stamp)
        }
        ingest(data, lines, in: dir.path, name: "w")
        let caught = follower.wait(seconds: 10) { $0.contains { $0.hasSuffix(",4,alice") } && $0.contains { $0.hasSuffix(",2,bob") } }
        #expect(follower.interrupt() == 0)
        #expect(caught, "\(follower.output) \(follower.errors)")
        for refused in ["verb=delete | sort by user", "verb=delete | tail 3", "verb=delete | count by user"] {
            let r = Shell.run(logq, ["--data", data, "-f", refused])
            #expect(r.status == 2, "\(refused): \(r.stderr)")
            #expect(r.stderr.contains("live"), "\(r.stderr)")
        }
    }

    @Test("a follower of a store that does not exist yet waits for it, saying so once")
    func waitsForStore() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let follower = try Running(logq, ["--data", data, "-f", "-o", "ndjson", "verb=delete"], in: dir.path, name: "f")
        usleep(400_000)
        ingest(data, Self.lines("first", 3, verb: "delete", hour: "2026-12-01T10"), in: dir.path, name: "first")
        ingest(data, Self.lines("second", 2, verb: "delete", hour: "2026-12-01T10"), in: dir.path, name: "second")
        let caught = follower.wait(seconds: 10) { Self.auditIDs($0).count >= 5 }
        #expect(follower.interrupt() == 0)
        #expect(caught, "\(follower.output) \(follower.errors)")
        #expect(follower.errors.components(separatedBy: "waiting for the first ingest").count == 2, "\(follower.errors)")
        #expect(Set(Self.auditIDs(follower.lines)).count == 5)
    }
}
