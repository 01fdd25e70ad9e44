import Foundation
import Testing
import TestSupport

/// `logq segments ship` and `logq --data A --data B` as a user runs them: two stores that share
/// some events, each shipped to its own folder, queried together.
@Suite(
    "Shipped stores queried together",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct ShipEndToEndTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    func run(_ arguments: [String]) -> Shell.Result { Shell.run(logq, arguments) }

    /// Store A: the 10:00 k8s file and the CloudTrail files; store B: the same 10:00 file (every
    /// one of its events in both stores) and the 11:00 one; each shipped to its own folder;
    /// store C: all three inputs in one store (its own dedupe keeps each event once).
    struct Stores {
        let dir = TemporaryDirectory()
        var a: String { dir.path + "/a" }
        var b: String { dir.path + "/b" }
        var c: String { dir.path + "/c" }
        var shippedA: String { dir.path + "/ship-a" }
        var shippedB: String { dir.path + "/ship-b" }
    }

    func stores() -> Stores {
        let s = Stores()
        let t10 = TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl"
        let t11 = TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T11.jsonl.gz"
        let trail = TestPaths.fixtures + "/cloudtrail"
        for (data, inputs) in [(s.a, [t10, trail]), (s.b, [t10, t11]), (s.c, [t10, trail, t11])] {
            let r = run(["ingest", "--data", data] + inputs)
            #expect(r.status == 0, "\(r.stderr)")
        }
        for (data, dest) in [(s.a, s.shippedA), (s.b, s.shippedB)] {
            let r = run(["segments", "ship", dest, "--data", data])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("already there, 0 not shipped"), "\(r.stdout)")
        }
        return s
    }

    /// The lines of `text` as a multiset.
    static func lines(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline) { out[String(line), default: 0] += 1 }
        return out
    }

    /// The union of two answers, each line as often as the answer holding it more often has it:
    /// an event both stores hold prints the same line in both answers.
    static func union(_ a: [String: Int], _ b: [String: Int]) -> [String: Int] {
        a.merging(b) { max($0, $1) }
    }

    /// The elements of a `-o json` array, each re-serialized with sorted keys.
    static func jsonElements(_ text: String) throws -> [String: Int] {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        let array = try #require(parsed as? [Any])
        var out: [String: Int] = [:]
        for element in array {
            let data = try JSONSerialization.data(withJSONObject: element, options: [.sortedKeys])
            out[String(decoding: data, as: UTF8.self), default: 0] += 1
        }
        return out
    }

    @Test("two shipped stores queried together print the union of their answers, each event once, in every output format", arguments: ["text", "ndjson", "json", "csv", "raw"])
    func unionInEveryFormat(format: String) throws {
        let s = stores()
        let both = run(["-o", format, "--data", s.shippedA, "--data", s.shippedB])
        let onlyA = run(["-o", format, "--data", s.shippedA])
        let onlyB = run(["-o", format, "--data", s.shippedB])
        let everything = run(["-o", format, "--data", s.c])
        for r in [both, onlyA, onlyB, everything] { #expect(r.status == 0, "\(r.stderr)") }
        #expect(!both.stderr.contains("warning"), "\(both.stderr)")
        if format == "json" {
            let expected = Self.union(try Self.jsonElements(onlyA.stdout), try Self.jsonElements(onlyB.stdout))
            #expect(try Self.jsonElements(both.stdout) == expected)
            #expect(try Self.jsonElements(everything.stdout) == expected)
            #expect(expected.values.reduce(0, +) == 433)
            return
        }
        var expected = Self.union(Self.lines(onlyA.stdout), Self.lines(onlyB.stdout))
        var got = Self.lines(both.stdout)
        if format == "csv" {
            // One header line in each answer.
            let header = String(both.stdout.prefix { !$0.isNewline })
            #expect(onlyA.stdout.hasPrefix(header))
            expected[header] = 1
            got[header] = got[header].map { _ in 1 }
        }
        #expect(got == expected)
        #expect(Self.lines(everything.stdout) == expected || format == "csv")
        let events = expected.values.reduce(0, +) - (format == "csv" ? 1 : 0)
        #expect(events == 433, "the fixtures hold 433 distinct events, the union printed \(events)")
    }

    @Test("results of two stores come in time order, as one store's do")
    func timeOrder() throws {
        let s = stores()
        let both = run(["-o", "csv", "--data", s.shippedB, "--data", s.shippedA, "| fields time, stage, id"])
        #expect(both.status == 0, "\(both.stderr)")
        let times = both.stdout.split(whereSeparator: \.isNewline).dropFirst().map { String($0.prefix { $0 != "," }) }
        #expect(times.count == 433)
        #expect(times == times.sorted(), "times out of order")
        // An audit ID recurs per stage; time, stage and ID name one event.
        let rows = both.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init)
        #expect(Set(rows).count == rows.count, "an event printed twice")
    }

    @Test("'| count by user' over two stores counts the union, each event once")
    func countByUser() throws {
        let s = stores()
        // The union computed by the test from each store's events.
        var rows: Set<String> = []
        for data in [s.shippedA, s.shippedB] {
            let r = run(["-o", "csv", "--data", data, "| fields time, source, id, stage, user"])
            #expect(r.status == 0, "\(r.stderr)")
            rows.formUnion(r.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init))
        }
        var expected: [String: Int] = [:]
        for row in rows { expected[String(row.split(separator: ",", omittingEmptySubsequences: false).last!), default: 0] += 1 }
        #expect(expected.values.reduce(0, +) == 433)
        func counts(_ arguments: [String]) -> [String: Int] {
            let r = run(["-o", "csv"] + arguments + ["| count by user"])
            #expect(r.status == 0, "\(r.stderr)")
            var out: [String: Int] = [:]
            for line in r.stdout.split(whereSeparator: \.isNewline).dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                out[String(cells[1])] = Int(cells[0])
            }
            return out
        }
        #expect(counts(["--data", s.shippedA, "--data", s.shippedB]) == expected)
        #expect(counts(["--store", s.shippedA + "," + s.shippedB]) == expected)
        #expect(counts(["--data", s.c]) == expected)
        // A filter before the aggregate goes through the event path: the same union.
        let filtered = run(["-o", "csv", "--data", s.shippedA, "--data", s.shippedB, "source=k8s-audit | sort by time | count by user"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
    }

    @Test("a store queried with its own shipped copy answers as the store alone, also after compaction and more ingest")
    func storeWithItsCopy() throws {
        let s = stores()
        let alone = run(["-o", "ndjson", "--data", s.b])
        let withCopy = run(["-o", "ndjson", "--data", s.b, "--data", s.shippedB])
        #expect(withCopy.status == 0)
        #expect(withCopy.stdout == alone.stdout)
        // Compaction at the source: its segments differ from the shipped ones, the events do not.
        let more = run(["ingest", "--data", s.b, TestPaths.fixtures + "/cloudtrail"])
        #expect(more.status == 0, "\(more.stderr)")
        let compact = run(["compact", "--data", s.b])
        #expect(compact.status == 0, "\(compact.stderr)")
        let after = run(["-o", "ndjson", "--data", s.b])
        let afterWithCopy = run(["-o", "ndjson", "--data", s.b, "--data", s.shippedB])
        #expect(Self.lines(afterWithCopy.stdout) == Self.lines(after.stdout))
        #expect(Self.lines(after.stdout).values.reduce(0, +) == 433)
        let reship = run(["segments", "ship", s.shippedB, "--data", s.b])
        #expect(reship.status == 0, "\(reship.stderr)")
        #expect(Self.lines(run(["-o", "ndjson", "--data", s.shippedB]).stdout) == Self.lines(after.stdout))
        let verify = run(["verify", "--verbose", "--data", s.shippedB])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("dropped at the source by compaction after it was shipped"))
    }

    @Test("verify across stores checks each, knows a copy from its source, and fails naming an altered copy")
    func verifyAcross() throws {
        let s = stores()
        let clean = run(["verify", "--data", s.a, "--data", s.shippedA, "--data", s.shippedB])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("store \(s.shippedA)"))
        #expect(clean.stdout.contains("\(s.shippedA) is a copy shipped from \(s.a)"))
        #expect(clean.stdout.contains("verified: 3 stores"))
        let segment = try #require(try FileManager.default.subpathsOfDirectory(atPath: s.shippedB + "/partitions").first { $0.hasSuffix(".seg") })
        let handle = try #require(FileHandle(forUpdatingAtPath: s.shippedB + "/partitions/" + segment))
        try handle.seek(toOffset: 64)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: 64)
        handle.write(Data([byte[0] ^ 0xFF]))
        try handle.close()
        let altered = run(["verify", "--data", s.shippedA, "--data", s.shippedB])
        #expect(altered.status == 4)
        #expect(altered.stdout.contains("FAIL \(segment)") || altered.stdout.contains(segment), "\(altered.stdout)")
        #expect(altered.stdout.contains("NOT verified: 2 stores"))
        let reship = run(["segments", "ship", s.shippedB, "--data", s.b])
        #expect(reship.status == 1)
        #expect(reship.stderr.contains("differ") && reship.stderr.contains(segment), "\(reship.stderr)")
    }

    @Test("writes go to one store only: several --data for ingest, -f, or a shipped copy as a writer's store are refused clearly")
    func writesRefused() {
        let s = stores()
        let trail = TestPaths.fixtures + "/cloudtrail"
        let two = run(["ingest", "--data", s.a, "--data", s.b, trail])
        #expect(two.status == 64)
        #expect(two.stderr.contains("works on one store"), "\(two.stderr)")
        let copy = run(["ingest", "--data", s.shippedA, trail])
        #expect(copy.status == 1)
        #expect(copy.stderr.contains("read-only"), "\(copy.stderr)")
        let compact = run(["compact", "--data", s.shippedA])
        #expect(compact.status == 1)
        let follow = run(["-f", "--data", s.a, "--data", s.b, "verb=delete"])
        #expect(follow.status == 64)
        #expect(follow.stderr.contains("-f follows one store"), "\(follow.stderr)")
    }
}
