#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AuditCore

/// How busy the systems are at each UTC hour: a smooth day/night curve, busiest at 14:30 UTC and
/// quietest at 02:30 UTC, with the peak twice the trough. Both sources follow it.
enum DiurnalCurve {
    /// Relative rate (1.0 … 2.0) of the UTC hour starting at `nanos`.
    static func weight(hourStarting nanos: Int64) -> Double {
        let hourOfDay = Double(nanos.floorDiv(Timestamp.nanosPerHour) % 24) + 0.5
        return 1.5 + 0.5 * cos(2 * Double.pi * (hourOfDay - 14.5) / 24)
    }

    /// Splits `total` into whole parts proportional to `weights` that sum exactly to `total`
    /// (largest remainder method; ties go to the earlier index, so the split is deterministic).
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard total > 0, sum > 0 else { return [Int](repeating: 0, count: weights.count) }
        var parts: [Int] = []
        var remainders: [(fraction: Double, index: Int)] = []
        parts.reserveCapacity(weights.count)
        for (index, weight) in weights.enumerated() {
            let exact = Double(total) * weight / sum
            let whole = Int(exact.rounded(.down))
            parts.append(whole)
            remainders.append((exact - Double(whole), index))
        }
        var left = total - parts.reduce(0, +)
        remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.index < $1.index }
        var i = 0
        while left > 0 {
            parts[remainders[i % remainders.count].index] += 1
            left -= 1
            i += 1
        }
        return parts
    }
}
