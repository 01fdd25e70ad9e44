/// The two exposition formats `/metrics` speaks, chosen by the scraper's `Accept` header.
public enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text format 0.0.4: what every scraper reads.
    case text
    /// OpenMetrics 1.0: `# EOF`, counters' `_created`.
    case openMetrics

    /// The `Content-Type` of a response in this format.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format an `Accept` header asks for: OpenMetrics when it lists
    /// `application/openmetrics-text` with a non-zero quality (Prometheus lists it first by
    /// default), else text 0.0.4, which any scraper may fall back to.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces() }
            guard let type = parts.first, type.lowercased() == "application/openmetrics-text" else { continue }
            let refused = parts.dropFirst().contains { param in
                let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
                return kv.count == 2 && kv[0] == "q" && (Double(kv[1]) ?? 1) <= 0
            }
            if !refused { return .openMetrics }
        }
        return .text
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
