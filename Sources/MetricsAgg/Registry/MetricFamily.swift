#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One metric family: its name, type and label names, and its series, bounded in number.
///
/// Series are kept in parallel arrays indexed by a series number, each with its label text
/// escaped once when it is created, so rendering is appends of ready bytes and numbers. When
/// the family holds ``maxSeries`` series, a new label set goes to the family's `other` series
/// (every label `other`), and ``overflowed`` counts it.
public final class MetricFamily {
    /// The family name in the exposition; a counter's name without `_total`.
    public let name: String
    /// Identifies the family in limits and in `logq_metrics_series_overflow_total{family}`:
    /// the name, or `rule:<name>` for a saved-query rule (many rules share one name).
    public let id: String
    /// The `# HELP` text.
    public let help: String
    public let kind: MetricKind
    /// Label names of every series, in order (after the constant labels).
    public let labelNames: [String]
    /// Labels every series carries with fixed values (a rule's `rule="…"`), rendered first.
    public let constantLabels: [(name: String, value: String)]
    /// Series allowed before overflow.
    public let maxSeries: Int

    /// Updates that went to the `other` series because the family was full.
    public private(set) var overflowed: Int = 0

    private var index: [[String]: Int] = [:]
    private var otherSeries: Int?
    /// Label values of each series.
    private(set) var labels: [[String]] = []
    /// `a="x",b="y"` of each series, escaped, constant labels first, without braces.
    private(set) var labelText: [[UInt8]] = []
    /// Counter and gauge values; a histogram's sum.
    private(set) var values: [Double] = []
    /// A gauge's sample time (ns of event time) that set its value; unused otherwise.
    private var sampleTimes: [Int64] = []
    /// When each series was created, epoch seconds (OpenMetrics `_created`).
    private(set) var created: [Double] = []
    /// A histogram's per-bucket (non-cumulative) counts, with the `+Inf` bucket last.
    private(set) var bucketCounts: [[UInt64]] = []

    init(name: String, id: String? = nil, help: String, kind: MetricKind, labelNames: [String],
         constantLabels: [(name: String, value: String)] = [], maxSeries: Int) {
        self.name = name
        self.id = id ?? name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.constantLabels = constantLabels
        self.maxSeries = max(1, maxSeries)
    }

    /// Series held, the `other` series included.
    public var count: Int { values.count }

    /// The series number for `labelValues` (one per label name), created when new; the
    /// `other` series when the family is full.
    func series(_ labelValues: [String]) -> Int {
        if let i = index[labelValues] { return i }
        if index.count >= maxSeries {
            overflowed += 1
            if let otherSeries { return otherSeries }
            let i = append(Array(repeating: "other", count: labelNames.count))
            otherSeries = i
            return i
        }
        let i = append(labelValues)
        index[labelValues] = i
        return i
    }

    private func append(_ labelValues: [String]) -> Int {
        let values = labelValues.map(Self.bounded)
        var text: [UInt8] = []
        var first = true
        for (name, value) in constantLabels.map({ ($0.name, $0.value) }) + Array(zip(labelNames, values)) {
            if !first { text.append(UInt8(ascii: ",")) }
            first = false
            text.append(contentsOf: name.utf8)
            text.append(contentsOf: "=\"".utf8)
            ExpositionWriter.appendEscaped(value, into: &text, quotes: true)
            text.append(UInt8(ascii: "\""))
        }
        labels.append(values)
        labelText.append(text)
        self.values.append(0)
        sampleTimes.append(Int64.min)
        created.append(Self.now())
        if case .histogram(let bounds) = kind {
            bucketCounts.append(Array(repeating: 0, count: bounds.count + 1))
        } else {
            bucketCounts.append([])
        }
        return self.values.count - 1
    }

    /// Adds `amount` to a counter.
    public func add(_ labelValues: [String], _ amount: Double = 1) {
        values[series(labelValues)] += amount
    }

    /// Sets a gauge to `value` if `time` (event time, ns) is not older than the sample that set it.
    public func set(_ labelValues: [String], _ value: Double, at time: Int64) {
        let i = series(labelValues)
        guard time >= sampleTimes[i] else { return }
        sampleTimes[i] = time
        values[i] = value
    }

    /// Replaces every series (for rollups recomputed from their leaves).
    func reset() {
        index.removeAll(keepingCapacity: true)
        otherSeries = nil
        labels.removeAll(keepingCapacity: true)
        labelText.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        sampleTimes.removeAll(keepingCapacity: true)
        created.removeAll(keepingCapacity: true)
        bucketCounts.removeAll(keepingCapacity: true)
    }

    /// Records one observation in a histogram.
    public func observe(_ labelValues: [String], _ value: Double) {
        guard case .histogram(let bounds) = kind else { return }
        let i = series(labelValues)
        var b = 0
        while b < bounds.count && value > bounds[b] { b += 1 }
        bucketCounts[i][b] += 1
        values[i] += value
    }

    /// The value of the series with these labels (a histogram's sum), nil when there is none.
    public func value(_ labelValues: [String]) -> Double? {
        seriesNumber(labelValues).map { values[$0] }
    }

    /// The series of `labelValues`, the `other` series for all-`other` labels; nil when none.
    private func seriesNumber(_ labelValues: [String]) -> Int? {
        if let i = index[labelValues] { return i }
        return labelValues.allSatisfy { $0 == "other" } ? otherSeries : nil
    }

    /// A histogram's observation count for these labels, nil when there is none.
    public func observations(_ labelValues: [String]) -> UInt64? {
        seriesNumber(labelValues).map { bucketCounts[$0].reduce(0, +) }
    }

    /// Every series: label values and value, in creation order.
    public var samples: [(labels: [String], value: Double)] {
        Array(zip(labels, values))
    }

    /// Label values cut to ``MetricsLimits/maxLabelValueBytes`` (on a character boundary).
    static func bounded(_ value: String) -> String {
        guard value.utf8.count > MetricsLimits.maxLabelValueBytes else { return value }
        var out = ""
        for c in value {
            if out.utf8.count + c.utf8.count > MetricsLimits.maxLabelValueBytes { break }
            out.append(c)
        }
        return out
    }

    /// Now, epoch seconds.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec / 1_000_000) / 1000
    }
}
