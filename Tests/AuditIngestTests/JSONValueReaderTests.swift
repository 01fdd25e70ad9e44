import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

@Suite("JSONValueReader")
struct JSONValueReaderTests {
    static let lines = [
        EventBuilder.k8sLine(auditID: "a1", verb: "get", user: "alice", resource: "pods", namespace: "shop", name: "cart-1", time: "2026-11-24T10:00:00.000001Z"),
        EventBuilder.k8sLine(auditID: "a2", verb: "delete", user: "bob", resource: "secrets", namespace: "prod", name: "db", time: "2026-11-24T10:00:01.5Z"),
        EventBuilder.cloudTrailRecord(eventID: "e1", eventName: "DeleteBucket", time: "2026-11-24T10:00:02Z"),
    ]

    @Test("values split the same way at every chunk size", arguments: [1, 2, 3, 7, 64, 1000, 1 << 20])
    func chunkBoundaries(chunk: Int) {
        let text = Self.lines.joined(separator: "\n") + "\n"
        let (events, rejections) = decodeAll(MemorySource(Array(text.utf8), chunk: chunk))
        #expect(rejections.isEmpty)
        #expect(events.map { $0.fields[.id] } == ["a1", "a2", "e1"])
        #expect(events.map { String(decoding: $0.raw, as: UTF8.self) } == Self.lines)
    }

    @Test("a truncated line is rejected with its line number and the lines around it are kept", arguments: [1, 5, 4096])
    func recovery(chunk: Int) {
        let broken = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x"#
        let text = [Self.lines[0], broken, Self.lines[1], "{\"hello\":\"world\"}", Self.lines[2]].joined(separator: "\n")
        let (events, rejections) = decodeAll(MemorySource(Array(text.utf8), chunk: chunk), name: "f.jsonl")
        #expect(events.map { $0.fields[.id] } == ["a1", "a2", "e1"])
        #expect(rejections.map(\.line) == [2, 4])
        #expect(rejections[0].reason.contains("expected '\"' to close the string"))
        #expect(rejections[0].offset == Self.lines[0].utf8.count + 1 + broken.utf8.count)
        #expect(rejections[1].reason.contains("found an object with neither"))
    }

    @Test("a line broken after a key's colon does not take the next line in as its value", arguments: [1, 7, 4096])
    func brokenAfterColon(chunk: Int) {
        let text = [Self.lines[0], #"{"kind":"Event","auditID": "#, Self.lines[1], Self.lines[2]].joined(separator: "\n") + "\n"
        let (events, rejections) = decodeAll(MemorySource(Array(text.utf8), chunk: chunk), name: "f.jsonl")
        #expect(events.map { $0.fields[.id] } == ["a1", "a2", "e1"])
        #expect(rejections.map(\.line) == [2])
        #expect(rejections.first?.reason.contains("found the end of its line") == true, "\(rejections)")
    }

    @Test("an unclosed object followed by a good line loses only the bad one")
    func unclosedObject() {
        let text = "{\"a\":1\n" + Self.lines[1] + "\n"
        let (events, rejections) = decodeAll(MemorySource(Array(text.utf8), chunk: 3))
        #expect(events.map { $0.fields[.id] } == ["a2"])
        #expect(rejections.count == 1)
        #expect(rejections.first?.line == 1)
    }

    @Test("pretty-printed documents and EventLists spanning lines are read whole")
    func multiLine() {
        let list = """
            {
              "kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {},
              "items": [
                \(Self.lines[0]),
                \(Self.lines[1])
              ]
            }
            {"Records": [
              \(Self.lines[2])
            ]}
            """
        let (events, rejections) = decodeAll(MemorySource(Array(list.utf8), chunk: 5))
        #expect(rejections.isEmpty)
        #expect(events.map { $0.source } == [.k8sAudit, .k8sAudit, .cloudtrail])
        #expect(String(decoding: events[2].raw, as: UTF8.self) == Self.lines[2])
    }
}
