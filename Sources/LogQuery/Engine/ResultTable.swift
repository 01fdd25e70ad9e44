/// The result of an aggregation (`count`, `top`, `stats`): named columns of text cells, in
/// print order. Later pipes (`sort`, `head`, `tail`, `fields`) reshape it; the output
/// formats print it as an aligned table, CSV or JSON.
public struct ResultTable: Sendable, Equatable {
    /// Column names (`count`, `user`, `p99(latency)`).
    public var columns: [String]
    /// Per column: whether its cells are numbers (right-aligned, unquoted in JSON, sorted
    /// numerically).
    public var numeric: [Bool]
    /// The rows; each has one cell per column ("" for absent).
    public var rows: [[String]]

    public init(columns: [String], numeric: [Bool], rows: [[String]]) {
        self.columns = columns
        self.numeric = numeric
        self.rows = rows
    }

    /// The index of the column named `name`, or nil.
    public func column(named name: String) -> Int? {
        columns.firstIndex(of: name)
    }
}
