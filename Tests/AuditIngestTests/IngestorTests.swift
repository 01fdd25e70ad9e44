import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import AuditIngest

/// Nothing lost: quarantine, unrecognised inputs, truncated gzip, events without time; and
/// the places inputs come from (globs, the S3 layout).
@Suite("Ingestor")
struct IngestorTests {
    static func lines(_ range: Range<Int>, day: String = "2025-03-02") -> String {
        range.map {
            EventBuilder.k8sLine(auditID: "i-\($0)", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p\($0)", time: "\(day)T10:00:00Z")
        }.joined(separator: "\n") + "\n"
    }

    @Test("rejects go to the quarantine with file, line, offset, reason and their bytes")
    func quarantine() throws {
        let dir = TemporaryDirectory()
        let bad = #"{"eventVersion":"1.0","eventTime":"...","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#
        let broken = #"{"kind":"Event","auditID":"x""#
        let file = dir.write("mixed.jsonl", text: Self.lines(0..<2) + bad + "\n" + broken + "\n" + Self.lines(2..<3))
        let run = try ingest([file])
        #expect(run.summary.stored == 3)
        #expect(run.summary.rejected == 2)
        let entries = Quarantine.read(path: run.directory.path + "/data/" + FileNames.rejects)
        #expect(entries.count == 2)
        #expect(entries.map(\.rejection.line) == [3, 4])
        #expect(entries[0].rejection.file == file)
        #expect(entries[0].rejection.reason.contains("\"...\""))
        #expect(String(decoding: entries[0].rejection.raw, as: UTF8.self) == bad)
        let placeholder = Array(bad.utf8).indices.first { Array(bad.utf8)[$0...].starts(with: Array("\"...\"".utf8)) }!
        #expect(entries[0].rejection.offset == Self.lines(0..<2).utf8.count + placeholder)
        #expect(entries[1].rejection.reason.hasPrefix("malformed JSON"))
        #expect(entries[1].rejection.raw.starts(with: Array("{\"kind\":\"Event\"".utf8)))
    }

    @Test("an event longer than --max-line is rejected; the lines after it are kept")
    func maxLine() throws {
        let dir = TemporaryDirectory()
        let huge = #"{"kind":"Event","auditID":"big","requestObject":""# + String(repeating: "z", count: 5 << 20) + #""}"#
        var options = IngestOptions()
        options.maxLineBytes = 64 << 10
        let run = try ingest([dir.write("big.jsonl", text: Self.lines(0..<1) + huge + "\n" + Self.lines(1..<2))], options: options)
        #expect(run.summary.stored == 2)
        #expect(run.rejections.map(\.line) == [2])
        #expect(run.rejections.first?.reason.contains("at most 65536 bytes (--max-line)") == true)
    }

    @Test("a CloudTrail file on one long line is not cut by --max-line")
    func containerLine() throws {
        let dir = TemporaryDirectory()
        let records = (0..<400).map { EventBuilder.cloudTrailRecord(eventID: "r\($0)", eventName: "GetObject", time: "2025-03-02T10:00:00Z", readOnly: true) }
        var options = IngestOptions()
        options.maxLineBytes = 16 << 10
        let run = try ingest([dir.write("trail.json", text: #"{"Records":["# + records.joined(separator: ",") + "]}")], options: options)
        #expect(run.rejections.isEmpty)
        #expect(run.summary.stored == 400)
    }

    @Test("a truncated .gz keeps the events before the damage and reports the file")
    func truncatedGzip() throws {
        let dir = TemporaryDirectory()
        let plain = dir.write("audit.log", text: Self.lines(0..<5_000))
        #expect(Shell.run("/bin/sh", ["-c", "gzip -c \(plain) | head -c 30000 > \(dir.path)/audit.log.gz"]).status == 0)
        let run = try ingest([dir.path + "/audit.log.gz"])
        #expect(run.summary.stored > 100)
        #expect(run.summary.stored < 5_000)
        #expect(run.errors.count == 1)
        #expect(run.errors.first?.message.contains("truncated") == true)
        // The last partial line is a reject or nothing, never a wrong event.
        #expect(run.events.allSatisfy { $0.fields[.name].hasPrefix("p") })
    }

    @Test("an event with invalid UTF-8 is stored byte for byte and reported once with file, line and offset")
    func invalidUTF8() throws {
        let dir = TemporaryDirectory()
        let good = Array(Self.lines(0..<1).utf8)
        let bad = Array(Self.lines(1..<2).utf8)
        let at = bad.firstIndex(of: UInt8(ascii: "u"))!  // inside the apiVersion string "audit.k8s.io/v1"
        var garbled = bad
        garbled.insert(contentsOf: [0xC3, 0x28, 0xFF], at: at)
        let file = dir.write("garbled.jsonl", good + garbled)
        let run = try ingest([file])
        #expect(run.summary.stored == 2)
        #expect(run.rejections.isEmpty)
        #expect(run.summary.invalidUTF8 == 1)
        #expect(run.warnings.map(\.message) == [
            "\(file):2: invalid UTF-8 (byte 0xC3) in an event, stored as is; JSON output shows U+FFFD there (byte \(good.count + at))"
        ])
        #expect(run.events.contains { $0.raw == Array(garbled.dropLast()) })
    }

    @Test("events with no time at all are stored at the file's mtime and marked timesource=mtime")
    func noTime() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("handmade.jsonl", text: #"{"kind":"Event","auditID":"nt","verb":"get","user":{"username":"a"}}"# + "\n")
        #expect(Shell.run("/usr/bin/touch", ["-d", "2024-05-06T07:08:09Z", path]).status == 0)
        let run = try ingest([path])
        let e = try #require(run.events.first)
        #expect(e.time == Timestamp.parse("2024-05-06T07:08:09Z"))
        #expect(e.fields[.timesource] == "mtime")
        let timed = try ingest([dir.write("timed.jsonl", text: Self.lines(0..<1))])
        #expect(timed.events.first?.fields[.timesource] == "")
    }

    @Test("files holding no events are reported as unrecognised, not quarantined")
    func unrecognised() throws {
        let dir = TemporaryDirectory()
        let license = dir.write("LICENSE", text: "Apache License\nVersion 2.0, January 2004\n")
        let meta = dir.write("x.meta.jsonl", text: #"{"line": 1, "file": "rules/a.yml", "expected_result": true}"# + "\n")
        let empty = dir.write("empty.log", text: "")
        let run = try ingest([license, meta, empty])
        #expect(run.skipped.map(\.name) == [license, meta, empty])
        #expect(run.skipped[1].reason.contains("no events of a format logq reads"))
        #expect(run.summary.rejected == 0)
        #expect(run.summary.skippedInputs == 3)
    }

    @Test("glob patterns expand; a pattern matching nothing is an input error")
    func globs() throws {
        let dir = TemporaryDirectory()
        dir.write("logs/a.jsonl", text: Self.lines(0..<2))
        dir.write("logs/b.jsonl", text: Self.lines(2..<3))
        dir.write("logs/c.txt", text: "ignored")
        let run = try ingest([dir.path + "/logs/*.jsonl", dir.path + "/nothing/*.gz"])
        #expect(run.summary.stored == 3)
        #expect(run.errors.map(\.code) == [.noMatch])
    }

    @Test("S3 layout: --region and --since/--until prune files by their key", arguments: [
        (Set<String>(), nil as String?, nil as String?, 3),
        (Set(["eu-west-1"]), nil, nil, 2),
        (Set<String>(), "2025-03-02T00:00:00Z", nil, 2),
        (Set<String>(), nil, "2025-02-27T00:00:00Z", 1),
        (Set(["eu-west-1"]), "2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z", 1),
    ])
    func s3(regions: Set<String>, since: String?, until: String?, files: Int) throws {
        let dir = TemporaryDirectory()
        let root = "bucket/AWSLogs/111122223333/CloudTrail"
        func trail(_ id: String, _ day: String) -> String {
            #"{"Records":["# + EventBuilder.cloudTrailRecord(eventID: id, eventName: "GetObject", time: day + "T10:00:00Z", readOnly: true) + "]}"
        }
        dir.write("\(root)/eu-west-1/2025/02/26/a.json", text: trail("a", "2025-02-26"))
        dir.write("\(root)/eu-west-1/2025/03/02/b.json", text: trail("b", "2025-03-02"))
        dir.write("\(root)/us-east-1/2025/03/02/c.json", text: trail("c", "2025-03-02"))
        var options = IngestOptions()
        options.regions = regions
        options.since = since.flatMap { Timestamp.parse($0) }
        options.until = until.flatMap { Timestamp.parse($0) }
        let run = try ingest([dir.path + "/bucket"], options: options)
        #expect(run.summary.inputs == files)
    }
}
