import AuditCore
import Testing
import TestSupport

/// Expected values were computed independently with `date -u -d TIME +%s`.
@Suite("Timestamp")
struct TimestampTests {
    static let second: Int64 = 1_000_000_000

    // MARK: parse

    @Test(
        "parse reads RFC 3339, offsets, a space separator and the basic form",
        arguments: [
            // 2024-12-13T05:28:39Z = 1734067719
            ("2024-12-13T05:28:39.999903Z", 1_734_067_719_999_903_000 as Int64),
            ("2024-12-13T05:28:39Z", 1_734_067_719_000_000_000),
            ("2024-12-13t05:28:39z", 1_734_067_719_000_000_000),
            ("2024-12-13T05:28:39,25Z", 1_734_067_719_250_000_000),
            // +02:00 means 03:28:39Z = 1734060519
            ("2024-12-13T05:28:39+02:00", 1_734_060_519_000_000_000),
            ("2024-12-13T05:28:39.5+0200", 1_734_060_519_500_000_000),
            // -05:30 means 10:58:39Z = 1734087519
            ("2024-12-13T05:28:39-05:30", 1_734_087_519_000_000_000),
            // the widest offset: +23:59 means 2024-12-12T05:29:39Z = 1733981379
            ("2024-12-13T05:28:39+23:59", 1_733_981_379_000_000_000),
            // no zone: UTC; 2025-02-19T20:13:49Z = 1739996029
            ("2025-02-19 20:13:49.38", 1_739_996_029_380_000_000),
            ("2025-02-19T20:13:49", 1_739_996_029_000_000_000),
            // basic form; 2013-11-02T01:06:28Z = 1383354388
            ("20131102T010628Z", 1_383_354_388_000_000_000),
            // the epoch, and digits past nanoseconds are dropped
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T00:00:00.123456789123Z", 123_456_789),
            // before 1970
            ("1969-12-31T23:59:59.5Z", -500_000_000),
            ("1900-03-01T00:00:00Z", -2_203_891_200_000_000_000),
            // a leap day
            ("2000-02-29T00:00:00Z", 951_782_400_000_000_000),
            // a leap second reads as the next second (2017-01-01T00:00:00Z = 1483228800)
            ("2016-12-31T23:59:60Z", 1_483_228_800_000_000_000),
        ] as [(String, Int64)])
    func parsesValidTimes(text: String, nanos: Int64) {
        #expect(Timestamp.parse(text) == nanos)
    }

