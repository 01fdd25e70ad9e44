import Foundation
import Testing
import TestSupport

/// Runs the built `logq` binary as a user would and checks its output and exit codes.
@Suite(
    "logq binary",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct EndToEndTests {
    /// In CI a missing binary makes every test here fail (Shell.run reports it) rather than skip.
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    func run(_ arguments: [String], stdin: [UInt8]? = nil) -> Shell.Result {
        Shell.run(logq, arguments, stdin: stdin)
    }

    @Test("ingesting fixtures stores both sources, reports the bad lines, and a second ingest stores nothing twice")
    func ingestFixtures() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let first = run(["ingest", "--data", data, TestPaths.fixtures])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("436 stored, 0 duplicates skipped, 0 ID conflicts kept, 2 rejected"), "stdout: \(first.stdout)")
        #expect(first.stderr.contains("fixtures/bad/mixed.jsonl:2: malformed JSON: expected '\"' to close the string"))
        #expect(first.stderr.contains("fixtures/bad/mixed.jsonl:4: expected a Kubernetes audit Event"))
        let second = run(["ingest", "--data", data, TestPaths.fixtures])
        #expect(second.status == 0)
        #expect(second.stdout.contains("0 stored, 436 duplicates skipped"), "stdout: \(second.stdout)")
        let strict = run(["ingest", "--strict", "--data", data, TestPaths.fixtures + "/bad"])
        #expect(strict.status == 3)
    }

    @Test("verb=delete lists deletes of both sources in time order")
    func deletes() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        #expect(run(["ingest", "--data", data, TestPaths.fixtures]).status == 0)
        let result = run(["--data", data, "verb=delete"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 37)
        #expect(lines.filter { $0.contains("  cloudtrail  delete") }.count == 12)
        #expect(lines.filter { $0.contains("  k8s-audit   delete") }.count == 25)
        let times = lines.map { String($0.prefix(24)) }
        #expect(times == times.sorted())
        #expect(lines.contains { $0.contains("mallory  secrets prod/db-credentials  192.0.2.66  403") })
        #expect(lines.contains { $0.contains("mallory  s3:DeleteBucket acme-prod-backups  eu-west-1 192.0.2.66  AccessDenied") })
        let counted = run(["--data", data, "verb=delete | count by source"])
        #expect(counted.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            == ["count source", "25 k8s-audit", "12 cloudtrail"])
    }

    @Test("-o ndjson prints the original events byte for byte")
    func ndjson() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let file = TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl"
        #expect(run(["ingest", "--data", data, file]).status == 0)
        let result = run(["--data", data, "-o", "ndjson", "until=2026-11-25"])
        #expect(result.status == 0)
        let original = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        let printed = result.stdout.split(separator: "\n").map(String.init)
        #expect(printed.count == original.count)
        #expect(Set(printed) == Set(original))
    }

    @Test("since=1h counts back from now")
    func since() throws {
        let dir = TemporaryDirectory()
        let now = Date()
        func stamp(_ secondsAgo: Double) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.string(from: now.addingTimeInterval(-secondsAgo))
        }
        let text = [
            EventBuilder.k8sLine(auditID: "recent", verb: "delete", user: "alice", resource: "pods", namespace: "shop", name: "a", time: stamp(600)),
            EventBuilder.k8sLine(auditID: "old", verb: "delete", user: "bob", resource: "pods", namespace: "shop", name: "b", time: stamp(3 * 3600)),
        ].joined(separator: "\n")
        let data = dir.path + "/data"
        #expect(run(["ingest", "--data", data, "-"], stdin: Array(text.utf8)).status == 0)
        let result = run(["--data", data, "verb=delete since=1h"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("alice"))
        #expect(!result.stdout.contains("bob"))
        let both = run(["--data", data, "verb=delete since=4h"])
        #expect(both.stdout.split(separator: "\n").count == 2)
    }

    @Test("a bad query exits 2 and points at the column")
    func badQuery() {
        let dir = TemporaryDirectory()
        let result = run(["--data", dir.path, "verb=delete verbb=get"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("verb=delete verbb=get\n              ^"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("unknown field 'verbb' (did you mean 'verb'?)"))
    }

    @Test("no match exits 1; a missing path is reported and exits 1; an empty data dir says what to do")
    func exitCodes() {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        #expect(run(["ingest", "--data", data, TestPaths.fixtures + "/cloudtrail"]).status == 0)
        #expect(run(["--data", data, "user=nobody-at-all"]).status == 1)
        let missing = run(["ingest", "--data", data, dir.path + "/nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such file or directory"))
        let empty = run(["--data", dir.path + "/elsewhere", "verb=delete"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("run 'logq ingest PATH' first"))
    }
}
