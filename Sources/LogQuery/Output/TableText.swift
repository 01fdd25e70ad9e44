/// Aligned columns for terminals and text output: numbers right-aligned, text left-aligned
/// and padded (the last column is not), two spaces between columns, "-" for empty cells.
/// With colour, the header is bold and failing status cells red (ANSI SGR codes).
public struct TableText: Sendable {
    /// Whether each column is numeric (right-aligned).
    public var numeric: [Bool]
    /// Column widths in characters.
    public var widths: [Int]
    /// Whether to emit ANSI colour codes.
    public var colour: Bool
    /// The column whose failing values are shown in red (a status code), if any.
    public var statusColumn: Int?

    /// Widths fitted to `header` and `rows`.
    public init(header: [String], rows: [[String]], numeric: [Bool], colour: Bool, statusColumn: Int? = nil) {
        self.numeric = numeric
        self.colour = colour
        self.statusColumn = statusColumn
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.shown(cell).count) }
        }
        self.widths = widths
    }

    static func shown(_ cell: String) -> String { cell.isEmpty ? "-" : cell }

    /// Narrows the widest columns, one character at a time, until a line fits in `width`
    /// characters (a terminal's); no column goes below 8. Cells longer than their column are
    /// cut with an ellipsis.
    public mutating func fit(to width: Int) {
        guard !widths.isEmpty else { return }
        while widths.reduce(0, +) + 2 * (widths.count - 1) > width {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 8 else { return }
            widths[widest] -= 1
        }
        fitted = true
    }

    /// Whether ``fit(to:)`` set the widths, so cells are cut to them.
    private var fitted = false

    /// The header line.
    public func header(_ names: [String]) -> String {
        let text = line(names, empty: false)
        return colour ? "\u{1B}[1m" + text + "\u{1B}[0m" : text
    }

    /// A row line.
    public func row(_ cells: [String]) -> String {
        line(cells, empty: true)
    }

    private func line(_ cells: [String], empty: Bool) -> String {
        var out = ""
        for (i, raw) in cells.enumerated() {
            var cell = empty ? Self.shown(raw) : raw
            let width = i < widths.count ? widths[i] : cell.count
            if fitted, cell.count > width { cell = String(cell.prefix(max(0, width - 1))) + "…" }
            let gap = String(repeating: " ", count: max(0, width - cell.count))
            var text: String
            if i < numeric.count, numeric[i] {
                text = gap + cell
            } else {
                text = i == cells.count - 1 ? cell : cell + gap
            }
            if colour, empty, i == statusColumn, Self.failing(raw) { text = "\u{1B}[31m" + text + "\u{1B}[0m" }
            if i > 0 { out += "  " }
            out += text
        }
        return out
    }

    /// Whether a status cell reports a failure: an HTTP status ≥ 400 or an AWS error code.
    static func failing(_ cell: String) -> Bool {
        if let code = Int(cell) { return code >= 400 }
        return !cell.isEmpty && cell != "ok" && cell != "ResponseComplete" && cell != "-"
    }
}
