import Foundation
import Testing
import TestSupport

/// `logq stats`, `verify`, `compact` and `retention` as a user runs them.
@Suite(
    "logq store commands",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct StoreCommandTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    func run(_ arguments: [String]) -> Shell.Result { Shell.run(logq, arguments) }

    /// The fixtures ingested in three runs: several segments per hour.
    func store(_ dir: TemporaryDirectory) -> String {
        let data = dir.path + "/data"
        for part in ["/k8s-audit/audit-2026-11-24T10.jsonl", "/k8s-audit/audit-2026-11-24T11.jsonl.gz", "/cloudtrail"] {
            let r = run(["ingest", "--data", data, TestPaths.fixtures + part])
            #expect(r.status == 0, "\(r.stderr)")
        }
        return data
    }

    @Test("stats counts what the fixtures hold, per source, with bytes per event and the chain head")
    func stats() {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let r = run(["stats", "--data", data])
        #expect(r.status == 0)
        #expect(r.stdout.contains("events       433"), "\(r.stdout)")
        #expect(r.stdout.contains("cloudtrail         133"))
        #expect(r.stdout.contains("k8s-audit          300"))
        #expect(r.stdout.contains("B per event"))
        #expect(r.stdout.contains("chain        4 entries, head "))
        let missing = run(["stats", "--data", dir.path + "/nothing"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no store at"))
    }

    @Test("verify is clean on a fresh store, exits 4 naming the segment after a byte is edited, and checks --expect-head")
    func verify() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let clean = run(["verify", "--data", data])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("verified: 4 segments"))
        let head = try #require(clean.stdout.split(separator: "\n").first { $0.hasPrefix("chain head ") }?.dropFirst("chain head ".count))
        #expect(run(["verify", "--data", data, "--expect-head", String(head)]).status == 0)
        #expect(run(["verify", "--data", data, "--expect-head", "nothex"]).status == 64)
        let segment = data + "/partitions/2026-11-24T10/000001.seg"
        let opened = Foundation.FileHandle(forUpdatingAtPath: segment)
        let handle = try #require(opened)
        try handle.seek(toOffset: 100)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: 100)
        handle.write(Data([byte[0] ^ 0xFF]))
        try handle.close()
        let altered = run(["verify", "--data", data])
        #expect(altered.status == 4)
        #expect(altered.stdout.contains("FAIL 2026-11-24T10/000001.seg: altered"), "\(altered.stdout)")
        #expect(altered.stdout.contains("NOT verified"))
    }

    @Test("compact merges each hour's segments, answers stay the same, verify stays clean")
    func compact() {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let before = run(["--data", data, "-o", "ndjson", "verb=delete"])
        let r = run(["compact", "--data", data])
        #expect(r.status == 0)
        #expect(r.stdout.contains("compacted 4 segments into 2"), "\(r.stdout)")
        #expect(run(["--data", data, "-o", "ndjson", "verb=delete"]).stdout == before.stdout)
        #expect(run(["verify", "--data", data]).status == 0)
    }

    @Test("retention per source deletes k8s events past their span and keeps CloudTrail; bad specs are refused")
    func retention() {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let dry = run(["retention", "--data", data, "--keep", "k8s-audit=1d", "--dry-run"])
        #expect(dry.stdout.contains("2026-11-24T10: would delete k8s-audit"), "\(dry.stdout)")
        let r = run(["retention", "--data", data, "--keep", "k8s-audit=1d"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("300 events"), "\(r.stdout)")
        let stats = run(["stats", "--data", data])
        #expect(stats.stdout.contains("events       133"), "\(stats.stdout)")
        #expect(run(["verify", "--data", data]).status == 0)
        let bad = run(["retention", "--data", data, "--keep", "cloudtrial=3y"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("unknown source 'cloudtrial'"))
    }
}
