import AuditCore
import LogQuery
import Testing

@Suite("TimeRange")
struct TimeRangeTests {
    @Test("since is inclusive, until exclusive")
    func contains() {
        let range = TimeRange(since: 100, until: 200)
        #expect(!range.contains(99))
        #expect(range.contains(100))
        #expect(range.contains(199))
        #expect(!range.contains(200))
        #expect(TimeRange().contains(Int64.min))
        #expect(TimeRange().contains(Int64.max))
        #expect(TimeRange(since: 5).contains(Int64.max))
        #expect(!TimeRange(until: 5).contains(5))
        #expect(TimeRange(until: 5).contains(Int64.min))
    }

    @Test("closedRange is what to read: nil for everything, else since...until-1")
    func closedRange() {
        #expect(TimeRange().closedRange == nil)
        #expect(TimeRange(since: 100, until: 200).closedRange == 100...199)
        #expect(TimeRange(since: 100).closedRange == 100...Int64.max)
        #expect(TimeRange(until: 200).closedRange == Int64.min...199)
        #expect(TimeRange(until: Int64.min).closedRange == Int64.min...Int64.min)
        // an empty window still gives a valid (one-point) range
        #expect(TimeRange(since: 300, until: 200).closedRange == 300...300)
    }

    @Test("a window is empty when since is at or after until")
    func isEmpty() {
        #expect(TimeRange(since: 200, until: 200).isEmpty)
        #expect(TimeRange(since: 201, until: 200).isEmpty)
        #expect(!TimeRange(since: 199, until: 200).isEmpty)
        #expect(!TimeRange(since: 5).isEmpty)
        #expect(!TimeRange(until: 5).isEmpty)
        #expect(!TimeRange().isEmpty)
    }

    @Test(
        "parseBound reads durations back from now, times, dates and 'now'",
        arguments: [
            ("1h", 1_795_518_000 as Int64),  // now = 2026-11-24T12:00:00Z = 1795521600
            ("1h30m", 1_795_516_200),
            ("2w", 1_794_312_000),  // 2026-11-10T12:00:00Z
            ("2026-11-24T10:00:00Z", 1_795_514_400),
            ("2026-11-24T11:00:00+01:00", 1_795_514_400),
            ("2026-11-24", 1_795_478_400),
            ("now", 1_795_521_600),
        ] as [(String, Int64)])
    func parseBound(text: String, seconds: Int64) throws {
        #expect(try TimeRange.parseBound(text, now: fixedNow, name: "since", column: 7) == seconds * second)
    }

    @Test("parseBound keeps the fraction of a time")
    func fraction() throws {
        #expect(try TimeRange.parseBound("2026-11-24T10:00:00.25Z", now: fixedNow, name: "until", column: 1) == 1_795_514_400 * second + 250_000_000)
    }

    @Test("parseBound errors carry the column and the name", arguments: ["yesterday", "1x", "2026-13-01", "2026-11-2", ""])
    func parseBoundErrors(text: String) {
        do throws(QueryError) {
            let value = try TimeRange.parseBound(text, now: fixedNow, name: "until", column: 12)
            Issue.record("expected an error, got \(value)")
        } catch {
            #expect(error.column == 12)
            #expect(error.message == "expected a duration (30m, 1h, 7d, now-1h) or a time (2026-11-24T10:00:00Z, 2026-11-24T10:00) after 'until=', found '\(text)'")
        }
    }
}
