import LogQuery
import Testing

/// since=/until= accept times without seconds and `now-D`.
@Suite("Time bound forms")
struct TimeBoundFormsTests {
    @Test(
        "minutes without seconds, and now minus a duration",
        arguments: [
            ("2026-11-23T12:30", Int64(1_795_437_000) * second),
            ("2026-11-23T12:30Z", Int64(1_795_437_000) * second),
            ("now-1h", fixedNow - 3_600 * second),
            ("now-30m", fixedNow - 1_800 * second),
        ] as [(String, Int64)])
    func forms(text: String, expected: Int64) throws {
        #expect(try TimeRange.parseBound(text, now: fixedNow, name: "since", column: 7) == expected)
        #expect(try parse("since=\(text)").get().timeRange.since == expected)
    }
}
