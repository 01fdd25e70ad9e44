import AuditCore
import Foundation
import Hummingbird
import HummingbirdTesting
import LogQuery
import Logging
import SegmentStore
import Testing
import TestSupport

@testable import LogServer

/// Payloads shaped as their senders send them.
enum Payloads {
    static func k8sEvents(_ count: Int, prefix: String = "a") -> [String] {
        (0..<count).map { k in
            EventBuilder.k8sLine(
                auditID: "\(prefix)-\(k)", verb: k % 7 == 0 ? "delete" : "get", user: "user-\(k % 5)", resource: "pods",
                namespace: "ns-\(k % 3)", name: "pod-\(k)", time: "2026-11-24T10:\(String(format: "%02d", k % 60)):00.000000Z")
        }
    }

    /// An `audit.k8s.io/v1` EventList as kube-apiserver's webhook backend posts it.
    static func eventList(_ items: [String]) -> [UInt8] {
        Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":["#.utf8)
            + Array(items.joined(separator: ",").utf8) + Array("]}".utf8)
    }

    static func records(_ count: Int, prefix: String = "ct") -> [String] {
        (0..<count).map { k in
            EventBuilder.cloudTrailRecord(eventID: "\(prefix)-\(k)", eventName: "DeleteObject", time: "2026-11-24T10:00:\(String(format: "%02d", k % 60))Z")
        }
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.write("body", bytes)
        let result = Shell.run("/bin/gzip", ["-c", path])
        return result.stdoutBytes
    }
}

/// A server on loopback over a fresh store, for one test.
struct TestServer {
    let dir = TemporaryDirectory()
    var directory: DataDirectory { DataDirectory(path: dir.path) }

    func run(
        options: ServerOptions = ServerOptions(), _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
    ) async throws {
        var options = options
        options.port = 0
        let writer = try StoreWriter(directory: directory)
        let logger = Logger(label: "test")
        let service = IngestService(writer: writer, limits: options.limits, logger: logger)
        let app = try LogServer.application(
            service: service, context: ServerContext(directory: directory, logger: logger), options: options)
        try await app.test(.live, body)
    }

    /// Every stored event's ID (auditID or eventID), in store order.
    func storedIDs() throws -> [String] {
        var ids: [String] = []
        let executor = QueryExecutor(reader: StoreReader(directory: directory))
        try executor.run(Query(filter: .all, timeRange: TimeRange(), pipes: []), parts: .fields) { event in
            ids.append(event.fields[.id])
            return true
        }
        return ids
    }
}

extension TestClientProtocol {
    func post(_ path: String, _ body: [UInt8], headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// The parsed ingest answer.
struct Answer: Decodable {
    struct Problem: Decodable {
        var index: Int?
        var path: String?
        var offset: Int
        var kind: String
        var reason: String
    }
    var stored: Int
    var duplicates: Int
    var rejected: Int
    var first_problem: Problem?

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(Answer.self, from: Data(String(buffer: response.body).utf8))
    }
}
extension ServerSuites {
    @Suite("Ingest routes")
    struct IngestRoutesTests {
        @Test("a webhook EventList of 400 is stored, and the same batch sent again is acknowledged as duplicates")
        func webhookRoundTrip() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let body = Payloads.eventList(Payloads.k8sEvents(400))
            try await server.run { client in
                let first = try await client.post("/v1/ingest/k8s-audit", body, headers: [.contentType: "application/json"])
                #expect(first.status == .ok)
                let a = try Answer(first)
                #expect(a.stored == 400 && a.duplicates == 0 && a.rejected == 0 && a.first_problem == nil)
                let again = try await client.post("/v1/ingest/k8s-audit", body, headers: [.contentType: "application/json"])
                #expect(again.status == .ok)
                let b = try Answer(again)
                #expect(b.stored == 0 && b.duplicates == 400)
            }
            let ids = try server.storedIDs()
            #expect(ids.count == 400)
            #expect(Set(ids) == Set((0..<400).map { "a-\($0)" }))
        }

        @Test("CloudTrail shapes: Records, a gzip body, an EventBridge event, NDJSON")
        func cloudTrailShapes() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let records = Payloads.records(30)
            let file = Array("{\"Records\":[\(records[0..<10].joined(separator: ","))]}".utf8)
            let gz = try Payloads.gzip(Array("{\"Records\":[\(records[10..<20].joined(separator: ","))]}".utf8))
            let bridge = Array(
                """
                {"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2026-11-24T10:00:20Z","region":"eu-west-1","resources":[],"detail":\(records[20])}
                """.utf8)
            let ndjson = Array(records[21..<30].joined(separator: "\n").utf8)
            try await server.run { client in
                let a = try await client.post("/v1/ingest/cloudtrail", file)
                #expect(a.status == .ok)
                #expect(try Answer(a).stored == 10)
                let b = try await client.post("/v1/ingest/cloudtrail", gz, headers: [.contentEncoding: "gzip"])
                #expect(b.status == .ok)
                #expect(try Answer(b).stored == 10)
                let c = try await client.post("/v1/ingest/cloudtrail", bridge)
                #expect(c.status == .ok)
                #expect(try Answer(c).stored == 1)
                let d = try await client.post("/v1/ingest", ndjson)
                #expect(d.status == .ok)
                #expect(try Answer(d).stored == 9)
            }
            #expect(Set(try server.storedIDs()) == Set((0..<30).map { "ct-\($0)" }))
        }

