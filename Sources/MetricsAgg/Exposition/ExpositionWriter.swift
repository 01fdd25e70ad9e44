/// Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0 into one byte buffer.
///
/// Every series' label text was escaped when the series was created, so a scrape appends
/// ready bytes and formats numbers: integral values (counts) without going through `Double`'s
/// description, which is the slow part.
struct ExpositionWriter {
    let format: ExpositionFormat
    var out: [UInt8] = []
    private var lastHeader: String?

    init(format: ExpositionFormat) {
        self.format = format
    }

    /// Appends `family`'s series; its HELP and TYPE first unless a family of the same name
    /// just wrote them. A family without series writes nothing.
    mutating func write(_ family: MetricFamily) {
        guard family.count > 0 else { return }
        if lastHeader != family.name {
            writeHeader(family.name, help: family.help, kind: family.kind)
            lastHeader = family.name
        }
        let labels = family.labelText
        switch family.kind {
        case .counter:
            for i in 0..<family.count {
                sample(family.name, "_total", labels[i], family.values[i])
                if format == .openMetrics { sample(family.name, "_created", labels[i], family.created[i]) }
            }
        case .gauge:
            for i in 0..<family.count { sample(family.name, "", labels[i], family.values[i]) }
        case .histogram(let bounds):
            for i in 0..<family.count {
                var cumulative: UInt64 = 0
                let counts = family.bucketCounts[i]
                for (b, bound) in bounds.enumerated() {
                    cumulative += counts[b]
                    bucket(family.name, labels[i], le: bound, cumulative)
                }
                cumulative += counts[bounds.count]
                bucket(family.name, labels[i], le: .infinity, cumulative)
                // Count before sum, the order of OpenMetrics' examples (0.0.4 takes any).
                sample(family.name, "_count", labels[i], Double(cumulative))
                sample(family.name, "_sum", labels[i], family.values[i])
                if format == .openMetrics { sample(family.name, "_created", labels[i], family.created[i]) }
            }
        }
    }

    /// `logq_metrics_series_overflow_total{family}`: updates sent to `other` series.
    mutating func writeOverflow(_ counts: [(id: String, count: Int)]) {
        guard !counts.isEmpty else { return }
        let name = "logq_metrics_series_overflow_total".dropLast(6)
        writeHeader(String(name), help: "Updates that went to a family's 'other' series because the family held its maximum of series.", kind: .counter)
        for (id, count) in counts {
            var labels: [UInt8] = Array("family=\"".utf8)
            Self.appendEscaped(id, into: &labels, quotes: true)
            labels.append(UInt8(ascii: "\""))
            sample(String(name), "_total", labels, Double(count))
        }
    }

    /// Ends the exposition: `# EOF` in OpenMetrics.
    mutating func finish() {
        if format == .openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
    }

    private mutating func writeHeader(_ name: String, help: String, kind: MetricKind) {
        // Text 0.0.4 names a counter family by its sample name; OpenMetrics without `_total`.
        let suffix = kind == .counter && format == .text ? "_total" : ""
        if format == .openMetrics {
            line("# TYPE ", name, suffix, " ", kind.typeName)
            out.append(contentsOf: "# HELP ".utf8)
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: " "))
            Self.appendEscaped(help, into: &out, quotes: true)
            out.append(UInt8(ascii: "\n"))
        } else {
            out.append(contentsOf: "# HELP ".utf8)
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: suffix.utf8)
            out.append(UInt8(ascii: " "))
            Self.appendEscaped(help, into: &out, quotes: false)
            out.append(UInt8(ascii: "\n"))
            line("# TYPE ", name, suffix, " ", kind.typeName)
        }
    }

    private mutating func line(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) {
        out.append(contentsOf: a.utf8)
        out.append(contentsOf: b.utf8)
        out.append(contentsOf: c.utf8)
        out.append(contentsOf: d.utf8)
        out.append(contentsOf: e.utf8)
        out.append(UInt8(ascii: "\n"))
    }

    private mutating func sample(_ name: String, _ suffix: String, _ labels: [UInt8], _ value: Double) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: suffix.utf8)
        if !labels.isEmpty {
            out.append(UInt8(ascii: "{"))
            out.append(contentsOf: labels)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        Self.appendValue(value, into: &out)
        out.append(UInt8(ascii: "\n"))
    }

    private mutating func bucket(_ name: String, _ labels: [UInt8], le: Double, _ count: UInt64) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: "_bucket{".utf8)
        if !labels.isEmpty {
            out.append(contentsOf: labels)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: "le=\"".utf8)
        if le.isInfinite {
            out.append(contentsOf: "+Inf".utf8)
        } else {
            // Canonical float text (`1.0`, `0.05`), which OpenMetrics requires for `le`.
            out.append(contentsOf: le.description.utf8)
        }
        out.append(contentsOf: "\"} ".utf8)
        Self.appendInteger(count, into: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// A sample value: integers up to 2^53 as digits, `NaN`, `+Inf`, `-Inf`, else Swift's shortest
    /// round-tripping text (which Go's ParseFloat reads).
    static func appendValue(_ value: Double, into out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            out.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value == value.rounded(.towardZero), abs(value) <= 9_007_199_254_740_992 {
            // Integral and exact in a Double (≤ 2^53): the digits, as a counter reads.
            if value < 0 { out.append(UInt8(ascii: "-")) }
            appendInteger(UInt64(abs(value)), into: &out)
        } else {
            out.append(contentsOf: value.description.utf8)
        }
    }

    /// Appends the decimal digits of `value`: written last digit first, then reversed in place.
    static func appendInteger(_ value: UInt64, into out: inout [UInt8]) {
        let start = out.count
        var v = value
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        out[start...].reverse()
    }

    /// Appends `value` escaped for a label value (`quotes`: also `"`) or a 0.0.4 HELP text:
    /// backslash, newline and, where asked, double quote.
    static func appendEscaped(_ value: String, into out: inout [UInt8], quotes: Bool) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\""):
                if quotes { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            case UInt8(ascii: "\r"):
                // OpenMetrics forbids carriage returns; they carry no meaning in a name.
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            default: out.append(byte)
            }
        }
    }
}
