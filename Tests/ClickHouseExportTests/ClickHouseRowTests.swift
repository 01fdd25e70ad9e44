import AuditCore
import Foundation
import Testing
import TestSupport
@testable import ClickHouseExport

@Suite("ClickHouse rows and table")
struct ClickHouseRowTests {
    /// An event with awkward bytes in its fields: quotes, backslashes, control characters, non-ASCII.
    func awkwardEvent(seed: UInt64) -> AuditEvent {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("ab\"\\\n\t\u{1}é/ {}:,".unicodeScalars)
        func text() -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        var fields = FieldValues()
        for field in Field.allCases { fields[field] = text() }
        fields[.code] = ["404", "", "x", "200"].randomElement(using: &random)!
        fields[.latency] = ["1.25", "", "12", "nan"].randomElement(using: &random)!
        let raw = Array(#"{"kind":"Event","note":"#.utf8) + Array(EventFormatterJSON.string(text()).utf8) + Array("}".utf8)
        return AuditEvent(time: Int64.random(in: 1_700_000_000_000_000_000...1_900_000_000_000_000_000, using: &random), source: .k8sAudit, fields: fields, raw: raw)
    }

    @Test("each row is one line of JSON with every column, values as logq holds them", arguments: 1...20)
    func rowsAreJSON(seed: Int) throws {
        let events = (0..<5).map { awkwardEvent(seed: UInt64(seed * 10 + $0)) }
        var batch = ExportBatch()
        for event in events { batch.add(event) }
        let body = ClickHouseRow.finish(rows: batch.rows, ends: batch.ends, token: "abc-1-2")
        let lines = body.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == events.count)
        let names = Set(ClickHouseTable.columns(lowCardinality: true).map(\.name))
        for (line, event) in zip(lines, events) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(Set(object.keys) == names)
            #expect(object["time_ns"] as? Int64 == event.time)
            #expect(object["time"] as? String == Timestamp.format(event.time, fractionDigits: 9))
            #expect(object["logq_batch"] as? String == "abc-1-2")
            #expect(object["user"] as? String == event.fields[.user])
            #expect(object["uri"] as? String == event.fields[.uri])
            #expect((object["code"] as? Int) == Int(UInt16(event.fields[.code]) ?? 0))
            let raw = try #require(object["raw"] as? String)
            #expect(try JSONSerialization.jsonObject(with: Data(raw.utf8)) is [String: Any])
        }
        #expect(batch.firstTime == events.map(\.time).min())
        #expect(batch.lastTime == events.map(\.time).max())
    }

    @Test("table names: DATABASE.TABLE or TABLE of identifiers; anything else is refused with what to pass")
    func tableNames() throws {
        #expect(try ClickHouseTable("logq.events") == ClickHouseTable("logq.events"))
        let plain = try ClickHouseTable("events")
        #expect(plain.database == "default" && plain.table == "events")
        for bad in ["", "a.b.c", "logq.ev-ents", "1x.events", "x;DROP", "a."] {
            #expect(throws: ClickHouseError.self, "\(bad)") { _ = try ClickHouseTable(bad) }
        }
    }

    @Test("LowCardinality from ClickHouse 19 on; 18.16 gets String columns")
    func lowCardinality() throws {
        #expect(!ClickHouseTable.supportsLowCardinality(version: "18.16.1"))
        #expect(ClickHouseTable.supportsLowCardinality(version: "24.8.4.13"))
        let table = try ClickHouseTable("logq.events")
        #expect(!table.createStatement(lowCardinality: false).contains("LowCardinality"))
        #expect(table.createStatement(lowCardinality: true).contains("`verb` LowCardinality(String)"))
        #expect(table.createStatement(lowCardinality: true).contains("`code` UInt16"))
    }

    @Test("docs/clickhouse.md shows the CREATE TABLE statements logq runs")
    func documented() throws {
        let docs = try String(contentsOfFile: TestPaths.packageRoot + "/docs/clickhouse.md", encoding: .utf8)
        let table = try ClickHouseTable("logq.events")
        #expect(docs.contains(table.createStatement(lowCardinality: true)))
        #expect(docs.contains(table.createStatement(lowCardinality: false)))
    }

    @Test("ClickHouse's error text loses its C++ noise and keeps its code and message")
    func errorSummary() {
        let text = "Code: 60, e.displayText() = DB::Exception: Table logq.nope doesn't exist., e.what() = DB::Exception\n"
        #expect(ClickHouseError.summary(text) == "Code: 60: Table logq.nope doesn't exist.")
    }
}

/// A JSON string of `text` for building raw events in tests.
enum EventFormatterJSON {
    static func string(_ text: String) -> String {
        var out: [UInt8] = []
        ClickHouseRow.appendString(text.utf8, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