        @Test("a CloudWatch Logs subscription payload, base64 of gzip as Firehose delivers it, is decoded")
        func cloudWatchBase64Gzip() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let records = Payloads.records(3, prefix: "cw")
            let logEvents = records.enumerated().map { k, record in
                "{\"id\":\"\(k)\",\"timestamp\":1795946400000,\"message\":\(JSONAnswer.string(record))}"
            }
            let payload = """
                {"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs","logStream":"111122223333_CloudTrail_eu-west-1","subscriptionFilters":["f"],"logEvents":[\(logEvents.joined(separator: ","))]}
                """
            let base64 = Data(try Payloads.gzip(Array(payload.utf8))).base64EncodedString()
            try await server.run { client in
                let response = try await client.post("/v1/ingest/cloudtrail", Array(base64.utf8))
                #expect(response.status == .ok)
                #expect(try Answer(response).stored == 3)
            }
            #expect(Set(try server.storedIDs()) == ["cw-0", "cw-1", "cw-2"])
        }

        @Test("a batch with one bad event stores the rest and names the bad one by index and path")
        func oneBadEvent() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            var items = Payloads.k8sEvents(10, prefix: "m")
            items[6] = EventBuilder.k8sLine(
                auditID: "m-bad", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p", time: "yesterday")
            let body = Payloads.eventList(items)
            try await server.run { client in
                let response = try await client.post("/v1/ingest/k8s-audit", body)
                #expect(response.status == .ok)
                let answer = try Answer(response)
                #expect(answer.stored == 9)
                #expect(answer.rejected == 1)
                #expect(answer.first_problem?.index == 6)
                #expect(answer.first_problem?.path == "items[6]")
                #expect(answer.first_problem?.kind == "invalid_event")
            }
            #expect(try server.storedIDs().count == 9)
            let rejects = server.dir.path + "/" + FileNames.rejects
            #expect(FileManager.default.contents(atPath: rejects).map { String(decoding: $0, as: UTF8.self) }?.contains("POST /v1/ingest/k8s-audit") == true)
        }

        @Test("a malformed body answers 400 with the byte offset of the problem")
        func malformed() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            let text = #"{"kind":"EventList","items":[{"kind":"Event",}]}"#
            // The reader stops at the `}` where a member name was expected.
            let expected = Array(text.utf8).firstIndex(of: UInt8(ascii: "}"))!
            try await server.run { client in
                let response = try await client.post("/v1/ingest/k8s-audit", Array(text.utf8))
                #expect(response.status == .badRequest)
                let answer = try Answer(response)
                #expect(answer.stored == 0)
                #expect(answer.rejected == 1)
                #expect(answer.first_problem?.kind == "malformed_json")
                #expect(answer.first_problem?.offset == expected)
                let empty = try await client.post("/v1/ingest", [])
                #expect(empty.status == .badRequest)
                let notGzip = try await client.post("/v1/ingest", Array("hello".utf8), headers: [.contentEncoding: "gzip"])
                #expect(notGzip.status == .badRequest)
                #expect(String(buffer: notGzip.body).contains("cannot gunzip"))
            }
        }

        @Test("a body over the limit answers 413, before or after gunzip")
        func bodyLimit() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            var options = ServerOptions()
            options.limits.maxBodyBytes = 1 << 20
            let big = Payloads.eventList(Payloads.k8sEvents(2_500, prefix: "big"))
            #expect(big.count > 1 << 20)
            let gz = try Payloads.gzip(big)
            #expect(gz.count < 1 << 20)
            try await server.run(options: options) { client in
                let plain = try await client.post("/v1/ingest/k8s-audit", big)
                #expect(plain.status == .contentTooLarge)
                #expect(String(buffer: plain.body).contains("--max-body"))
                let packed = try await client.post("/v1/ingest/k8s-audit", gz, headers: [.contentEncoding: "gzip"])
                #expect(packed.status == .contentTooLarge)
            }
            #expect(try server.storedIDs().isEmpty)
        }

        @Test("8 clients posting at once: every acknowledged event is stored once")
        func concurrentClients() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            try await server.run { client in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for c in 0..<8 {
                        group.addTask {
                            var acked = 0
                            for batch in 0..<5 {
                                let body = Payloads.eventList(Payloads.k8sEvents(100, prefix: "c\(c)-b\(batch)"))
                                let response = try await client.post("/v1/ingest/k8s-audit", body)
                                if response.status == .ok { acked += try Answer(response).stored }
                            }
                            return acked
                        }
                    }
                    var total = 0
                    for try await acked in group { total += acked }
                    #expect(total == 4_000)
                }
            }
            let ids = try server.storedIDs()
            #expect(ids.count == 4_000)
            #expect(Set(ids).count == 4_000)
        }

        @Test("/readyz answers ready while the writer takes work")
        func ready() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            try await server.run { client in
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ready\n")
            }
        }
    }
}
