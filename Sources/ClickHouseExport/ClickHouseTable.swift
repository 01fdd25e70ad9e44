import AuditCore

/// The ClickHouse table logq exports into (docs/clickhouse.md): one row per event, the
/// normalized fields as typed columns, the original event, and the batch that carried it.
///
/// Partitioned by UTC day, ordered by (source, time). Works with ClickHouse 18.16 (Debian's),
/// which has no DateTime64 — hence `time` in whole seconds beside `time_ns` — and whose
/// LowCardinality is experimental (behind `allow_experimental_low_cardinality_type`), so the
/// low-cardinality columns are plain `String` there and `LowCardinality(String)` from 19.x on.
public struct ClickHouseTable: Sendable, Equatable {
    /// The database, `logq` in `logq.events`.
    public var database: String
    /// The table, `events` in `logq.events`.
    public var table: String

    /// Reads `db.table` (or `table`, in database `default`); both plain identifiers.
    public init(_ name: String) throws(ClickHouseError) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isIdentifier) else {
            throw ClickHouseError(.usage, "cannot use the table name '\(name)': pass DATABASE.TABLE of letters, digits and _, like logq.events")
        }
        database = parts.count == 2 ? parts[0] : "default"
        table = parts.last!
    }

    /// `db`.`table`, quoted for SQL.
    public var qualified: String { "`\(database)`.`\(table)`" }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }

    /// A column: its name and its ClickHouse type (`LC` marks LowCardinality(String) where supported).
    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        /// The normalized field it holds; nil for time, source, raw and the batch token.
        public var field: Field?
    }

    /// Fields whose values repeat a lot (verbs, namespaces, regions): LowCardinality from 19.x on.
    static let lowCardinality: Set<Field> = [
        .verb, .user, .agent, .resource, .ns, .subresource, .reason, .decision, .account, .region, .service, .event,
        .error, .cluster, .stage, .level, .actor, .severity, .location, .node, .kind, .timesource,
    ]

    /// Every column in order, with `lowCardinality` deciding the type of low-cardinality ones.
    public static func columns(lowCardinality: Bool) -> [Column] {
        let lc = lowCardinality ? "LowCardinality(String)" : "String"
        var out = [
            Column(name: "time", type: "DateTime('UTC')", field: nil),
            Column(name: "time_ns", type: "Int64", field: nil),
            Column(name: "source", type: lc, field: nil),
        ]
        for field in Field.allCases {
            let type: String
            switch field {
            case .code: type = "UInt16"
            case .latency: type = "Float64"
            default: type = Self.lowCardinality.contains(field) ? lc : "String"
            }
            out.append(Column(name: field.name, type: type, field: field))
        }
        out.append(Column(name: "raw", type: "String", field: nil))
        out.append(Column(name: "logq_batch", type: "String", field: nil))
        return out
    }

    /// `CREATE TABLE IF NOT EXISTS` of this table: MergeTree, by day, ordered by source and time.
    public func createStatement(lowCardinality: Bool) -> String {
        let columns = Self.columns(lowCardinality: lowCardinality).map { "    `\($0.name)` \($0.type)" }.joined(separator: ",\n")
        return """
            CREATE TABLE IF NOT EXISTS \(qualified) (
            \(columns)
            ) ENGINE = MergeTree
            PARTITION BY toYYYYMMDD(time)
            ORDER BY (source, time)
            """
    }

    /// `CREATE DATABASE IF NOT EXISTS` of the table's database.
    public var createDatabaseStatement: String { "CREATE DATABASE IF NOT EXISTS `\(database)`" }

    /// Whether a server of `version` (`18.16.1`, `24.8.4.13`) takes LowCardinality columns
    /// without an experimental setting: 19.0 and later.
    public static func supportsLowCardinality(version: String) -> Bool {
        (Int(version.split(separator: ".").first ?? "") ?? 0) >= 19
    }
}
