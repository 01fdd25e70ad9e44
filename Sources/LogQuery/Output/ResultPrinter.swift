import AuditCore

/// Prints a query's results in an ``OutputFormat``: events as they stream in, or an
/// aggregate's table. Bytes go to `write` (the CLI's buffered stdout).
public final class ResultPrinter {
    let format: OutputFormat
    let colour: Bool
    let projection: FieldsPipe?
    let write: ([UInt8]) -> Void
    /// Events printed so far.
    private var printed = 0
    /// `table` output: rows held until the column widths are known.
    private var pending: [[String]] = []
    private var layout: TableText?
    /// Whether the output was an aggregate's table.
    private var printedTable = false
    /// Live output (`logq -f`): `json` prints a stream of objects (an array never ends), and
    /// ``flush()`` prints a table's held rows at once.
    public var streaming = false

    /// The terminal's width in characters: `table` output is cut to fit it (nil: no limit).
    public var terminalWidth: Int?
    /// Rows a terminal table holds to fit its column widths before it starts printing.
    static let widthSampleRows = 100

    public init(format: OutputFormat, colour: Bool, projection: FieldsPipe?, write: @escaping ([UInt8]) -> Void) {
        self.format = format
        self.colour = colour
        self.projection = projection
        self.write = write
    }

    private func write(_ text: String) { write(Array(text.utf8)) }

    /// The event's cells for table and CSV output.
    private func cells(_ event: AuditEvent) -> [String] {
        if let projection { return projection.fields.map { $0.value(in: event) } }
        return EventFormatter.cells(event)
    }

    private var eventColumns: [String] { projection?.columns ?? EventFormatter.columns }

    /// Prints one event.
    public func event(_ event: AuditEvent) { self.event(event, late: false) }

    /// Prints one event. `late` (live output): its time is earlier than an event printed
    /// before it; table and text output say so after the time.
    public func event(_ event: AuditEvent, late: Bool) {
        defer { printed += 1 }
        switch format {
        case .text, .raw:
            if let projection {
                write(projection.text(event) + (late && format == .text ? "  (late)" : "") + "\n")
            } else if format == .raw {
                write(event.raw + [0x0A])
            } else {
                var line = EventFormatter.line(event)
                if late { line = Self.markLate(line) }
                write(line + "\n")
            }
        case .ndjson:
            if let projection { write(projection.json(event) + "\n") } else { write(EventFormatter.ndjson(event) + [0x0A]) }
        case .json where streaming:
            if let projection { write(projection.json(event) + "\n") } else { write(EventFormatter.ndjson(event) + [0x0A]) }
        case .json:
            write(printed == 0 ? "[\n" : ",\n")
            if let projection { write(projection.json(event)) } else { write(EventFormatter.ndjson(event)) }
        case .csv:
            if printed == 0 { write(CSV.record(eventColumns)) }
            write(CSV.record(cells(event)))
        case .table:
            var row = cells(event)
            if late, !row.isEmpty { row[0] = Self.markLate(row[0]) }
            if let layout {
                write(layout.row(row) + "\n")
                return
            }
            pending.append(row)
            if pending.count >= Self.widthSampleRows { flushPending() }
        }
    }

    /// Fits the table to the held rows and prints them under the header.
    private func flushPending() {
        let columns = eventColumns
        var layout = TableText(
            header: columns, rows: pending, numeric: columns.map { _ in false }, colour: colour,
            statusColumn: projection == nil ? 6 : columns.firstIndex(of: "code"))
        if let terminalWidth { layout.fit(to: terminalWidth) }
        self.layout = layout
        write(layout.header(columns) + "\n")
        for row in pending { write(layout.row(row) + "\n") }
        pending = []
    }

    /// Live output: prints the table rows held for their widths now (the widths of what was
    /// held so far are kept for the rest).
    public func flush() {
        if format == .table, layout == nil, !pending.isEmpty { flushPending() }
    }

    /// A line or time cell with the late mark after its first word (the time).
    static func markLate(_ text: String) -> String {
        guard let space = text.firstIndex(of: " ") else { return text + " (late)" }
        return String(text[..<space]) + " (late)" + String(text[space...])
    }

    /// Ends the output of events (closes a JSON array, prints a short table); nothing after a table.
    public func finish() {
        guard !printedTable else { return }
        switch format {
        case .json where streaming: break
        case .json: write(printed == 0 ? "[]\n" : "\n]\n")
        case .table: if layout == nil, !pending.isEmpty { flushPending() }
        default: break
        }
    }

    /// Prints an aggregate's table.
    public func table(_ table: ResultTable) {
        printedTable = true
        switch format {
        case .text, .raw, .table:
            var layout = TableText(
                header: table.columns, rows: table.rows, numeric: table.numeric, colour: colour && format == .table)
            if format == .table, let terminalWidth { layout.fit(to: terminalWidth) }
            write(layout.header(table.columns) + "\n")
            for row in table.rows { write(layout.row(row) + "\n") }
        case .csv:
            write(CSV.record(table.columns))
            for row in table.rows { write(CSV.record(row)) }
        case .ndjson:
            for row in table.rows { write(Self.json(row, table) + "\n") }
        case .json:
            write(table.rows.isEmpty ? "[]\n" : "[\n" + table.rows.map { Self.json($0, table) }.joined(separator: ",\n") + "\n]\n")
        }
    }

    /// A row as a JSON object: numbers unquoted, empty cells omitted. A numeric cell that is
    /// not a JSON number (`inf`, `nan` from sums past Double) is a string.
    static func json(_ row: [String], _ table: ResultTable) -> String {
        var members: [String] = []
        for (i, cell) in row.enumerated() where !cell.isEmpty {
            let value = table.numeric[i] && JSONText.isNumber(cell) ? cell : EventFormatter.jsonString(cell)
            members.append(EventFormatter.jsonString(table.columns[i]) + ":" + value)
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
