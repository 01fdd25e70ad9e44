import AuditCore
import Testing

@testable import LogQuery

/// Pipes run over the fixture store. Every expected answer was counted from the fixture files
/// with Python's json module (see FixtureStore).
@Suite("Pipe evaluation on the fixtures")
struct PipeEvaluationTests {
    let store = FixtureStore.shared

    @Test("top N keeps the most frequent values, most frequent first")
    func top() throws {
        let table = try store.table("source=k8s-audit verb=delete | top 2 user.username")
        #expect(table.columns == ["count", "user.username"])
        #expect(table.rows == [
            ["6", "system:serviceaccount:kube-system:generic-garbage-collector"],
            ["5", "arn:aws:iam::111122223333:role/Deployer"],
        ])
    }

    @Test("count by a JSON path groups absent values as empty")
    func countByPath() throws {
        let table = try store.table("source=cloudtrail | count by errorCode")
        #expect(table.rows == [["128", ""], ["4", "AccessDenied"], ["1", "Client.UnauthorizedOperation"]])
    }

    @Test("stats computes count, avg, percentiles by nearest rank, max and distinct values")
    func stats() throws {
        let table = try store.table(
            "source=k8s-audit | stats count() avg(responseStatus.code) p50(responseStatus.code) p99(responseStatus.code) max(responseStatus.code) uniq(user.username)")
        #expect(table.columns == [
            "count()", "avg(responseStatus.code)", "p50(responseStatus.code)", "p99(responseStatus.code)",
            "max(responseStatus.code)", "uniq(user.username)",
        ])
        #expect(table.rows == [["300", "206.297", "200", "409", "409", "15"]])
    }

    @Test("stats by a field gives one row per group, in key order")
    func statsBy() throws {
        let table = try store.table(
            "source=k8s-audit verb=create,delete | stats count() avg(responseStatus.code) p90(responseStatus.code) min(responseStatus.code) uniq(user.username) by verb")
        #expect(table.columns.first == "verb")
        #expect(table.rows == [
            ["create", "11", "219.909", "201", "201", "4"],
            ["delete", "24", "225.458", "403", "200", "7"],
        ])
    }

    @Test("count every 1h buckets by the hour, buckets in time order")
    func countEvery() throws {
        let table = try store.table("| count by source every 1h")
        #expect(table.columns == ["time", "count", "source"])
        #expect(table.rows == [
            ["2026-11-24T10:00:00Z", "152", "k8s-audit"], ["2026-11-24T10:00:00Z", "82", "cloudtrail"],
            ["2026-11-24T11:00:00Z", "148", "k8s-audit"], ["2026-11-24T11:00:00Z", "51", "cloudtrail"],
        ])
        let stats = try store.table("verb=delete source=k8s-audit | stats count() every 1h")
        #expect(stats.rows == [["2026-11-24T10:00:00Z", "12"], ["2026-11-24T11:00:00Z", "12"]])
    }

    @Test("sort, head, tail and fields reshape an aggregate's table")
    func tablePipes() throws {
        let sorted = try store.table("source=cloudtrail | count by eventName | sort by eventName | head 3")
        #expect(sorted.rows == [["22", "AssumeRole"], ["1", "CreateBucket"], ["2", "DeleteBucket"]])
        let byCount = try store.table("source=k8s-audit | count by verb | sort by count | fields verb count | tail 2")
        #expect(byCount.columns == ["verb", "count"])
        #expect(byCount.rows == [["get", "79"], ["update", "96"]])
        let desc = try store.table("source=k8s-audit | count by verb | sort by verb desc | head 1")
        #expect(desc.rows == [["26", "watch"]])
    }

    @Test("tail keeps the last events in time order")
    func tail() throws {
        let events = try store.run("source=k8s-audit | tail 2").events
        #expect(events.map { $0.fields[.id] } == ["7bb3447b-e9aa-444b-9dd4-3675ef145064", "083f64c3-1ce3-42f8-83f7-25feb99b2b5a"])
        let first = try store.run("source=k8s-audit | head 2").events
        #expect(first.map { $0.fields[.id] } == ["67814c1f-cc53-4e36-addc-3e13ab3b4d37", "2067bdac-88bd-43d1-b540-b30e039f3a25"])
    }

    @Test("sort by a field orders events, ties in time order; head after sort keeps the first N")
    func sortEvents() throws {
        let all = try store.run("source=k8s-audit verb=delete | sort by responseStatus.code desc").events
        #expect(all.count == 24)
        let codes = all.map { $0.fields[.code] }
        #expect(codes == codes.sorted(by: >))
        #expect(codes.prefix(3) == ["404", "404", "403"])
        // Within one code, time order.
        for (a, b) in zip(all, all.dropFirst()) where a.fields[.code] == b.fields[.code] { #expect(a.time <= b.time) }
        let head = try store.run("source=k8s-audit verb=delete | sort by responseStatus.code desc | head 3").events
        #expect(head.map { $0.fields[.id] } == all.prefix(3).map { $0.fields[.id] })
        let newest = try store.run("source=k8s-audit | sort by time desc | head 1").events
        #expect(newest.map { $0.fields[.id] } == ["083f64c3-1ce3-42f8-83f7-25feb99b2b5a"])
    }

    @Test("head before an aggregate counts only the first events")
    func headThenCount() throws {
        let table = try store.table("source=k8s-audit | head 5 | count")
        #expect(table.rows == [["5"]])
        let tailed = try store.table("source=k8s-audit | tail 3 | count by verb")
        #expect(tailed.rows.map { Int($0[0])! }.reduce(0, +) == 3)
    }

    @Test("unknown columns after an aggregate are parse errors that name the columns")
    func badColumn() throws {
        #expect(throws: QueryError.self) { try store.table("| count by verb | sort by user") }
        do {
            _ = try store.table("| count by verb | fields nosuch")
        } catch let error as QueryError {
            #expect(error.message == "expected one of the columns count, verb, found 'nosuch'")
            #expect(error.column == 26)
        }
    }

    @Test("an aggregate with no match gives a zero total and no groups")
    func empty() throws {
        #expect(try store.table("user=nobody | count").rows == [["0"]])
        #expect(try store.table("user=nobody | count by user").rows.isEmpty)
        #expect(try store.table("user=nobody | stats count() avg(code)").rows == [["0", ""]])
    }
}

@Suite("The time pseudo-field")
struct TimeFieldTests {
    @Test("fields time prints the event time with milliseconds; sort by time desc puts the newest first")
    func time() throws {
        let store = FixtureStore.shared
        let fields = try #require(try parse("| fields time id").get().pipes.first)
        guard case .fields(let f) = fields else { return }
        let events = try store.run("source=k8s-audit | sort by time desc | head 1").events
        #expect(events.count == 1)
        #expect(f.text(events[0]) == "2026-11-24T11:59:45.554Z\t083f64c3-1ce3-42f8-83f7-25feb99b2b5a")
        #expect(try store.count("source=k8s-audit time=2026-11-24T11:59:45.554Z") == 1)
    }
}
