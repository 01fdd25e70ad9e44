import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

/// A UTF-8 byte order mark (EF BB BF) at the start of an input, as Windows tools write it,
/// is not part of the first event: JSON lines, a CloudTrail file and klog text, plain and gzip.
@Suite("Byte order mark")
struct ByteOrderMarkTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let inputs: [(name: String, text: String, events: Int)] = [
        ("audit.jsonl", IngestorTests.lines(0..<3), 3),
        (
            "trail.json",
            #"{"Records":["# + (0..<2).map { EventBuilder.cloudTrailRecord(eventID: "b\($0)", eventName: "GetObject", time: "2025-03-02T10:00:00Z") }
                .joined(separator: ",") + "]}",
            2
        ),
        ("kube-apiserver.log", TextLogTests.klog[0] + "\n" + TextLogTests.klog[2] + "\n", 2),
    ]

    @Test("a BOM at the start of a plain or gzip input costs no event", arguments: [false, true])
    func bomIsSkipped(gzip: Bool) throws {
        for input in Self.inputs {
            let dir = TemporaryDirectory()
            var path = dir.write(input.name, Self.bom + Array(input.text.utf8))
            if gzip {
                #expect(Shell.run("/bin/sh", ["-c", "gzip \(path)"]).status == 0)
                path += ".gz"
            }
            let run = try ingest([path])
            #expect(run.rejections.isEmpty, "\(input.name): \(run.rejections)")
            #expect(run.skipped.isEmpty, "\(input.name): \(run.skipped.map(\.reason))")
            #expect(run.summary.stored == input.events, "\(input.name)")
            #expect(run.events.allSatisfy { !$0.raw.starts(with: Self.bom) })
        }
    }

    @Test("a BOM split across reads is skipped at every read size", arguments: [1, 2, 4096])
    func bomAcrossReads(chunk: Int) throws {
        let run = try ingest(bytes: Self.bom + Array(IngestorTests.lines(0..<2).utf8), chunk: chunk)
        #expect(run.rejections.isEmpty)
        #expect(run.summary.stored == 2)
        let text = try ingest(bytes: Self.bom + Array((TextLogTests.klog[0] + "\n").utf8), chunk: chunk, name: "kube-apiserver.log")
        #expect(text.rejections.isEmpty)
        #expect(text.summary.stored == 1)
    }
}
