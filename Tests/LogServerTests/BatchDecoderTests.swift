import AuditCore
import AuditIngest
import Testing
import TestSupport
extension ServerSuites {
    /// The ingest seam: a buffer in, events and typed, placed rejections out.
    @Suite("Batch decoder")
    struct BatchDecoderTests {
        let decoder = BatchDecoder(name: "POST /v1/ingest")

        @Test("an EventList with a bad item keeps the others, in order, and names the item")
        func eventListItem() {
            var items = Payloads.k8sEvents(5, prefix: "e")
            items[3] = EventBuilder.k8sLine(
                auditID: "e-bad", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p", time: "yesterday")
            let batch = decoder.decode(Payloads.eventList(items), receivedAt: 0)
            #expect(batch.events.map { $0.fields[.id] } == ["e-0", "e-1", "e-2", "e-4"])
            #expect(batch.problems.count == 1)
            #expect(batch.problems.first?.index == 3)
            #expect(batch.problems.first?.path == "items[3]")
            #expect(batch.problems.first?.kind == .invalidEvent)
        }

        @Test("NDJSON problems are named by value index; a top-level array's by [index]")
        func ndjsonAndArray() {
            var lines = Payloads.records(4, prefix: "n")
            lines[2] = #"{"eventVersion":"1.11","eventName":"#
            let ndjson = decoder.decode(Array(lines.joined(separator: "\n").utf8), receivedAt: 0)
            #expect(ndjson.events.count == 3)
            #expect(ndjson.problems.map(\.index) == [2])
            #expect(ndjson.problems.map(\.kind) == [.malformedJSON])
            #expect(ndjson.problems.first?.path == nil)

            var elements = Payloads.records(3, prefix: "a")
            elements[0] = #"{"hello":"world"}"#
            let array = decoder.decode(Array("[\(elements.joined(separator: ","))]".utf8), receivedAt: 0)
            #expect(array.events.count == 2)
            #expect(array.problems.first?.path == "[0]")
            #expect(array.problems.first?.kind == .unrecognised)
        }

        @Test("a body of no known format is one unrecognised problem, nothing stored")
        func unrecognised() {
            let batch = decoder.decode(Array("#!/bin/sh\necho hello\n".utf8), receivedAt: 0)
            #expect(batch.events.isEmpty)
            #expect(batch.problems.map(\.kind) == [.unrecognised])
        }

        @Test("gunzip refuses damage and sizes over the limit")
        func gunzipLimits() throws {
            let body = Payloads.eventList(Payloads.k8sEvents(200))
            let gz = try Payloads.gzip(body)
            #expect(BatchDecoder.isGzip(gz))
            #expect(try BatchDecoder.gunzip(gz, maximumBytes: 1 << 20) == body)
            #expect(throws: BatchDecoder.GunzipFailure.tooLarge(limit: 1_000)) { try BatchDecoder.gunzip(gz, maximumBytes: 1_000) }
            var damaged = gz
            for k in 20..<40 { damaged[k] ^= 0x5A }
            #expect(throws: BatchDecoder.GunzipFailure.damaged) { try BatchDecoder.gunzip(damaged, maximumBytes: 1 << 20) }
        }
    }
}
