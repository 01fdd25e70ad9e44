import CLibdeflate
import Foundation
import LogClient
import NIOCore
import NIOHTTP1

/// ClickHouse's HTTP interface (port 8123): statements, one-number queries, and gzip'd
/// `INSERT … FORMAT JSONEachRow` bodies, through logq's blocking HTTP client.
///
/// Every failure is a ``ClickHouseError`` naming the URL, with ClickHouse's own message.
public struct ClickHouseConnection: Sendable {
    /// The server as given: `http://127.0.0.1:8123`.
    public let url: String
    private let client: RemoteClient
    /// Settings sent with every request, as URL parameters.
    public var settings: [(String, String)]

    /// Settings of every insert: ISO times (18.16 reads them only with best_effort), and a
    /// `Distributed` table acknowledges only once every shard has its rows.
    public static let insertSettings = [("date_time_input_format", "best_effort"), ("insert_distributed_sync", "1")]

    public init(url: String, user: String? = nil, password: String? = nil) throws(ClickHouseError) {
        self.url = url
        do {
            client = try RemoteClient(url: url, token: nil, userAgent: "logq-export")
        } catch {
            throw ClickHouseError(.usage, "cannot use the ClickHouse URL \(url): pass http://HOST:8123 (\(error.message))")
        }
        settings = []
        if let user { settings.append(("user", user)) }
        if let password { settings.append(("password", password)) }
    }

    /// Runs a statement (CREATE, ALTER); throws ClickHouse's error.
    public func execute(_ sql: String) throws(ClickHouseError) {
        _ = try post(sql: sql, body: nil, doing: "run '\(sql.prefix(60))…'")
    }

    /// The first line of a query's answer in TabSeparated, e.g. a count or a version.
    public func value(_ sql: String) throws(ClickHouseError) -> String {
        let answer = try post(sql: sql + " FORMAT TabSeparated", body: nil, doing: "answer '\(sql.prefix(80))'")
        return String(answer.split(separator: "\n").first ?? "")
    }

    /// The server's version: `18.16.1`.
    public func version() throws(ClickHouseError) -> String { try value("SELECT version()") }

    /// Inserts a JSONEachRow body into `table`, gzip'd on the way (Content-Encoding: gzip), as
    /// the query `queryID` (so that a later run can see whether it still runs).
    public func insert(into table: ClickHouseTable, rows body: [UInt8], queryID: String? = nil) throws(ClickHouseError) {
        let compressed = Self.gzip(body)
        _ = try post(
            sql: "INSERT INTO \(table.qualified) FORMAT JSONEachRow", body: compressed,
            extra: Self.insertSettings + (queryID.map { [("query_id", $0)] } ?? []),
            headers: [("Content-Encoding", "gzip"), ("Content-Type", "application/x-ndjson")], doing: "insert into \(table.qualified)")
    }

    /// POSTs `sql` in the URL (and `body`, if any); the answer's text on 200, else an error.
    private func post(
        sql: String, body: [UInt8]?, extra: [(String, String)] = [], headers: [(String, String)] = [], doing what: String
    ) throws(ClickHouseError) -> String {
        let parameters = [("query", sql)] + settings + extra
        // Statements without a body go as the body (ClickHouse reads a POST body as the query's rest).
        let path = RemoteClient.path("/", body == nil ? settings + extra : parameters)
        var status = 0
        var answer: [UInt8] = []
        let exchange = RemoteExchange(
            onHead: { status = Int($0.status.code) },
            onBody: { buffer in
                var buffer = buffer
                if answer.count < 1 << 20 { answer += buffer.readBytes(length: buffer.readableBytes) ?? [] }
            })
        do {
            _ = try client.send(method: .POST, path: path, headers: headers, body: body ?? Array(sql.utf8), exchange: exchange)
        } catch {
            throw ClickHouseError.unreachable(url, Self.withoutLogqHint(error.message))
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard status == 200 else { throw ClickHouseError.rejected(url, status: status, doing: what, answer: text) }
        return text
    }

    /// The client's message without its hint about `logq serve`, which is not what runs there.
    static func withoutLogqHint(_ message: String) -> String {
        guard let range = message.range(of: " (is 'logq serve' running there?)") else { return message }
        return String(message[..<range.lowerBound])
    }

    /// `bytes` as one gzip member (libdeflate, level 1: a batch is sent once, fast beats small).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(1) else {
            preconditionFailure("libdeflate cannot allocate a compressor (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, bytes.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
            // libdeflate writes at most `bound` bytes into our buffer and returns how many.
            initialized = bytes.withUnsafeBytes { src in
                libdeflate_gzip_compress(compressor, src.baseAddress, src.count, out.baseAddress, bound)
            }
        }
    }
}
