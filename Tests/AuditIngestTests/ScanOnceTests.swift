import AuditCore
import Foundation
import Testing
import TestSupport

@testable import AuditIngest

/// The reader walks each object once and hands its members to the parsers; repeated field
/// values are shared through a ``TextInterner``. Neither may change what is decoded.
@Suite("Scan once: reader members and shared texts")
struct ScanOnceTests {
    /// Every file of ../shared/realdata that is JSON (by its first byte, after gunzip).
    static func realdataFiles() -> [String] {
        guard let root = TestPaths.realdata, let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files.append(path)
        }
        return files.sorted()
    }

    @Test(
        "every realdata file decodes to the same events and rejections with members and shared texts as by walking",
        .enabled(if: TestPaths.realdata != nil, "../shared/realdata is absent beside the checkout"))
    func realdataSame() throws {
        let files = Self.realdataFiles()
        #expect(files.count > 20)
        var compared = 0
        var different: [String] = []
        let texts = TextInterner()
        for path in files {
            guard let walked = try? decodeFile(path) else { continue }
            let fast = try decodeFile(path, members: true, texts: texts)
            compared += walked.events.count
            if fast.events != walked.events
                || fast.rejections.map({ "\($0.line) \($0.offset) \($0.reason)" })
                    != walked.rejections.map({ "\($0.line) \($0.offset) \($0.reason)" })
            {
                different.append(path)
            }
        }
        #expect(different.isEmpty, "\(different.prefix(5))")
        #expect(compared > 500, "events compared: \(compared)")
        #expect(texts.count > 10, "the realdata repeats users, agents and sources: \(texts.count) values shared")
    }

    @Test("the reader's members are the object's members as walkObject reports them, at every chunk size", arguments: [1, 7, 4096])
    func readerMembers(chunk: Int) throws {
        let lines = [
            EventBuilder.k8sLine(auditID: "a1", verb: "get", user: "alice", resource: "pods", namespace: "shop", name: "c", time: "2026-11-24T10:00:00Z"),
            #"  { "a" : [1, {"b": "}"}] , "c\"d" : "x\\y" ,"e":{}}"#,
            "[1,2]",
            #""text""#,
            "{}",
        ]
        var reader = JSONValueReader(source: MemorySource(Array(lines.joined(separator: "\n").utf8), chunk: chunk))
        var seen = 0
        while let item = reader.next() {
            guard case .value(let range, _, _) = item else {
                Issue.record("unexpected \(item)")
                continue
            }
            seen += 1
            let members = reader.members
            reader.buffer.withUnsafeBufferPointer { b in
                var walked: [JSONMember] = []
                if b[range.lowerBound] == UInt8(ascii: "{") {
                    _ = try? JSONScanner.walkObject(b, range.lowerBound) { k, v in walked.append(JSONMember(key: k, value: v)) }
                }
                #expect(members == walked, "value \(seen)")
            }
        }
        #expect(seen == lines.count)
    }

    @Test("a reader over bytes in memory gives the same values, members and malformed values as one over a stream")
    func inMemoryReader() {
        let text = [
            EventBuilder.k8sLine(auditID: "a1", verb: "get", user: "alice", resource: "pods", namespace: "shop", name: "c", time: "2026-11-24T10:00:00Z"),
            #"{"kind":"Event","auditID":"x"#,
            "  {\"Records\": [{\"eventID\": \"e\"}]}",
            "not json",
            #"{"a": 1}"#,
            #"{"torn": "#,
        ].joined(separator: "\n")
        func items(_ reader: JSONValueReader) -> [String] {
            var reader = reader
            var out: [String] = []
            while let item = reader.next() {
                switch item {
                case .value(let range, let line, let offset):
                    out.append("value \(range.count) line \(line) at \(offset) members \(reader.members.count)")
                case .malformed(let line, let offset, let error):
                    out.append("malformed line \(line) at \(offset): \(error)")
                }
            }
            return out
        }
        let bytes = Array(text.utf8)
        let streamed = items(JSONValueReader(source: MemorySource(bytes, chunk: 5)))
        #expect(streamed.count == 6)
        #expect(items(JSONValueReader(bytes: bytes)) == streamed)
    }

    @Test("a TextInterner returns the decoded text, shares equal values, and keeps at most its capacity")
    func interner() {
        let texts = TextInterner()
        let json = Array(#"["system:serviceaccount:kube-system:coredns", "short", "system:serviceaccount:kube-system:coredns", "caf\u00e9 has an escape in it", ["system:masters","system:authenticated"]]"#.utf8)
        json.withUnsafeBufferPointer { b in
            var elements: [Range<Int>] = []
            _ = try? JSONScanner.walkArray(b, 0) { elements.append($0) }
            #expect(elements.count == 5)
            let first = texts.text(b, elements[0])
            #expect(first == "system:serviceaccount:kube-system:coredns")
            #expect(texts.text(b, elements[1]) == "short")
            #expect(texts.text(b, elements[2]) == first)
            #expect(texts.text(b, elements[3]) == "café has an escape in it")
            let joined = texts.text(b, elements[4]) { b, r in JSONScanner.stringElements(b, r).joined(separator: ",") }
            #expect(joined == "system:masters,system:authenticated")
            // The short value is inline (not kept); the repeat is found, not added.
            #expect(texts.count == 3)
        }
        // Past the capacity, values are still decoded, just not kept.
        for k in 0..<(TextInterner.capacity + 100) {
            let value = Array("\"a value long enough to be kept \(k)\"".utf8)
            let text = value.withUnsafeBufferPointer { texts.text($0, 0..<$0.count) }
            if text != "a value long enough to be kept \(k)" {
                Issue.record("value \(k) decoded as \(text ?? "nil")")
                break
            }
        }
        #expect(texts.count == TextInterner.capacity)
    }
}
