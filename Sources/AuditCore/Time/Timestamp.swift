/// Parsing and formatting of event times as nanoseconds since the Unix epoch, UTC.
public enum Timestamp {
    /// Nanoseconds per second.
    public static let nanosPerSecond: Int64 = 1_000_000_000
    /// Nanoseconds per hour: the width of a storage partition.
    public static let nanosPerHour: Int64 = 3_600 * nanosPerSecond

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days in `month` (1–12) of `year` (proleptic Gregorian).
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses an RFC 3339 / ISO 8601 time: `2024-12-13T05:28:39.999903Z`, `…+02:00`, also with a
    /// space instead of `T` and no zone (`2025-02-19 20:13:49.38`, read as UTC), and the basic
    /// form `20131102T010628Z`. Returns nil when `bytes` is not such a time (an offset past
    /// ±23:59 included).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var p = Parser(bytes: bytes)
        return p.parse()
    }

    /// Parses a time given as a string; see ``parse(_:)-(UnsafeBufferPointer<UInt8>)``.
    public static func parse(_ string: String) -> Int64? {
        var copy = string
        return copy.withUTF8 { parse($0) }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func digits(_ n: Int) -> Int? {
            guard i + n <= bytes.count else { return nil }
            var value = 0
            for k in 0..<n {
                let c = bytes[i + k]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            i += n
            return value
        }

        mutating func expect(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        mutating func parse() -> Int64? {
            guard let year = digits(4) else { return nil }
            let basic = !(i < bytes.count && bytes[i] == UInt8(ascii: "-"))
            if !basic { i += 1 }
            guard let month = digits(2), (1...12).contains(month) else { return nil }
            if !basic, !expect(UInt8(ascii: "-")) { return nil }
            guard let day = digits(2), (1...31).contains(day) else { return nil }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "t")
            else { return nil }
            i += 1
            guard let hour = digits(2), hour < 24 else { return nil }
            if !basic, !expect(UInt8(ascii: ":")) { return nil }
            guard let minute = digits(2), minute < 60 else { return nil }
            if !basic, !expect(UInt8(ascii: ":")) { return nil }
            guard let second = digits(2), second <= 60 else { return nil }
            var nanos: Int64 = 0
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
                i += 1
                var scale: Int64 = 100_000_000
                var count = 0
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                    if scale > 0 {
                        nanos += Int64(bytes[i] - 48) * scale
                        scale /= 10
                    }
                    i += 1
                    count += 1
                }
                guard count > 0 else { return nil }
            }
            var offsetSeconds = 0
            if i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                    i += 1
                } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    i += 1
                    // RFC 3339 offsets run from -23:59 to +23:59; anything past is damage.
                    guard let oh = digits(2), oh < 24 else { return nil }
                    _ = expect(UInt8(ascii: ":"))
                    guard let om = digits(2), om < 60 else { return nil }
                    offsetSeconds = (oh * 3600 + om * 60) * (c == UInt8(ascii: "+") ? 1 : -1)
                } else {
                    return nil
                }
            }
            guard i == bytes.count, day <= Timestamp.daysInMonth(year: year, month: month) else { return nil }
            let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
            let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
            // Nanoseconds since 1970 in an Int64 reach 1677-09-21 … 2262-04-11; outside, no time.
            let (scaled, overflow) = seconds.multipliedReportingOverflow(by: Timestamp.nanosPerSecond)
            guard !overflow else { return nil }
            let (total, overflow2) = scaled.addingReportingOverflow(nanos)
            return overflow2 ? nil : total
        }
    }

    /// Formats `nanos` as RFC 3339 UTC with the given number of fractional digits (0–9).
    public static func format(_ nanos: Int64, fractionDigits: Int = 3) -> String {
        var seconds = nanos / nanosPerSecond
        var fraction = nanos % nanosPerSecond
        if fraction < 0 {
            fraction += nanosPerSecond
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = civilFromDays(Int(days))
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(Int(secondOfDay / 3600), 2) + ":" + pad(Int(secondOfDay % 3600 / 60), 2) + ":" + pad(Int(secondOfDay % 60), 2)
        if fractionDigits > 0 {
            var divisor: Int64 = 1
            for _ in 0..<(9 - min(fractionDigits, 9)) { divisor *= 10 }
            out += "." + pad(Int(fraction / divisor), min(fractionDigits, 9))
        }
        return out + "Z"
    }

    /// The name of the UTC hour holding `nanos`, e.g. `2026-11-24T12` (the partition name).
    public static func hourName(_ nanos: Int64) -> String {
        String(format(nanos, fractionDigits: 0).prefix(13))
    }

    /// Parses an hour name (`2026-11-24T12`) back to the start of that hour in nanoseconds.
    public static func parseHourName(_ name: String) -> Int64? {
        guard name.utf8.count == 13 else { return nil }
        return parse(name + ":00:00Z")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
