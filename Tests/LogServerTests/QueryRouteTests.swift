import AuditCore
import AuditIngest
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogQuery
import SegmentStore
import Synchronization
import Testing
import TestSupport

@testable import LogServer

/// `GET /v1/query` and `GET /v1/tail` on a real server on loopback, against a real store.
@Suite("Query and tail routes", .serialized)
struct QueryRouteTests {
    /// The k8s-audit and CloudTrail fixtures (433 events) in a store, once.
    final class Fixtures: @unchecked Sendable {
        static let shared = Fixtures()
        let temp = TemporaryDirectory("logq-query-routes")
        let directory: DataDirectory

        private init() {
            directory = DataDirectory(path: temp.path + "/data")
            do {
                let writer = try StoreWriter(directory: directory)
                let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
                try ingestor.ingest(paths: [TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"])
                try writer.close()
                precondition(ingestor.summary.stored == 433, "fixtures stored \(ingestor.summary.stored) events, expected 433")
            } catch {
                preconditionFailure("cannot ingest the fixtures: \(error)")
            }
        }
    }

    /// The bytes the CLI prints for `text` in `format` over `directory` (the same printer).
    static func local(_ text: String, format: OutputFormat, directory: DataDirectory) throws -> String {
        let query = try Query.parse(text, now: 1_795_521_600_000_000_000)
        var bytes: [UInt8] = []
        let projection = QueryRunner.projection(query)
        let printer = ResultPrinter(format: format, colour: false, projection: projection, write: { bytes += $0 })
        _ = try QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory))).run(
            query, printsRawOnly: [.raw, .ndjson, .json].contains(format) && projection == nil,
            onEvent: {
                printer.event($0)
                return true
            },
            onTable: { printer.table($0) })
        printer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    static func application(
        _ directory: DataDirectory, timeout: Duration? = nil, maxTails: Int = 4, heartbeat: Duration = .milliseconds(200)
    ) -> (Application<RouterResponder<BasicRequestContext>>, TailHub) {
        let router = Router()
        let hub = QueryRoutes.register(
            on: router, server: ServerContext(directory: directory, queryTimeout: timeout, maxTails: maxTails), heartbeat: heartbeat)
        return (Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))), hub)
    }

    static func uri(_ path: String, _ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return path + "?" + parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    // MARK: - /v1/query

    @Test(
        "the answer is byte for byte what the CLI prints, for queries with filters, regexes and pipes",
        arguments: [
            "verb=delete",
            "verb=delete | count by user",
            "code>=400 | fields time,user,code",
            #"uri~"^/api/v1/namespaces/[^/]+/secrets""#,
            "source=cloudtrail | top 3 event",
            "verb=create,update | stats count() by source",
        ], [OutputFormat.ndjson, .json, .csv, .text])
    func sameAsCLI(text: String, format: OutputFormat) async throws {
        let directory = Fixtures.shared.directory
        let expected = try Self.local(text, format: format, directory: directory)
        #expect(!expected.isEmpty && expected != "[]\n", "the query should match fixture events")
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: Self.uri("/v1/query", [("q", text), ("format", format.rawValue)]), method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == expected)
            let matched = response.trailerHeaders?[HTTPField.Name("Logq-Matched")!] ?? response.headers[HTTPField.Name("Logq-Matched")!]
            #expect(matched.flatMap { Int($0) } ?? 0 > 0)
        }
    }

    @Test("a large answer streams in many chunks and still equals the CLI's")
    func large() async throws {
        let directory = Fixtures.shared.directory
        let expected = try Self.local("", format: .ndjson, directory: directory)
        #expect(expected.utf8.count > QueryJob.chunkBytes, "the whole store should span several chunks")
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let response = try await client.execute(uri: "/v1/query?q=", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            #expect(String(buffer: response.body) == expected)
            #expect(response.trailerHeaders?[HTTPField.Name("Logq-Matched")!] == "433")
        }
    }

    @Test("a bad query answers 400 with the caret message and its column as JSON")
    func badQuery() async throws {
        let (app, _) = Self.application(Fixtures.shared.directory)
        try await app.test(.live) { client in
            let response = try await client.execute(uri: Self.uri("/v1/query", [("q", "verb=delete | count by")]), method: .get)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/json")
            let body = String(buffer: response.body)
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            #expect(json?["column"] as? Int == 21)
            let message = json?["error"] as? String ?? ""
            #expect(message.contains("verb=delete | count by\n"))
            #expect(message.contains("^\nerror at column 21: expected a field name after 'by'"))
        }
    }

    @Test(
        "bad parameters answer 400 naming the parameter",
        arguments: [
            ("/v1/query", "q="),
            ("/v1/query?q=verb%3Ddelete&format=xml", "unknown format 'xml'"),
            ("/v1/query?q=verb%3Ddelete&limit=-1", "limit=-1"),
            ("/v1/query?q=verb%3Ddelete&since=yesterdayish", "since=yesterdayish"),
        ])
    func badParameters(uri: String, expected: String) async throws {
        let (app, _) = Self.application(Fixtures.shared.directory)
        try await app.test(.live) { client in
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains(expected))
        }
    }

    @Test("limit=, since= and until= narrow the answer as the same query written in the CLI's language")
    func limitAndWindow() async throws {
        let directory = Fixtures.shared.directory
        let all = try Self.local("verb=get", format: .ndjson, directory: directory).split(separator: "\n")
        let windowed = try Self.local("verb=get since=2026-11-24T10:30:00Z until=2026-11-24T11:15:00Z", format: .ndjson, directory: directory)
        #expect(all.count > 10)
        #expect(!windowed.isEmpty && windowed.split(separator: "\n").count < all.count)
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let limited = try await client.execute(uri: "/v1/query?q=verb%3Dget&limit=7", method: .get)
            #expect(String(buffer: limited.body) == all.prefix(7).joined(separator: "\n") + "\n")
            let window = try await client.execute(
                uri: "/v1/query?q=verb%3Dget&since=2026-11-24T10:30:00Z&until=2026-11-24T11:15:00Z", method: .get)
            #expect(String(buffer: window.body) == windowed)
        }
    }

    @Test("a query past the server's time limit answers 504 with a clear message")
    func timeLimit() async throws {
        let (app, _) = Self.application(Fixtures.shared.directory, timeout: .nanoseconds(1))
        try await app.test(.live) { client in
            let response = try await client.execute(uri: "/v1/query?q=verb%3Ddelete", method: .get)
            #expect(response.status == .gatewayTimeout)
            #expect(String(buffer: response.body).contains("query time limit"))
        }
    }

    @Test("an answer computed over a damaged store says so in Logq-Warning, and keeps the good events")
    func damagedStore() async throws {
        let temp = TemporaryDirectory("logq-query-damaged")
        let directory = DataDirectory(path: temp.path + "/data")
        let writer = try StoreWriter(directory: directory)
        let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
        try ingestor.ingest(paths: [TestPaths.fixtures + "/k8s-audit"])
        try writer.close()
        let before = try Self.local("verb=get", format: .ndjson, directory: directory).split(separator: "\n").count
        // Flip a byte in the middle of one segment: a column of one block fails its CRC.
        let partitions = try FileManager.default.contentsOfDirectory(atPath: directory.partitionsPath).sorted()
        let segment = directory.partitionsPath + "/" + partitions[0] + "/000001.seg"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let response = try await client.execute(uri: "/v1/query?q=verb%3Dget", method: .get)
            #expect(response.status == .ok)
            let name = HTTPField.Name("Logq-Warning")!
            let warnings = (response.trailerHeaders?[values: name] ?? []) + response.headers[values: name]
            #expect(warnings.contains { $0.contains("checksum mismatch") && $0.contains(".seg") })
            let lines = String(buffer: response.body).split(separator: "\n").count
            #expect(lines > 0 && lines < before)
        }
    }

    // MARK: - /v1/tail

    /// A store with `count` events `e0`… committed now (one commit).
    static func append(_ directory: DataDirectory, ids: Range<Int>, verb: String = "delete", base: Int64 = 1_795_521_600_000_000_000) throws {
        let writer = try StoreWriter(directory: directory)
        for k in ids {
            var fields = FieldValues()
            fields[.verb] = verb
            fields[.id] = "e\(k)"
            fields[.stage] = "ResponseComplete"
            _ = try writer.append(
                AuditEvent(time: base + Int64(k) * 1_000_000, source: .k8sAudit, fields: fields, raw: Array(#"{"auditID":"e\#(k)"}"#.utf8)))
        }
        try writer.close()
    }

    /// The ids in SSE data lines, in order.
    static func ids(_ events: [(type: String, id: String?, data: [String])]) -> [String] {
        events.filter { $0.type.isEmpty }.flatMap(\.data).map { line in
            String(line.split(separator: "\"")[3])
        }
    }

    @Test("a tail sends each event committed after it subscribed once, one SSE event per commit with its cursor as id")
    func tailLive() async throws {
        let temp = TemporaryDirectory("logq-tail")
        let directory = DataDirectory(path: temp.path + "/data")
        try Self.append(directory, ids: 0..<5)
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let port = client.port!
            let stream = try await offload {
                try LoopbackStream(
                    port: port, target: "/v1/tail?q=verb%3Ddelete&n=2", headers: ["Accept": "text/event-stream"])
            }
            // History (the last 2) after the start cursor.
            let started = try await offload { stream.read(seconds: 10) { QueryRouteTests.ids(serverSentEvents($0.body)).count >= 2 } }
            #expect(started)
            #expect(stream.status == 200)
            #expect(stream.head.lowercased().contains("content-type: text/event-stream"))
            try Self.append(directory, ids: 5..<8)
            try Self.append(directory, ids: 8..<9, verb: "get")
            try Self.append(directory, ids: 9..<12)
            let arrived = try await offload { stream.read(seconds: 10) { QueryRouteTests.ids(serverSentEvents($0.body)).count >= 8 } }
            #expect(arrived)
            // Keep-alives keep coming and nothing more.
            _ = try await offload { stream.read(seconds: 0.6) { _ in false } }
            let events = serverSentEvents(stream.body)
            #expect(Self.ids(events) == ["e3", "e4", "e5", "e6", "e7", "e9", "e10", "e11"])
            let live = events.filter { $0.type.isEmpty }.dropFirst()
            #expect(live.map(\.data.count) == [3, 3], "one event per commit record")
            #expect(live.map(\.id) == ["3", "5"].map(Optional.some), "the id is the cursor after the record")
            #expect(String(decoding: stream.body, as: UTF8.self).contains(": keep-alive\n\n"))
            stream.disconnect()
        }
    }

    @Test("a tail dropped and resumed by Last-Event-ID, or by cursor=, gives the exact union: nothing missing, nothing twice")
    func tailResume() async throws {
        let temp = TemporaryDirectory("logq-tail-resume")
        let directory = DataDirectory(path: temp.path + "/data")
        try Self.append(directory, ids: 0..<3)
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let port = client.port!
            let first = try await offload {
                try LoopbackStream(port: port, target: "/v1/tail?q=verb%3Ddelete", headers: ["Accept": "text/event-stream"])
            }
            #expect(try await offload { first.read(seconds: 10) { serverSentEvents($0.body).count >= 1 } })
            try Self.append(directory, ids: 3..<6)
            try Self.append(directory, ids: 6..<9)
            #expect(try await offload { first.read(seconds: 10) { QueryRouteTests.ids(serverSentEvents($0.body)).count >= 6 } })
            first.disconnect()
            let seen = Self.ids(serverSentEvents(first.body))
            let lastID = serverSentEvents(first.body).compactMap(\.id).last!
            // Written while no one listens.
            try Self.append(directory, ids: 9..<12)
            let second = try await offload {
                try LoopbackStream(
                    port: port, target: "/v1/tail?q=verb%3Ddelete", headers: ["Accept": "text/event-stream", "Last-Event-ID": lastID])
            }
            try Self.append(directory, ids: 12..<14)
            #expect(try await offload { second.read(seconds: 10) { QueryRouteTests.ids(serverSentEvents($0.body)).count >= 5 } })
            let resumed = Self.ids(serverSentEvents(second.body))
            #expect(seen + resumed == (3..<14).map { "e\($0)" })
            // cursor= does the same, here from the very start of the journal.
            let third = try await offload {
                try LoopbackStream(port: port, target: "/v1/tail?q=verb%3Ddelete&cursor=1", headers: ["Accept": "text/event-stream"])
            }
            #expect(try await offload { third.read(seconds: 10) { QueryRouteTests.ids(serverSentEvents($0.body)).count >= 14 } })
            #expect(Self.ids(serverSentEvents(third.body)) == (0..<14).map { "e\($0)" })
            second.disconnect()
            third.disconnect()
        }
    }

    @Test("a tail is NDJSON by default, with blank keep-alive lines")
    func tailNDJSON() async throws {
        let temp = TemporaryDirectory("logq-tail-ndjson")
        let directory = DataDirectory(path: temp.path + "/data")
        try Self.append(directory, ids: 0..<2)
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let port = client.port!
            let stream = try await offload { try LoopbackStream(port: port, target: "/v1/tail?q=&n=1") }
            #expect(try await offload { stream.read(seconds: 10) { String(decoding: $0.body, as: UTF8.self).contains("e1") } })
            try Self.append(directory, ids: 2..<3)
            #expect(try await offload { stream.read(seconds: 10) { String(decoding: $0.body, as: UTF8.self).contains("e2") } })
            _ = try await offload { stream.read(seconds: 0.5) { _ in false } }
            #expect(stream.head.lowercased().contains("content-type: application/x-ndjson"))
            let lines = String(decoding: stream.body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines == [#"{"auditID":"e1"}"#, #"{"auditID":"e2"}"#])
            #expect(String(decoding: stream.body, as: UTF8.self).hasSuffix("\n\n"))
            stream.disconnect()
        }
    }

    @Test("tails beyond the server's cap answer 503 with Retry-After; a disconnected tail frees its place")
    func tailCap() async throws {
        let temp = TemporaryDirectory("logq-tail-cap")
        let directory = DataDirectory(path: temp.path + "/data")
        try Self.append(directory, ids: 0..<1)
        let (app, hub) = Self.application(directory, maxTails: 2, heartbeat: .milliseconds(100))
        try await app.test(.live) { client in
            let port = client.port!
            let a = try await offload { try LoopbackStream(port: port, target: "/v1/tail?q=") }
            let b = try await offload { try LoopbackStream(port: port, target: "/v1/tail?q=") }
            #expect(try await offload { a.read(seconds: 5) { $0.status == 200 } })
            #expect(try await offload { b.read(seconds: 5) { $0.status == 200 } })
            #expect(hub.count == 2)
            let refused = try await client.execute(uri: "/v1/tail?q=", method: .get)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] != nil)
            #expect(String(buffer: refused.body).contains("2 are open"))
            a.disconnect()
            // Freed at the next keep-alive that cannot be written.
            let freed = try await offload {
                let deadline = LoopbackStream.now() + 10
                while hub.count > 1 && LoopbackStream.now() < deadline { usleep(20_000) }
                return hub.count
            }
            #expect(freed == 1)
            let c = try await offload { try LoopbackStream(port: port, target: "/v1/tail?q=") }
            #expect(try await offload { c.read(seconds: 5) { $0.status == 200 } })
            b.disconnect()
            c.disconnect()
        }
    }

    @Test("a windowed count tailed over HTTP sends each window's table when it closes, and a late event as a late row")
    func tailWindows() async throws {
        let temp = TemporaryDirectory("logq-tail-windows")
        let directory = DataDirectory(path: temp.path + "/data")
        try Self.append(directory, ids: 0..<3)
        let (app, _) = Self.application(directory)
        try await app.test(.live) { client in
            let port = client.port!
            let target = Self.uri("/v1/tail", [("q", "| count by verb every 1h"), ("format", "csv"), ("grace", "0s")])
            // Server-sent events: the first (the start cursor) says the tail has taken its start.
            let stream = try await offload { try LoopbackStream(port: port, target: target, headers: ["Accept": "text/event-stream"]) }
            #expect(try await offload { stream.read(seconds: 10) { String(decoding: $0.body, as: UTF8.self).contains("event: cursor") } })
            // Events of two hours ago: their window closed, so it is sent as soon as they are read.
            let hourNanos: Int64 = 3_600_000_000_000
            let base = (Int64(Date().timeIntervalSince1970 * 1e9) / hourNanos - 2) * hourNanos
            try Self.append(directory, ids: 3..<8, base: base)
            try Self.append(directory, ids: 8..<10, verb: "get", base: base)
            let text = {
                String(decoding: stream.body, as: UTF8.self).split(whereSeparator: \.isNewline).filter { $0.hasPrefix("data: ") }
                    .map { $0.dropFirst(6) }.filter { $0.contains(",") }.joined(separator: "\n")  // (cursor events carry only a number)
            }
            #expect(try await offload { stream.read(seconds: 10) { String(decoding: $0.body, as: UTF8.self).contains(",get") } })
            let hour = Timestamp.format(base).prefix(13) + ":00:00Z"
            // CSV lines end in CRLF (one Character to Swift).
            let rows = text().split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("time,") }
            // One table per commit read (5 deletes, then 2 gets as a late row), or one for both: the counts add up.
            let deletes = rows.filter { $0.hasSuffix(",delete") }.compactMap { Int($0.split(separator: ",")[1]) }.reduce(0, +)
            let gets = rows.filter { $0.hasSuffix(",get") }.compactMap { Int($0.split(separator: ",")[1]) }.reduce(0, +)
            #expect(deletes == 5 && gets == 2, "\(text())")
            #expect(rows.allSatisfy { $0.hasPrefix(hour) }, "\(rows)")
            #expect(text().hasPrefix("time,count,verb"))
            // A later event of the window already sent: a late row.
            try Self.append(directory, ids: 10..<11, base: base)
            #expect(try await offload { stream.read(seconds: 10) { String(decoding: $0.body, as: UTF8.self).contains(",1,delete") } })
            #expect(text().contains("\(hour) (late),1,delete"), "\(text())")
            stream.disconnect()
            let badGrace = try await client.execute(uri: Self.uri("/v1/tail", [("q", "| count every 1m"), ("grace", "soon")]), method: .get)
            #expect(badGrace.status == .badRequest)
            #expect(String(buffer: badGrace.body).contains("grace=soon"))
        }
    }

    @Test("a tail of a query that cannot run live answers 400 with the message")
    func tailBadQuery() async throws {
        let (app, _) = Self.application(Fixtures.shared.directory)
        try await app.test(.live) { client in
            let sorted = try await client.execute(uri: Self.uri("/v1/tail", [("q", "verb=delete | sort by user")]), method: .get)
            #expect(sorted.status == .badRequest)
            #expect(String(buffer: sorted.body).contains("cannot run live"))
            let cursor = try await client.execute(uri: "/v1/tail?q=&cursor=abc", method: .get)
            #expect(cursor.status == .badRequest)
            #expect(String(buffer: cursor.body).contains("cannot resume at 'abc'"))
        }
    }
}