    @Test(
        "parse rejects what is not a time",
        arguments: [
            "",
            "...",
            "redacted",
            "2024-13-01T00:00:00Z",  // month 13
            "2024-00-10T00:00:00Z",  // month 0
            "2024-12-00T00:00:00Z",  // day 0
            "2024-12-32T00:00:00Z",  // day 32
            "2024-12-13T24:00:00Z",  // hour 24
            "2024-12-13T05:60:00Z",  // minute 60
            "2024-12-13T05:28:61Z",  // second 61
            "2024-12-13T05:28:39Zjunk",  // trailing garbage
            "2024-12-13T05:28:39 ",  // trailing space
            "2024-12-13T05:28:39+02:00x",
            "2024-12-13",  // a date alone
            "2024-12-13T05:28",  // no seconds
            "2024-12-13T05:28:39.Z",  // a dot without digits
            "2024-12-13T05:28:39+02",  // offset without minutes
            "2024-12-13T05:28:39+99:99",  // offset past ±23:59
            "2024-12-13T05:28:39+24:00",
            "2024-12-13T05:28:39-23:60",
            "2024-12-13X05:28:39Z",  // bad separator
            "2024/12/13T05:28:39Z",
            "20241213T05:28:39Z",  // basic date with extended time
            "2024-1213T052839Z",  // mixed forms
            "12-13T05:28:39Z",
            "2024-02-30T00:00:00Z",  // no such day
            "2023-02-29T00:00:00Z",  // not a leap year
            "2024-04-31T00:00:00Z",
            "9999-12-31T23:59:59Z",  // past what ns since 1970 fit in an Int64 (2262-04-11)
            "2262-04-12T00:00:00Z",
            "1600-01-01T00:00:00Z",  // before 1677-09-21
        ])
    func rejectsNonTimes(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("parse of a buffer reads exactly the bytes given")
    func parsesBuffer() {
        let bytes = Array("2024-12-13T05:28:39Z".utf8)
        let value = bytes.withUnsafeBufferPointer { Timestamp.parse($0) }
        #expect(value == 1_734_067_719_000_000_000)
        let prefix = bytes.withUnsafeBufferPointer { Timestamp.parse(UnsafeBufferPointer(rebasing: $0[0..<10])) }
        #expect(prefix == nil)
    }

    // MARK: format

    @Test(
        "format writes UTC with the requested fraction digits (truncated, not rounded)",
        arguments: [
            (1_734_067_719_999_903_000 as Int64, 6, "2024-12-13T05:28:39.999903Z"),
            (1_734_067_719_999_903_000, 3, "2024-12-13T05:28:39.999Z"),
            (1_734_067_719_999_903_000, 9, "2024-12-13T05:28:39.999903000Z"),
            (1_734_067_719_999_903_000, 0, "2024-12-13T05:28:39Z"),
            (1_734_067_719_999_903_000, 12, "2024-12-13T05:28:39.999903000Z"),
            (0, 3, "1970-01-01T00:00:00.000Z"),
            (-1, 9, "1969-12-31T23:59:59.999999999Z"),
            (-1, 0, "1969-12-31T23:59:59Z"),
            // 2000-02-29 = 951782400, plus 01:02:03
            (951_782_400_000_000_000 + 3_723_000_000_000, 0, "2000-02-29T01:02:03Z"),
            (-2_203_891_200_000_000_000, 1, "1900-03-01T00:00:00.0Z"),
        ] as [(Int64, Int, String)])
    func formats(nanos: Int64, digits: Int, text: String) {
        #expect(Timestamp.format(nanos, fractionDigits: digits) == text)
    }

    @Test("format uses 3 fraction digits by default")
    func formatDefault() {
        #expect(Timestamp.format(1_734_067_719_999_903_000) == "2024-12-13T05:28:39.999Z")
    }

    @Test("format with 9 digits then parse gives back the same time, for 2,000 seeded random times 1900–2200")
    func formatParseRoundTrip() {
        var rng = SeededGenerator(seed: 0x5EED_0001)
        // 1900-01-01 = -2208988800, 2200-01-01 = 7258118400
        let lower: Int64 = -2_208_988_800 * Self.second
        let upper: Int64 = 7_258_118_400 * Self.second
        var failures: [String] = []
        for _ in 0..<2_000 {
            let t = Int64.random(in: lower..<upper, using: &rng)
            let text = Timestamp.format(t, fractionDigits: 9)
            // YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ
            if text.count != 30 || !text.hasSuffix("Z") { failures.append("shape \(t): \(text)") }
            if Timestamp.parse(text) != t { failures.append("\(t) -> \(text) -> \(String(describing: Timestamp.parse(text)))") }
            // Whole seconds: the fraction is dropped, flooring towards the past.
            let floored = t - ((t % Self.second) + Self.second) % Self.second
            if Timestamp.parse(Timestamp.format(t, fractionDigits: 0)) != floored { failures.append("floor \(t)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    // MARK: hour names

    @Test(
        "hourName is the UTC hour holding a time",
        arguments: [
            // 2026-11-24T12:00:00Z = 1795521600
            (1_795_521_600_000_000_000 as Int64, "2026-11-24T12"),
            (1_795_521_600_000_000_000 + 3_599_999_999_999, "2026-11-24T12"),
            (1_795_521_600_000_000_000 + 3_600_000_000_000, "2026-11-24T13"),
            (1_795_521_600_000_000_000 - 1, "2026-11-24T11"),
            (-1, "1969-12-31T23"),
            (0, "1970-01-01T00"),
        ] as [(Int64, String)])
    func hourNames(nanos: Int64, name: String) {
        #expect(Timestamp.hourName(nanos) == name)
    }

    @Test("parseHourName gives the start of the hour")
    func parsesHourNames() {
        #expect(Timestamp.parseHourName("2026-11-24T12") == 1_795_521_600_000_000_000)
        #expect(Timestamp.parseHourName("1969-12-31T23") == -3_600_000_000_000)
        #expect(Timestamp.parseHourName("1970-01-01T00") == 0)
    }

    @Test(
        "parseHourName rejects other names",
        arguments: ["", "2026-11-24", "2026-11-24T24", "2026-11-24T1x", "2026-11-24T12:00", "2026-11-24 12x", "partitions", "LOCK"])
    func rejectsHourNames(name: String) {
        #expect(Timestamp.parseHourName(name) == nil)
    }

    @Test("hourName and parseHourName agree for seeded random times")
    func hourNameRoundTrip() {
        var rng = SeededGenerator(seed: 42)
        var failures: [Int64] = []
        for _ in 0..<1_000 {
            let t = Int64.random(in: -2_208_988_800 * Self.second..<7_258_118_400 * Self.second, using: &rng)
            guard let start = Timestamp.parseHourName(Timestamp.hourName(t)) else {
                failures.append(t)
                continue
            }
            if !(start <= t && t < start + Timestamp.nanosPerHour) || start % Timestamp.nanosPerHour != 0 { failures.append(t) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    // MARK: civil calendar

    @Test(
        "daysFromCivil of known dates",
        arguments: [
            (1970, 1, 1, 0),
            (1970, 1, 2, 1),
            (1969, 12, 31, -1),
            (2000, 2, 29, 11_016),  // 951782400 / 86400
            (2000, 3, 1, 11_017),
            (1900, 3, 1, -25_508),  // -2203891200 / 86400
            (1900, 2, 28, -25_509),  // 1900 is not a leap year
            (1600, 2, 29, -135_081),  // -11670998400 / 86400
            (2026, 11, 24, 20_781),  // 1795478400 / 86400
        ])
    func knownDays(year: Int, month: Int, day: Int, days: Int) {
        #expect(Timestamp.daysFromCivil(year: year, month: month, day: day) == days)
        let civil = Timestamp.civilFromDays(days)
        #expect(civil.year == year && civil.month == month && civil.day == day)
    }

    /// An independent calendar: walks day by day with the Gregorian leap rule.
    struct Civil: Equatable {
        var year: Int
        var month: Int
        var day: Int

        static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

        static func length(_ y: Int, _ m: Int) -> Int {
            switch m {
            case 2: isLeap(y) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        mutating func next() {
            day += 1
            if day > Civil.length(year, month) {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
        }

        mutating func previous() {
            day -= 1
            if day < 1 {
                month -= 1
                if month < 1 {
                    month = 12
                    year -= 1
                }
                day = Civil.length(year, month)
            }
        }
    }

    @Test("daysFromCivil and civilFromDays match a day-by-day calendar from 1422 to 2517")
    func civilRoundTrip() {
        var mismatches: [String] = []
        var leapDays = 0
        func check(_ n: Int, _ c: Civil) {
            if c.month == 2 && c.day == 29 { leapDays += 1 }
            let days = Timestamp.daysFromCivil(year: c.year, month: c.month, day: c.day)
            let back = Timestamp.civilFromDays(n)
            if days != n || Civil(year: back.year, month: back.month, day: back.day) != c {
                mismatches.append("\(n): \(c) -> \(days), \(back)")
            }
        }
        var forward = Civil(year: 1970, month: 1, day: 1)
        for n in 0...200_000 {
            check(n, forward)
            forward.next()
        }
        var backward = Civil(year: 1969, month: 12, day: 31)
        for n in stride(from: -1, through: -200_000, by: -1) {
            check(n, backward)
            backward.previous()
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        // 400,001 days span about 1095 years: roughly 266 leap days, so the walk crossed many.
        #expect(leapDays > 250)
    }
}
