import AuditCore
import Testing

/// One second in nanoseconds.
private let s: Int64 = 1_000_000_000

@Suite("DurationParser")
struct DurationParserTests {
    @Test(
        "parse reads human durations to nanoseconds",
        arguments: [
            ("90s", 90 * s),
            ("15m", 900 * s),
            ("1h30m", 5_400 * s),
            ("7d", 604_800 * s),
            ("2w", 1_209_600 * s),
            ("500ms", 500_000_000),
            ("250us", 250_000),
            ("250µs", 250_000),
            ("42ns", 42),
            ("0s", 0),
            ("1d2h3m4s5ms", 93_784 * s + 5_000_000),
            ("1m1m", 120 * s),  // units may repeat; parts add up
            ("007m", 420 * s),
            // the largest whole number of days that fits in Int64 nanoseconds
            ("106751d", 9_223_286_400 * s),
        ] as [(String, Int64)])
    func parses(text: String, nanos: Int64) {
        #expect(DurationParser.parse(text) == nanos)
    }

    @Test(
        "parse rejects what is not a duration",
        arguments: [
            "1x",  // unknown unit
            "h",  // no number
            "10",  // no unit
            "",  // empty
            "1h30",  // trailing number without unit
            "1h 30m",  // space
            "1.5h",  // fractions are not durations
            "-5m",  // no sign
            "1H",  // units are lower case
            "5 m",
            "now",
            "9223372036854775808s",  // the number alone overflows Int64
            "99999999999999999999ns",
            "106752d",  // 106752 days in ns exceeds Int64.max
            "9223372036854775807h",  // multiplication overflows
            "106751d106751d",  // the sum overflows
        ])
    func rejects(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}
