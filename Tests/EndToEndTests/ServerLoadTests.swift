import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `logq serve` under mixed load and at its limits, as clients see it over real HTTP:
/// posting, querying and tailing at once; the 503 + Retry-After of a full server, with nothing
/// lost and nothing twice once the refused batches are sent again.
@Suite(
    "logq serve under load and at its limits",
    .serialized,
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct ServerLoadTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// What the posting clients saw.
    final class Posted: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var acked: [String] = []
        private(set) var refusals: [HTTP.Response] = []
        private(set) var failures: [String] = []

        func ack(_ ids: [String]) { lock.withLock { acked += ids } }
        func refused(_ response: HTTP.Response) { lock.withLock { refusals.append(response) } }
        func failed(_ why: String) { lock.withLock { failures.append(why) } }
        var snapshot: (acked: [String], refusals: [HTTP.Response], failures: [String]) {
            lock.withLock { (acked, refusals, failures) }
        }
    }

    /// `clients` threads, each posting `batches` EventLists of `size` until each is answered
    /// 200; a 503 is recorded and the batch sent again shortly after (any other answer fails).
    static func post(port: Int, clients: Int, batches: Int, size: Int, tag: String, into posted: Posted) -> DispatchGroup {
        let group = DispatchGroup()
        for c in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for b in 0..<batches {
                    let prefix = "\(tag)-c\(c)-b\(b)"
                    let body = ServerIngestTests.eventList(prefix: prefix, count: size)
                    var attempts = 0
                    while true {
                        attempts += 1
                        guard let response = HTTP.request(port: port, path: "/v1/ingest/k8s-audit", body: body) else {
                            posted.failed("\(prefix): no answer")
                            return
                        }
                        if response.status == 200 {
                            posted.ack((0..<size).map { "\(prefix)-\($0)" })
                            break
                        }
                        guard response.status == 503, attempts < 2000 else {
                            posted.failed("\(prefix): \(response.status) \(response.body)")
                            return
                        }
                        posted.refused(response)
                        usleep(20_000)  // Retry-After says seconds; the test only checks that it is there
                    }
                }
            }
        }
        return group
    }

    /// Every stored k8s audit ID with how often it is stored.
    func storedCounts(_ data: String) -> [String: Int] {
        var stored: [String: Int] = [:]
        for id in ServerIngestTests.storedIDs(logq, data) { stored[id, default: 0] += 1 }
        return stored
    }

    @Test("8 clients post while 4 query and 2 tail: every acknowledged event is stored once and each tail saw each of its matches once")
    func mixedLoad() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let server = try ServerProcess(binary: logq, data: data, log: dir.path + "/serve.log")
        let url = "http://127.0.0.1:\(server.port)"
        // Two tails: everything, and one user's events (eventList gives users u0…u3).
        // The store is empty, so "all history, then live" is every event exactly once.
        let tailAll = try ServerQueryTests.Running(
            logq, ["--server", url, "-f", "-n", "1000000", "-o", "ndjson", "source=k8s-audit"], in: dir.path, name: "tail-all")
        let tailU1 = try ServerQueryTests.Running(
            logq, ["--server", url, "-f", "-n", "1000000", "-o", "ndjson", "user=u1"], in: dir.path, name: "tail-u1")
        defer {
            tailAll.stop(SIGKILL)
            tailU1.stop(SIGKILL)
        }

        // Four clients query while the load runs: every answer is 200, and no answer counts fewer
        // events than an earlier one (acknowledged commits stay visible).
        final class Querying: @unchecked Sendable {
            let lock = NSLock()
            var stop = false
            var problems: [String] = []
            var count = 0
        }
        let querying = Querying()
        let queries = DispatchGroup()
        for q in 0..<4 {
            queries.enter()
            Thread.detachNewThread {
                defer { queries.leave() }
                var last = 0
                while !querying.lock.withLock({ querying.stop }) {
                    let path = "/v1/query?q=" + (q % 2 == 0 ? "source%3Dk8s-audit%20%7C%20count" : "verb%3Ddelete%20%7C%20count") + "&format=csv"
                    guard let response = HTTP.request(port: server.port, method: "GET", path: path) else {
                        querying.lock.withLock { querying.problems.append("no answer") }
                        return
                    }
                    let lines = response.body.split(whereSeparator: \.isNewline)
                    let count = lines.count == 2 ? Int(lines[1]) : nil
                    querying.lock.withLock {
                        querying.count += 1
                        if response.status != 200 || count == nil { querying.problems.append("\(response.status): \(response.body.prefix(200))") }
                        if let count, count < last { querying.problems.append("count went back from \(last) to \(count)") }
                    }
                    last = max(last, count ?? 0)
                }
            }
        }

        let posted = Posted()
        Self.post(port: server.port, clients: 8, batches: 12, size: 100, tag: "mix", into: posted).wait()
        querying.lock.withLock { querying.stop = true }
        queries.wait()
        let (queryProblems, queryCount) = querying.lock.withLock { (querying.problems, querying.count) }
        let (acked, _, failures) = posted.snapshot
        #expect(failures.count == 0, "\(failures.prefix(3))")
        #expect(acked.count == 8 * 12 * 100)
        #expect(queryProblems.count == 0, "\(queryProblems.prefix(3))")
        #expect(queryCount >= 4, "the query clients ran \(queryCount) queries")

        // The tails catch up with the last commit, then each match appears exactly once.
        let expectU1 = Set(acked.filter { Int($0.split(separator: "-").last!)! % 4 == 1 })
        func ids(_ tail: ServerQueryTests.Running) -> [String] {
            tail.lines.compactMap { line in
                guard let range = line.range(of: #""auditID":""#) else { return nil }
                return String(line[range.upperBound...].prefix { $0 != "\"" })
            }
        }
        #expect(tailAll.wait(seconds: 60) { ids(tailAll).count >= acked.count }, "tail of all: \(ids(tailAll).count) of \(acked.count); \(tailAll.errors)")
        #expect(tailU1.wait(seconds: 60) { ids(tailU1).count >= expectU1.count }, "tail of u1: \(ids(tailU1).count) of \(expectU1.count); \(tailU1.errors)")
        usleep(300_000)  // anything extra would have arrived by now
        let seenAll = ids(tailAll), seenU1 = ids(tailU1)
        #expect(seenAll.count == acked.count && Set(seenAll) == Set(acked), "tail of all: \(seenAll.count) lines, \(Set(seenAll).count) distinct, \(acked.count) acknowledged")
        #expect(seenU1.count == expectU1.count && Set(seenU1) == expectU1, "tail of u1: \(seenU1.count) lines, \(Set(seenU1).count) distinct, \(expectU1.count) expected")

        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        let stored = storedCounts(data)
        #expect(acked.allSatisfy { stored[$0] == 1 }, "acknowledged but missing or repeated: \(acked.filter { stored[$0] != 1 }.prefix(5))")
        #expect(stored.count == acked.count)
    }

    @Test(
        "a full server answers 503 with Retry-After and says which limit; the batches sent again are stored once",
        arguments: [
            (["--max-ingest-requests", "1"], "too many ingest requests at once (at most 1, --max-ingest-requests)"),
            (["--max-queued-events", "1"], "the ingest queue is full (1 events wait for the disk)"),
        ])
    func fullServer(limit: [String], message: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let server = try ServerProcess(binary: logq, data: data, extra: limit, log: dir.path + "/serve.log")
        let posted = Posted()
        Self.post(port: server.port, clients: 8, batches: 8, size: 400, tag: "full", into: posted).wait()
        let (acked, refusals, failures) = posted.snapshot
        #expect(failures.count == 0, "\(failures.prefix(3))")
        #expect(acked.count == 8 * 8 * 400)
        #expect(!refusals.isEmpty, "8 clients against \(limit) were never refused")
        for refusal in refusals.prefix(20) {
            #expect(Int(refusal.headers["retry-after"] ?? "") ?? 0 >= 1, "Retry-After: \(refusal.headers)")
            #expect(refusal.body.contains(message) && refusal.body.contains("send again after"), "\(refusal.body)")
        }
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        let stored = storedCounts(data)
        #expect(stored.count == acked.count && acked.allSatisfy { stored[$0] == 1 }, "\(stored.count) stored for \(acked.count) acknowledged")
    }
}
