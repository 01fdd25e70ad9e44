/// The one timestamp spelling the shredder stores as an integer: RFC 3339 in UTC with a `Z`,
/// `YYYY-MM-DDTHH:MM:SS` and an optional fraction of 1–9 digits (Kubernetes writes 6, CloudTrail
/// none). Any other spelling stays text. Parsing is checked by formatting back, so a value is
/// typed only when its bytes come back exactly.
enum ShredTimestamp {
    /// Parses `bytes`; returns seconds since the epoch UTC, the fraction as an integer, and its
    /// number of digits (0 when there is none). Nil unless formatting them back gives `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> (seconds: Int64, fraction: Int64, digits: Int)? {
        let n = bytes.count
        guard n >= 20, n <= 30, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[n - 1] == UInt8(ascii: "Z")
        else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for k in from..<(from + count) {
                let d = bytes[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if n > 20 {
            guard bytes[19] == UInt8(ascii: "."), n - 21 >= 1, let f = digits(20, n - 21) else { return nil }
            fraction = f
            fractionDigits = n - 21
        }
        let days = daysFromCivil(year, month, day)
        // 31 February would name a day of March: formatting back tells.
        let (y, m, d) = civilFromDays(days)
        guard y == year, m == month, d == day else { return nil }
        return (days * 86_400 + hour * 3_600 + minute * 60 + second, fraction, fractionDigits)
    }

    /// Appends the spelling of `seconds` since the epoch with `fraction` written in `digits` digits.
    static func format(seconds: Int64, fraction: Int64, digits: Int, into out: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        @inline(__always) func two(_ v: Int64) {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v / 10))
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10))
        }
        func put(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = v
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        two(y / 100)
        two(y % 100)
        out.append(UInt8(ascii: "-"))
        two(m)
        out.append(UInt8(ascii: "-"))
        two(d)
        out.append(UInt8(ascii: "T"))
        two(rest / 3_600)
        out.append(UInt8(ascii: ":"))
        two(rest / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(rest % 60)
        if digits > 0 {
            out.append(UInt8(ascii: "."))
            put(fraction, digits)
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number since 1970-01-01.
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
