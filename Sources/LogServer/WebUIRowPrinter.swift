import AuditCore
import LogQuery

/// What a query or tail hands its results to: the CLI's ``ResultPrinter`` or the web page's
/// ``WebUIRowPrinter``.
protocol ResultSink: AnyObject {
    /// Prints one event.
    func event(_ event: AuditEvent)
    /// Prints an aggregate's table.
    func table(_ table: ResultTable)
    /// Ends the output.
    func finish()
}

extension ResultPrinter: ResultSink {}

/// `format=ui` of `/v1/query` and `/v1/tail`: NDJSON shaped for the web page, so that one
/// answer carries both the CLI's readable columns and the original event.
///
/// The first line names the columns: `{"columns":[…]}` for events (the CLI's `time source verb
/// user what where code`, or those of a `fields` pipe), `{"columns":[…],"numeric":[…],"table":true}`
/// for an aggregate. Then one line per event,
/// `{"t":NS,"cells":[…],"fields":{"verb":"delete",…},"event":ORIGINAL}` (`fields`: the event's
/// non-empty normalized fields, for filters by click; `event`: the original as `-o ndjson`
/// prints it, absent when the query did not read it), or one `{"cells":[…]}` per table row.
final class WebUIRowPrinter: ResultSink {
    /// The value of `format=` that asks for this shape.
    static let formatName = "ui"

    let projection: FieldsPipe?
    let write: ([UInt8]) -> Void
    /// Whether the columns line was written.
    private var started = false
    private var line: [UInt8] = []

    init(projection: FieldsPipe?, write: @escaping ([UInt8]) -> Void) {
        self.projection = projection
        self.write = write
    }

    func event(_ event: AuditEvent) {
        if !started {
            started = true
            write(Array(("{\"columns\":" + Self.array(projection?.columns ?? EventFormatter.columns) + "}\n").utf8))
        }
        let cells = projection.map { $0.fields.map { $0.value(in: event) } } ?? EventFormatter.cells(event)
        var fields: [String] = []
        for field in Field.allCases {
            let value = event.fields[field]
            if !value.isEmpty { fields.append(EventFormatter.jsonString(field.name) + ":" + EventFormatter.jsonString(value)) }
        }
        line.removeAll(keepingCapacity: true)
        line += Array("{\"t\":\(event.time),\"source\":\(EventFormatter.jsonString(event.source.name)),\"cells\":".utf8)
        line += Array(Self.array(cells).utf8)
        line += Array(",\"fields\":{\(fields.joined(separator: ","))}".utf8)
        if !event.raw.isEmpty {
            line += Array(",\"event\":".utf8)
            line += EventFormatter.ndjson(event)
        }
        line += Array("}\n".utf8)
        write(line)
    }

    func table(_ table: ResultTable) {
        started = true
        var text = "{\"columns\":" + Self.array(table.columns) + ",\"numeric\":[" + table.numeric.map { $0 ? "true" : "false" }.joined(separator: ",")
            + "],\"table\":true}\n"
        for row in table.rows { text += "{\"cells\":" + Self.array(row) + "}\n" }
        write(Array(text.utf8))
    }

    func finish() {}

    /// `values` as a JSON array of strings.
    static func array(_ values: [String]) -> String {
        "[" + values.map(EventFormatter.jsonString).joined(separator: ",") + "]"
    }
}
