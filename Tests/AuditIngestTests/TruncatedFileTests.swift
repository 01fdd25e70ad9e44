import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

/// A CloudTrail delivery file cut short (`{"Records":[{…},{…},{…` — a copy interrupted, a gzip
/// stream cut) keeps every complete record before the cut and reports the cut as a rejection
/// with file, byte offset and what was expected, as JSON-lines inputs do.
@Suite("Truncated files of records")
struct TruncatedFileTests {
    static let records = (0..<40).map {
        EventBuilder.cloudTrailRecord(eventID: "t\($0)", eventName: "GetObject", time: "2025-03-02T10:00:\(10 + $0)Z", readOnly: true)
    }
    /// The bytes that end each record of ``records``.
    static let recordEnd = Array(#""recipientAccountId":"111122223333"}"#.utf8)

    /// A delivery file: on one line, or pretty-printed with one record per line.
    static func file(pretty: Bool) -> [UInt8] {
        let text = pretty
            ? "{\n  \"Records\": [\n    " + records.joined(separator: ",\n    ") + "\n  ]\n}\n"
            : #"{"Records":["# + records.joined(separator: ",") + "]}"
        return Array(text.utf8)
    }

    /// How many records end within `bytes`.
    static func completeRecords(in bytes: [UInt8]) -> Int {
        var count = 0
        var k = 0
        while k + recordEnd.count <= bytes.count {
            if bytes[k] == recordEnd[0], bytes[k..<(k + recordEnd.count)].elementsEqual(recordEnd) {
                count += 1
                k += recordEnd.count
            } else {
                k += 1
            }
        }
        return count
    }

    @Test(
        "a Records file cut mid-record keeps the records before the cut and rejects the cut, at every read size",
        arguments: [(false, 1), (false, 7), (false, 4096), (true, 3), (true, 1 << 20)])
    func cutMidRecord(pretty: Bool, chunk: Int) throws {
        let whole = Self.file(pretty: pretty)
        for fraction in [0.05, 0.5, 0.93] {
            let cut = Array(whole.prefix(Int(Double(whole.count) * fraction)))
            let kept = Self.completeRecords(in: cut)
            let run = try ingest(bytes: cut, chunk: chunk, name: "trail.json")
            #expect(run.summary.stored == kept, "cut at \(cut.count) of \(whole.count)")
            #expect(run.events.map { $0.fields[.id] } == (0..<kept).map { "t\($0)" })
            #expect(run.rejections.count == 1)
            let rejection = try #require(run.rejections.first)
            #expect(rejection.file == "trail.json")
            #expect(rejection.offset == cut.count)
            #expect(rejection.reason.contains("end of input"), "\(rejection.reason)")
            #expect(rejection.reason.contains("truncated"), "\(rejection.reason)")
            // The quarantine keeps the incomplete record, from its first byte to the cut.
            #expect(String(decoding: rejection.raw, as: UTF8.self) == String(decoding: cut[(cut.count - rejection.length)...], as: UTF8.self))
            #expect(Array(Self.records[kept].utf8).starts(with: rejection.raw))
            if pretty {
                // The line of the record the cut falls in.
                #expect(rejection.line == 3 + kept, "\(rejection)")
            }
        }
    }

    @Test("a Records file cut between records, or before its closing brackets, keeps every record")
    func cutBetweenRecords() throws {
        let whole = Self.file(pretty: false)
        for drop in [1, 2] {
            let run = try ingest(bytes: Array(whole.dropLast(drop)), chunk: 1 << 20, name: "trail.json")
            #expect(run.summary.stored == Self.records.count)
            #expect(run.rejections.count == 1)
        }
        let afterComma = Array((#"{"Records":["# + Self.records[0...2].joined(separator: ",") + ",").utf8)
        let run = try ingest(bytes: afterComma, chunk: 5, name: "trail.json")
        #expect(run.summary.stored == 3)
        #expect(run.rejections.map(\.offset) == [afterComma.count])
    }

    @Test("a .json.gz cut short keeps the complete records it decompresses to and reports the cut and the damage")
    func truncatedGzip() throws {
        let dir = TemporaryDirectory()
        let many = (0..<1_500).map {
            EventBuilder.cloudTrailRecord(eventID: "g\($0)", eventName: "GetObject", time: "2025-03-02T10:\(10 + $0 / 60):\(10 + $0 % 50)Z", userName: "u\($0 % 97)")
        }
        let plain = dir.write("trail.json", text: #"{"Records":["# + many.joined(separator: ",") + "]}")
        let cutPath = dir.path + "/cut.json.gz"
        #expect(Shell.run("/bin/sh", ["-c", "gzip -c \(plain) > \(dir.path)/full.gz && head -c $(( $(stat -c %s \(dir.path)/full.gz) / 2 )) \(dir.path)/full.gz > \(cutPath)"]).status == 0)
        // What zlib decodes of the cut stream (the gzip tool does not flush it on error).
        let inflate = "import sys, zlib; sys.stdout.buffer.write(zlib.decompressobj(31).decompress(open(sys.argv[1], 'rb').read()))"
        let prefix = Shell.run("/usr/bin/env", ["python3", "-c", inflate, cutPath]).stdoutBytes
        let kept = Self.completeRecords(in: prefix)
        #expect(kept > 100)
        #expect(kept < 1_500)
        let run = try ingest([cutPath])
        #expect(run.summary.stored == kept)
        #expect(run.rejections.count == 1)
        #expect(run.rejections.first?.file == cutPath)
        #expect(run.rejections.first?.reason.contains("truncated") == true)
        #expect(run.errors.count == 1)
        #expect(run.errors.first?.message.contains("truncated") == true)
    }

    @Test("a top-level array of records cut short keeps the complete ones")
    func truncatedArray() throws {
        let text = "[" + Self.records[0...4].joined(separator: ",")
        let cut = Array(text.utf8.dropLast(30))
        let run = try ingest(bytes: cut, chunk: 11, name: "records.json")
        #expect(run.summary.stored == 4)
        #expect(run.rejections.map(\.offset) == [cut.count])
    }

    @Test("a single event cut short is still one rejection, never a partial event")
    func truncatedEvent() throws {
        let cut = Array(Self.records[0].utf8.dropLast(40))
        let run = try ingest(bytes: cut, chunk: 1 << 20, name: "one.json")
        #expect(run.summary.stored == 0)
        #expect(run.rejections.count == 1)
    }
}
