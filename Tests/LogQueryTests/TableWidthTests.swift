import LogQuery
import Testing

/// A terminal table fits the terminal: the widest columns are cut with an ellipsis.
@Suite("Table width")
struct TableWidthTests {
    @Test("rows wider than the terminal are cut to fit, the widest column first")
    func fitsWidth() {
        let header = ["time", "user", "uri"]
        let rows = [["2026-11-24T10:00:00Z", "alice", "/api/v1/" + String(repeating: "x", count: 200)]]
        var table = TableText(header: header, rows: rows, numeric: [false, false, false], colour: false)
        table.fit(to: 60)
        let line = table.row(rows[0])
        #expect(line.count <= 60, "\(line.count): \(line)")
        #expect(line.hasSuffix("…"))
        #expect(line.hasPrefix("2026-11-24T10:00:00Z  alice"))
    }
}
