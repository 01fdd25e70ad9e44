/// A small, fast, seedable pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Every random choice of the generator comes from one of these, so the same seed gives the same
/// bytes on every run and machine. It never uses the standard library's `random(in:using:)`
/// helpers, whose algorithms may change between Swift releases.
struct SplitMix64: Sendable {
    private var state: UInt64

    /// A generator for one independent stream: `seed` is the user's `--seed`, `stream` names the
    /// unit of work (a k8s hour, a CloudTrail file), so each unit draws the same numbers no matter
    /// which thread runs it or in what order.
    init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.finalize(seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1))
    }

    /// A generator started from one value drawn from another (for per-event detail seeds).
    init(state: UInt64) {
        self.state = state
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    @inline(__always)
    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (multiply-high; the bias is below 2^-32 for our bounds).
    @inline(__always)
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(\(bound)): the bound must be positive")
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `range`.
    @inline(__always)
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// A number in `range` (half-open).
    @inline(__always)
    mutating func int64(in range: Range<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound)
        return range.lowerBound + Int64(truncatingIfNeeded: next().multipliedFullWidth(by: width).high)
    }

    /// True with probability `probability` (0…1).
    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A double in `0..<1` with 53 random bits.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// One element of a non-empty array, uniformly.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }
}

/// A table of choices with integer weights, drawn from in O(log n).
struct WeightedTable<Choice: Sendable>: Sendable {
    private let choices: [Choice]
    private let cumulative: [Int]

    /// Builds the table; weights of zero leave a choice out.
    init(_ weighted: [(Choice, Int)]) {
        var choices: [Choice] = []
        var cumulative: [Int] = []
        var total = 0
        for (choice, weight) in weighted where weight > 0 {
            total += weight
            choices.append(choice)
            cumulative.append(total)
        }
        precondition(total > 0, "a weighted table needs at least one positive weight")
        self.choices = choices
        self.cumulative = cumulative
    }

    /// The sum of all weights.
    var totalWeight: Int { cumulative[cumulative.count - 1] }

    /// One choice, with probability proportional to its weight.
    func draw(_ rng: inout SplitMix64) -> Choice {
        let target = rng.below(totalWeight)
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return choices[lo]
    }
}

/// Names of the independent random streams, one per unit of work (see `SplitMix64.init(seed:stream:)`).
enum RandomStream {
    /// The cluster model: nodes, workloads, identities.
    static let k8sCluster: UInt64 = 0x1_0000
    /// The AWS account model: roles, users, resources.
    static let awsAccount: UInt64 = 0x2_0000
    /// Where the rare user's events fall.
    static let rareUser: UInt64 = 0x3_0000
    /// Delivery windows of CloudTrail files, per region.
    static func cloudTrailWindows(region: Int) -> UInt64 { 0x4_0000 + UInt64(region) }
    /// Or-ed into a unit's stream for the varied profile's own draws (the standard draws stay as they were).
    static let variedBit: UInt64 = 1 << 62
    /// One hour of k8s audit events.
    static func k8sHour(_ hour: Int) -> UInt64 { 0x100_0000 + UInt64(hour) }
    /// One CloudTrail file.
    static func cloudTrailFile(region: Int, window: Int) -> UInt64 {
        0x200_0000 + UInt64(region) << 20 + UInt64(window)
    }
}

/// Alphabets of the random identifiers real systems use.
enum Alphabet {
    /// Kubernetes `rand.SafeEncodeString`: pod and ReplicaSet name suffixes.
    static let k8sSafe: StaticString = "bcdfghjklmnpqrstvwxz2456789"
    /// AWS access key and unique ID bodies (`AKIA…`, `AROA…`).
    static let awsID: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    /// Lower-case hexadecimal (instance IDs, hashes).
    static let hex: StaticString = "0123456789abcdef"
    /// Letters and digits (CloudTrail file name suffixes, S3 request IDs).
    static let alphanumeric: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    /// Upper-case letters and digits (S3 request IDs).
    static let upperAlphanumeric: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    /// A random string of `count` characters from `alphabet` (for model set-up, not hot paths).
    static func string(_ alphabet: StaticString, _ count: Int, _ rng: inout SplitMix64) -> String {
        var writer = JSONWriter(capacity: count)
        writer.part(randomFrom: alphabet, count: count, &rng)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// A random version-4 UUID string (for model set-up).
    static func uuid(_ rng: inout SplitMix64) -> String {
        var writer = JSONWriter(capacity: 36)
        writer.partUUID(&rng)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
