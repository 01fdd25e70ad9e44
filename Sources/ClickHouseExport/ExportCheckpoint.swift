import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Where an export to ClickHouse stands, kept in a small text file that is replaced durably
/// (written, fsync'd, renamed, folder fsync'd: the store's ``FileHandle/replaceDurably(_:with:)``)
/// before and after every batch:
///
///     logq-clickhouse-checkpoint 1
///     target http://127.0.0.1:8123 logq.events
///     scope history verb=delete since=- until=-
///     id 3f9c0a7d12e45b80
///     done 1796487621776977427
///     pending 3f9c0a7d12e45b80-h1796487621776977428-1796487700000000000 10000 1796487700000000000 1796487621 1796487700
///
/// - `target`: the ClickHouse URL and table; `scope`: what is exported (a history query and
///   its bounds, or `live` for the store's arrival order). A checkpoint is used only by the
///   export it belongs to.
/// - `id`: random, made once, so tokens of two exports into one table never collide.
/// - `done`: the position after the last batch ClickHouse acknowledged (history: the time of
///   its last event, ns; live: a journal cursor), `-` before the first.
/// - `pending`: a batch sent (or about to be) and not known to be acknowledged: its token, its
///   rows, the position after it, and its first and last event second (to find it by the
///   table's partitions). After a crash the token is looked up in ClickHouse: all rows there →
///   the batch counts as done; none → it is sent again; some → an error (never guessed).
public struct ExportCheckpoint: Sendable, Equatable {
    public var target: String
    public var scope: String
    public var id: String
    public var done: String?
    public var pending: Pending?

    /// A batch in flight.
    public struct Pending: Sendable, Equatable {
        /// The value of `logq_batch` in each of its rows.
        public var token: String
        /// How many rows it has.
        public var rows: Int
        /// The position after it.
        public var end: String
        /// Its first and last event time, seconds since the epoch (UTC).
        public var firstSecond: Int64
        public var lastSecond: Int64

        public init(token: String, rows: Int, end: String, firstSecond: Int64, lastSecond: Int64) {
            self.token = token
            self.rows = rows
            self.end = end
            self.firstSecond = firstSecond
            self.lastSecond = lastSecond
        }
    }

    static let magic = "logq-clickhouse-checkpoint 1"

    public init(target: String, scope: String, id: String = ExportCheckpoint.randomID()) {
        self.target = target
        self.scope = scope
        self.id = id
    }

    /// 16 hex digits from the system's random source.
    public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The file's text.
    public var text: String {
        var lines = [Self.magic, "target \(target)", "scope \(scope)", "id \(id)", "done \(done ?? "-")"]
        if let pending {
            lines.append("pending \(pending.token) \(pending.rows) \(pending.end) \(pending.firstSecond) \(pending.lastSecond)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a checkpoint's text; throws naming `path`, the line and what was expected.
    public init(text: String, path: String) throws(ClickHouseError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.magic else {
            throw ClickHouseError.checkpoint(path, "line 1 is not '\(Self.magic)' (found '\(lines.first?.prefix(60) ?? "")')")
        }
        var values: [String: String] = [:]
        for (number, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let space = line.firstIndex(of: " ") else {
                throw ClickHouseError.checkpoint(path, "line \(number + 1) has no value: '\(line.prefix(60))'")
            }
            values[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        for key in ["target", "scope", "id", "done"] where values[key] == nil {
            throw ClickHouseError.checkpoint(path, "it has no '\(key)' line; expected target, scope, id and done")
        }
        target = values["target"]!
        scope = values["scope"]!
        id = values["id"]!
        done = values["done"] == "-" ? nil : values["done"]
        if let line = values["pending"] {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 5, let rows = Int(parts[1]), let first = Int64(parts[3]), let last = Int64(parts[4]) else {
                throw ClickHouseError.checkpoint(path, "its pending line '\(line.prefix(80))' is not 'TOKEN ROWS END FIRST LAST'")
            }
            pending = Pending(token: parts[0], rows: rows, end: parts[2], firstSecond: first, lastSecond: last)
        }
    }

    /// The checkpoint at `path`; nil when there is no file.
    public static func load(_ path: String) throws(ClickHouseError) -> ExportCheckpoint? {
        guard FileHandle.exists(path) else { return nil }
        let bytes: [UInt8]
        do {
            let file = try FileHandle.openForReading(path)
            defer { file.close() }
            let size = try file.size()
            guard size <= 1 << 20 else { throw ClickHouseError.checkpoint(path, "it has \(size) bytes; a checkpoint has a few hundred") }
            var buffer: [UInt8] = []
            try file.read(into: &buffer, count: size, at: 0)
            bytes = buffer
        } catch let error as ClickHouseError {
            throw error
        } catch {
            throw ClickHouseError.checkpoint(path, "\(error)")
        }
        return try ExportCheckpoint(text: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Replaces the file at `path` with this checkpoint, durably.
    public func save(_ path: String) throws(ClickHouseError) {
        do {
            try FileHandle.replaceDurably(path, with: Array(text.utf8))
        } catch {
            throw ClickHouseError.checkpoint(path, "\(error)")
        }
    }
}
