/// Parsing of human durations as used in `since=1h`: `90s`, `15m`, `1h30m`, `7d`, `2w`, `3y` (365 days each), `500ms`.
public enum DurationParser {
    /// Parses `text` to nanoseconds; nil when it is not a duration.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        while i < bytes.count {
            var value: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                let (mul, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = mul.addingReportingOverflow(Int64(bytes[i] - 48))
                guard !o1, !o2 else { return nil }
                value = sum
                i += 1
            }
            guard i > start, i < bytes.count else { return nil }
            let unitStart = i
            while i < bytes.count, !(bytes[i] >= 48 && bytes[i] <= 57) { i += 1 }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            let scale: Int64
            switch unit {
            case "ns": scale = 1
            case "us", "µs": scale = 1_000
            case "ms": scale = 1_000_000
            case "s": scale = 1_000_000_000
            case "m": scale = 60 * 1_000_000_000
            case "h": scale = 3_600 * 1_000_000_000
            case "d": scale = 86_400 * 1_000_000_000
            case "w": scale = 7 * 86_400 * 1_000_000_000
            case "y": scale = 365 * 86_400 * 1_000_000_000
            default: return nil
            }
            let (part, o3) = value.multipliedReportingOverflow(by: scale)
            let (sum, o4) = total.addingReportingOverflow(part)
            guard !o3, !o4 else { return nil }
            total = sum
        }
        return total
    }
}
