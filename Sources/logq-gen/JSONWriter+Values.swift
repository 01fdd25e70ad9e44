import AuditCore

/// Values with a fixed textual form that the generators write often: times and random IDs.
extension JSONWriter {
    /// Writes a UTC time as a JSON string, RFC 3339 with `fractionDigits` (0 or 1–9) digits:
    /// `"2026-11-24T10:15:07.120311Z"` (Kubernetes MicroTime, 6) or `"2026-11-24T10:15:07Z"`
    /// (CloudTrail, 0). Same text as `Timestamp.format`, without building a String.
    mutating func timestamp(_ nanos: Int64, fractionDigits: Int) {
        beginString()
        partTimestamp(nanos, fractionDigits: fractionDigits)
        endString()
    }

    /// Appends a UTC time (see `timestamp`) inside an open string.
    mutating func partTimestamp(_ nanos: Int64, fractionDigits: Int) {
        let seconds = nanos.floorDiv(Timestamp.nanosPerSecond)
        let fraction = Int(nanos - seconds * Timestamp.nanosPerSecond)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        appendPadded(year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(month, width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, width: 2)
        bytes.append(ASCII.colon)
        appendPadded(secondOfDay % 3600 / 60, width: 2)
        bytes.append(ASCII.colon)
        appendPadded(secondOfDay % 60, width: 2)
        if fractionDigits > 0 {
            var divisor = 1
            for _ in 0..<(9 - min(fractionDigits, 9)) { divisor *= 10 }
            bytes.append(UInt8(ascii: "."))
            appendPadded(fraction / divisor, width: min(fractionDigits, 9))
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Writes a random version-4 UUID as a JSON string (`"6f1c…-4…-[89ab]…"`).
    mutating func uuid(_ rng: inout SplitMix64) {
        beginString()
        partUUID(&rng)
        endString()
    }

    /// Appends a random version-4 UUID inside an open string.
    mutating func partUUID(_ rng: inout SplitMix64) {
        let high = (rng.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        appendHex(high >> 32, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        appendHex(high >> 16, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(high, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(low >> 48, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        appendHex(low, digits: 12)
    }

    /// Appends the low `digits` hex digits of `value`, lower case.
    @inline(__always)
    mutating func appendHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            bytes.append(ASCII.hexDigit(UInt8((value >> UInt64(shift)) & 0xF)))
            shift -= 4
        }
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (times before 1970 stay correct).
    @inline(__always)
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }
}
