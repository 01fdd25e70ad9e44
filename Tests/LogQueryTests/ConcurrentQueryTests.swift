import AuditCore
import Dispatch
import SegmentStore
import Synchronization
import Testing

@testable import LogQuery

/// A parsed query is a value that many runs share at once (the server answers the same query
/// for several clients): its regular expressions must not keep per-match state of their own.
@Suite("Concurrent queries")
struct ConcurrentQueryTests {
    /// The ids a run of `query` returns, in order.
    static func ids(_ query: Query) throws -> [String] {
        var ids: [String] = []
        _ = try QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: FixtureStore.shared.directory))).run(
            query,
            onEvent: {
                ids.append($0.fields[.id])
                return true
            },
            onTable: { _ in })
        return ids
    }

    @Test(
        "one parsed regex query run from several threads at once gives each the serial answer",
        arguments: [
            #"uri~'^/api/v1/namespaces/[^/]+/(secrets|pods)'"#,
            #"user~'^system:(serviceaccount|node):' or event~'^(Get|List)'"#,
            #"uri!~'watch=(true|1)' verb~'^(get|list|delete)$'"#,
        ])
    func sharedQuery(text: String) throws {
        let query = try Query.parse(text, now: fixedNow)
        let expected = try Self.ids(query)
        #expect(!expected.isEmpty, "the query should match some fixture events")
        #expect(expected.count < 433, "the query should not match every fixture event")
        let runs = 8
        let results = Mutex<[[String]?]>(Array(repeating: nil, count: runs))
        DispatchQueue.concurrentPerform(iterations: runs) { k in
            // Each run itself scans on several threads: many threads match with one matcher.
            for _ in 0..<5 {
                let ids = (try? Self.ids(query)) ?? ["error"]
                results.withLock { all in
                    if all[k] == nil || all[k] == expected { all[k] = ids }
                }
            }
        }
        for (k, ids) in results.withLock({ $0 }).enumerated() {
            #expect(ids == expected, "run \(k) differs from the serial answer")
        }
    }

    @Test("one matcher matched from many threads at once answers as it does alone")
    func sharedMatcher() throws {
        let matcher = try RegexMatcher(#"^/api/v1/namespaces/([^/]+)/(secrets|configmaps)/(\w+)-(\d+)$"#)
        let subjects = (0..<4_000).map { k in
            k % 3 == 0 ? "/api/v1/namespaces/ns\(k)/secrets/db-\(k)" : "/api/v1/namespaces/ns\(k)/pods/web-\(k)x"
        }
        let expected = subjects.map { matcher.matches($0) }
        #expect(expected.filter { $0 }.count == 1_334)
        let threads = 8
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for round in 0..<10 {
                for k in subjects.indices where (k + t + round) % 2 == 0 {
                    if matcher.matches(subjects[k]) != expected[k] { mismatches.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }
}
