import AuditCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogQuery
import SegmentStore
import Testing
import TestSupport

@testable import LogServer

extension ServerSuites {
    /// `GET /` and `/ui/*` (the embedded page) and `format=ui` of `/v1/query`, on a real server
    /// on loopback. The page in a browser: EndToEndTests' BrowserTests.
    @Suite("Web UI routes")
    struct WebUIRoutesTests {
        static let tokens = "r-0123456789abcdef read\n"

        @Test("the page and every file it links are served without a token, typed, with an ETag that answers 304")
        func assets() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            var options = ServerOptions()
            options.tokens = try TokenFile(parsing: Self.tokens, path: "tokens")
            try await server.run(options: options) { client in
                let page = try await client.execute(uri: "/", method: .get)
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                let html = String(buffer: page.body)
                #expect(html.contains("id=\"q\""))
                // Every local file the page links is there, with its type.
                let linked = html.matches(of: /(?:src|href)="(\/ui\/[^"]+)"/).map { String($0.1) }
                #expect(Set(linked) == ["/ui/app.js", "/ui/style.css", "/ui/favicon.svg"])
                for path in linked {
                    let asset = try await client.execute(uri: path, method: .get)
                    #expect(asset.status == .ok, "\(path)")
                    #expect(asset.body.readableBytes > 100, "\(path)")
                    let type = asset.headers[.contentType] ?? ""
                    #expect(
                        path.hasSuffix(".js") ? type.hasPrefix("text/javascript") : path.hasSuffix(".css") ? type.hasPrefix("text/css") : type == "image/svg+xml",
                        "\(path): \(type)")
                    let etag = try #require(asset.headers[.eTag])
                    #expect(asset.headers[.cacheControl] == "no-cache")
                    let again = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: etag])
                    #expect(again.status == .notModified)
                    #expect(again.body.readableBytes == 0)
                    let stale = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "\"0\""])
                    #expect(stale.status == .ok)
                }
                let missing = try await client.execute(uri: "/ui/nope.js", method: .get)
                #expect(missing.status == .notFound)
                // The data stays behind the token.
                let query = try await client.execute(uri: "/v1/query?q=", method: .get)
                #expect(query.status == .unauthorized)
            }
        }

        /// The events and the table of `text` over the fixtures, as the CLI computes them.
        static func local(_ text: String) throws -> (events: [AuditEvent], table: ResultTable?) {
            let query = try Query.parse(text, now: 1_795_521_600_000_000_000)
            var events: [AuditEvent] = []
            var table: ResultTable?
            _ = try QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: QueryRouteTests.Fixtures.shared.directory))).run(
                query, printsRawOnly: false,
                onEvent: {
                    events.append($0)
                    return true
                },
                onTable: { table = $0 })
            return (events, table)
        }

        static func get(_ text: String, _ extra: [(String, String)] = []) async throws -> [String] {
            let (app, _) = QueryRouteTests.application(QueryRouteTests.Fixtures.shared.directory)
            let lines = LinesBox()
            try await app.test(.live) { client in
                let response = try await client.execute(
                    uri: QueryRouteTests.uri("/v1/query", [("q", text), ("format", "ui")] + extra), method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                lines.value = String(buffer: response.body).split(separator: "\n").map(String.init)
            }
            return lines.value
        }

        final class LinesBox: @unchecked Sendable { var value: [String] = [] }

        static func object(_ line: String) throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }

        @Test("format=ui: a columns line, then per event the CLI's cells, its normalized fields and its original", arguments: ["verb=delete", "source=cloudtrail code>=400"])
        func eventRows(text: String) async throws {
            let expected = try Self.local(text).events
            #expect(!expected.isEmpty)
            let lines = try await Self.get(text)
            #expect(lines.count == expected.count + 1)
            #expect(try Self.object(lines[0])["columns"] as? [String] == EventFormatter.columns)
            for (line, event) in zip(lines.dropFirst(), expected) {
                let row = try Self.object(line)
                #expect(row["cells"] as? [String] == EventFormatter.cells(event))
                #expect((row["t"] as? NSNumber)?.int64Value == event.time)
                #expect(row["source"] as? String == event.source.name)
                let fields = try #require(row["fields"] as? [String: String])
                #expect(fields["verb"] == event.fields[.verb] && fields["id"] == event.fields[.id])
                #expect(fields.count == Field.allCases.filter { !event.fields[$0].isEmpty }.count)
                // The original exactly as `-o ndjson` prints it.
                #expect(line.hasSuffix(",\"event\":" + String(decoding: EventFormatter.ndjson(event), as: UTF8.self) + "}"))
            }
            let limited = try await Self.get(text, [("limit", "3")])
            #expect(limited.count == 4)
        }

        @Test("format=ui of an aggregate: its columns, which are numbers, and one cells line per row")
        func tableRows() async throws {
            let text = "verb=delete | count by user"
            let table = try #require(try Self.local(text).table)
            let lines = try await Self.get(text)
            let head = try Self.object(lines[0])
            #expect(head["columns"] as? [String] == table.columns)
            #expect(head["numeric"] as? [Bool] == table.numeric)
            #expect(head["table"] as? Bool == true)
            #expect(try lines.dropFirst().map { try Self.object($0)["cells"] as? [String] } == table.rows)
        }
    }
}
