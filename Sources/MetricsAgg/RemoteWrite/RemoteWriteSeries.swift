/// The series of metric registries as remote write sends them: every sample that `/metrics`
/// shows in text 0.0.4, with the same names and labels, read from the same registry.
///
/// - a counter `c` is `c_total`; a gauge keeps its name;
/// - a histogram `h` is `h_bucket{…,le="<bound>"}` per bound (cumulative, `+Inf` last), then
///   `h_count` and `h_sum`;
/// - families that overflowed add `logq_metrics_series_overflow_total{family="<id>"}`.
///
/// `_created` (OpenMetrics only) is not sent. Labels go sorted by name, `__name__` among them,
/// and a label with an empty value is left out, as Prometheus' own scrape drops it: the series
/// pushed are the series a scrape of `/metrics` would store.
public enum RemoteWriteSeries {
    /// Name of the overflow counter the exposition adds (``ExpositionWriter/writeOverflow(_:)``).
    static let overflowName = "logq_metrics_series_overflow_total"

    /// One series: labels sorted by name (`__name__` included), and its value.
    public typealias Series = (labels: [(name: String, value: String)], value: Double)

    /// Calls `body` with every series of `registries`, in the order of `/metrics`. The labels
    /// array is reused between calls.
    public static func forEach(in registries: [MetricRegistry], _ body: (_ labels: [(name: String, value: String)], _ value: Double) -> Void) {
        var labels: [(name: String, value: String)] = []
        labels.reserveCapacity(16)
        for registry in registries {
            for family in registry.families where family.count > 0 {
                let layout = FamilyLayout(family)
                switch family.kind {
                case .counter:
                    for i in 0..<family.count {
                        layout.labels(i, name: layout.names[0], le: nil, into: &labels)
                        body(labels, family.values[i])
                    }
                case .gauge:
                    for i in 0..<family.count {
                        layout.labels(i, name: layout.names[0], le: nil, into: &labels)
                        body(labels, family.values[i])
                    }
                case .histogram(let bounds):
                    for i in 0..<family.count {
                        let counts = family.bucketCounts[i]
                        var cumulative: UInt64 = 0
                        for b in 0...bounds.count {
                            cumulative += counts[b]
                            layout.labels(i, name: layout.names[0], le: layout.bounds[b], into: &labels)
                            body(labels, Double(cumulative))
                        }
                        layout.labels(i, name: layout.names[1], le: nil, into: &labels)
                        body(labels, Double(cumulative))
                        layout.labels(i, name: layout.names[2], le: nil, into: &labels)
                        body(labels, family.values[i])
                    }
                }
            }
        }
        for registry in registries {
            for family in registry.families where family.overflowed > 0 {
                labels.removeAll(keepingCapacity: true)
                labels.append((name: "__name__", value: overflowName))
                labels.append((name: "family", value: family.id))
                body(labels, Double(family.overflowed))
            }
        }
    }

    /// Every series of `registries`, for tests and for reading what would be sent.
    public static func all(in registries: [MetricRegistry]) -> [Series] {
        var out: [Series] = []
        forEach(in: registries) { labels, value in out.append((labels, value)) }
        return out
    }

    /// Every series of `registries` at `timestamp` (ms since the epoch) as protobuf
    /// `WriteRequest`s of at most `maxSeries` series each, with the number of samples of each.
    public static func encode(_ registries: [MetricRegistry], timestamp: Int64, maxSeries: Int) -> [(protobuf: [UInt8], samples: Int)] {
        var requests: [(protobuf: [UInt8], samples: Int)] = []
        var encoder = RemoteWriteEncoder(capacity: 64 * maxSeries)
        forEach(in: registries) { labels, value in
            encoder.append(labels: labels, value: value, timestamp: timestamp)
            if encoder.seriesCount >= maxSeries {
                requests.append((encoder.bytes, encoder.seriesCount))
                encoder = RemoteWriteEncoder(capacity: 64 * maxSeries)
            }
        }
        if encoder.seriesCount > 0 { requests.append((encoder.bytes, encoder.seriesCount)) }
        return requests
    }

    /// Where each label of a family's series comes from, in label-name order, worked out once
    /// per family: the series' labels are then copied in order, without sorting each series.
    struct FamilyLayout {
        enum Slot {
            case name
            case constant(Int)
            case label(Int)
            case le
        }

        let family: MetricFamily
        let constantLabels: [(name: String, value: String)]
        let labelNames: [String]
        /// Sorted label slots (`le` among them only for histograms).
        let slots: [Slot]
        /// `__name__` values: the sample name; for a histogram `_bucket`, `_count`, `_sum`.
        let names: [String]
        /// A histogram's `le` values as the exposition writes them, `+Inf` last.
        let bounds: [String]

        init(_ family: MetricFamily) {
            self.family = family
            constantLabels = family.constantLabels
            labelNames = family.labelNames
            var named: [(String, Slot)] = [("__name__", .name)]
            for (k, label) in family.constantLabels.enumerated() { named.append((label.name, .constant(k))) }
            for (k, name) in family.labelNames.enumerated() { named.append((name, .label(k))) }
            switch family.kind {
            case .counter:
                names = [family.name + "_total"]
                bounds = []
            case .gauge:
                names = [family.name]
                bounds = []
            case .histogram(let buckets):
                named.append(("le", .le))
                names = [family.name + "_bucket", family.name + "_count", family.name + "_sum"]
                // Canonical float text (`1.0`, `0.05`), as ExpositionWriter writes `le`.
                bounds = buckets.map { $0.description } + ["+Inf"]
            }
            // Byte order of the names, which is how Prometheus orders labels.
            slots = named.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }.map(\.1)
        }

        /// The labels of series `i` with `__name__` `name` (and `le` for a bucket), empty values left out.
        func labels(_ i: Int, name: String, le: String?, into out: inout [(name: String, value: String)]) {
            out.removeAll(keepingCapacity: true)
            let values = family.labels[i]
            for slot in slots {
                switch slot {
                case .name:
                    out.append((name: "__name__", value: name))
                case .constant(let k):
                    let label = constantLabels[k]
                    if !label.value.isEmpty { out.append((name: label.name, value: label.value)) }
                case .label(let k):
                    let value = values[k]
                    if !value.isEmpty { out.append((name: labelNames[k], value: value)) }
                case .le:
                    if let le { out.append((name: "le", value: le)) }
                }
            }
        }
    }
}
