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

    /// Flips one byte of `path` at `offset`.
    func flip(_ path: String, at offset: UInt64) throws {
        let opened = Foundation.FileHandle(forUpdatingAtPath: path)
        let handle = try #require(opened)
        try handle.seek(toOffset: offset)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: offset)
        handle.write(Data([byte[0] ^ 0x20]))
        try handle.close()
    }

    func segments(_ data: String) throws -> [String] {
        let root = data + "/partitions"
        return try FileManager.default.contentsOfDirectory(atPath: root).sorted().flatMap { hour in
            try FileManager.default.contentsOfDirectory(atPath: root + "/" + hour).sorted().map { root + "/" + hour + "/" + $0 }
        }
    }

    @Test("a query over a damaged store says so on stderr, and --strict makes it an error (exit 3)")
    func queryWarnsOnDamage() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let victim = try segments(data)[0]
        try FileManager.default.removeItem(atPath: victim)
        let r = run(["--data", data, "-o", "ndjson", ""])
        #expect(r.status == 0)
        #expect(r.stderr.contains("logq: warning: ") && r.stderr.contains("missing"), "\(r.stderr)")
        let strict = run(["--data", data, "--strict", "-o", "ndjson", ""])
        #expect(strict.status == 3, "\(strict.stderr)")
    }

    @Test("a count answered from block summaries says when a counted block is damaged")
    func countWarnsOnDamage() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        // Ten bytes before the footer: inside the last block's last column (the original
        // bytes), which a count from summaries does not read.
        let victim = try segments(data)[0]
        let bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        let footer = bytes[(bytes.count - 16)..<(bytes.count - 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        try flip(victim, at: footer - 10)
        let r = run(["--data", data, "| count"])
        #expect(r.stderr.contains("logq: warning: "), "\(r.stdout) \(r.stderr)")
        #expect(run(["--data", data, "--strict", "| count"]).status == 3)
    }

    @Test("compact leaves an hour with a damaged block as it is, names it and exits 4; verify keeps failing")
    func compactRefusesDamage() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let victim = try segments(data)[0]
        try flip(victim, at: 200)
        let r = run(["compact", "--data", data])
        #expect(r.status == 4, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains(victim), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: victim))
        #expect(run(["verify", "--data", data]).status == 4)
    }

    @Test("a segment copied in is set aside by the next ingest; verify fails naming it until 'logq repair --adopt'")
    func copiedSegmentNeedsRepair() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let source = try segments(data)[0]
        let copy = (source as NSString).deletingLastPathComponent + "/000099.seg"
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        let ingest = run(["ingest", "--data", data, TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl"])
        #expect(ingest.status == 0)
        #expect(ingest.stderr.contains("000099.seg is not in the hash chain"), "\(ingest.stderr)")
        let verify = run(["verify", "--data", data])
        #expect(verify.status == 4)
        #expect(verify.stdout.contains("quarantine/") && verify.stdout.contains("000099.seg"), "\(verify.stdout)")
        #expect(run(["repair", "--data", data]).status == 64, "--adopt is required")
        let repair = run(["repair", "--data", data, "--adopt", "--reason", "restored by hand, ticket 7"])
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stdout.contains("adopted "), "\(repair.stdout)")
        #expect(run(["verify", "--data", data]).status == 0)
        let chain = try String(contentsOfFile: data + "/CHAIN", encoding: .utf8)
        #expect(chain.contains("repair ") && chain.contains("restored-by-hand,-ticket-7"), "\(chain)")
    }

    @Test("a stray file named like a segment does not stop stats, verify (exit 4) or compaction of other hours")
    func straySegmentContained() throws {
        let dir = TemporaryDirectory()
        let data = store(dir)
        let hour = (try segments(data)[0] as NSString).deletingLastPathComponent
        try Data("not a segment".utf8).write(to: URL(fileURLWithPath: hour + "/000042.seg"))
        let stats = run(["stats", "--data", data])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("events       433"), "\(stats.stdout)")
        let verify = run(["verify", "--data", data])
        #expect(verify.status == 4, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("000042.seg"))
        let query = run(["--data", data, "-o", "ndjson", ""])
        #expect(query.status == 0)
        #expect(query.stdout.split(separator: "\n").count == 433)
    }
}
