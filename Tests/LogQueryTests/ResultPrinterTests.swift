import AuditCore
import Testing

@testable import LogQuery

@Suite("Output formats")
struct ResultPrinterTests {
    static let table = ResultTable(
        columns: ["count", "user", "avg(latency)"], numeric: [true, false, true],
        rows: [["12", "alice", "3.5"], ["3", "bob, \"the\" admin", ""], ["100", "", "7"]])

    func printed(_ format: OutputFormat, colour: Bool = false, projection: FieldsPipe? = nil, _ body: (ResultPrinter) -> Void) -> String {
        var bytes: [UInt8] = []
        let printer = ResultPrinter(format: format, colour: colour, projection: projection) { bytes += $0 }
        body(printer)
        printer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("CSV quotes fields with commas, quotes or line breaks and doubles quotes (RFC 4180)")
    func csvQuoting() {
        #expect(CSV.record(["a", "b,c", "say \"hi\"", "two\nlines", "cr\r", ""]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n")
        #expect(CSV.quote("plain value") == "plain value")
    }

    @Test("a table prints aligned: numbers right, text left, '-' for empty")
    func text() {
        #expect(printed(.text) { $0.table(Self.table) } == """
            count  user              avg(latency)
               12  alice                      3.5
                3  bob, "the" admin             -
              100  -                            7

            """)
    }

    @Test("colour makes the header bold only in table format")
    func colour() {
        let coloured = printed(.table, colour: true) { $0.table(Self.table) }
        #expect(coloured.hasPrefix("\u{1B}[1mcount"))
        #expect(!printed(.table, colour: false) { $0.table(Self.table) }.contains("\u{1B}"))
        #expect(!printed(.text, colour: true) { $0.table(Self.table) }.contains("\u{1B}"))
    }

    @Test("aggregates as CSV, ndjson and JSON: numbers unquoted, empty cells omitted in JSON")
    func aggregateFormats() {
        #expect(printed(.csv) { $0.table(Self.table) } == "count,user,avg(latency)\r\n12,alice,3.5\r\n3,\"bob, \"\"the\"\" admin\",\r\n100,,7\r\n")
        #expect(printed(.ndjson) { $0.table(Self.table) } == """
            {"count":12,"user":"alice","avg(latency)":3.5}
            {"count":3,"user":"bob, \\"the\\" admin"}
            {"count":100,"avg(latency)":7}

            """)
        #expect(printed(.json) { $0.table(Self.table) }.hasPrefix("[\n{\"count\":12,"))
        #expect(printed(.json) { $0.table(Self.table) }.hasSuffix("}\n]\n"))
        #expect(printed(.json) { $0.table(ResultTable(columns: ["count"], numeric: [true], rows: [])) } == "[]\n")
    }

    static let events = [
        makeEvent(time: fixedNow, raw: #"{"auditID":"a","verb":"get"}"#, [.id: "a", .verb: "get", .user: "alice", .code: "200"]),
        makeEvent(time: fixedNow + second, raw: #"{"auditID":"b", "verb":"delete"}"#, [.id: "b", .verb: "delete", .user: "x,y", .code: "403"]),
    ]

    @Test("events as JSON form one array of the original events; none is an empty array")
    func eventsJSON() {
        #expect(printed(.json) { p in Self.events.forEach(p.event) } == "[\n{\"auditID\":\"a\",\"verb\":\"get\"},\n{\"auditID\":\"b\", \"verb\":\"delete\"}\n]\n")
        #expect(printed(.json) { _ in } == "[]\n")
    }

    @Test("events as CSV: a header, then the summary columns or the chosen fields")
    func eventsCSV() {
        let all = printed(.csv) { p in Self.events.forEach(p.event) }.split(separator: "\r\n").map(String.init)
        #expect(all[0] == "time,source,verb,user,what,where,code")
        #expect(all[2].hasPrefix("2026-11-24T12:00:01.000Z,k8s-audit,delete,\"x,y\","))
        let chosen = printed(.csv, projection: FieldsPipe(fields: [.field(.id), .field(.user)])) { p in Self.events.forEach(p.event) }
        #expect(chosen == "id,user\r\na,alice\r\nb,\"x,y\"\r\n")
    }

    @Test("events as a table: header, aligned columns, failing codes red with colour")
    func eventsTable() {
        let plain = printed(.table, projection: FieldsPipe(fields: [.field(.id), .field(.user), .field(.code)])) { p in
            Self.events.forEach(p.event)
        }
        #expect(plain == "id  user   code\na   alice  200\nb   x,y    403\n")
        let coloured = printed(.table, colour: true, projection: FieldsPipe(fields: [.field(.id), .field(.code)])) { p in
            Self.events.forEach(p.event)
        }
        #expect(coloured.contains("\u{1B}[31m403\u{1B}[0m"))
        #expect(!coloured.contains("\u{1B}[31m200"))
    }
}
