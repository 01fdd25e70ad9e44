import AuditCore
import SegmentStore

/// A field a query can name: a normalized ``Field``, the event's `source`, or a ``JSONPath``
/// into the original event (`objectRef.subresource`, `requestParameters.bucketName`).
public enum FieldRef: Sendable, Equatable, Hashable, CustomStringConvertible {
    case field(Field)
    case source
    case path(JSONPath)
    /// The event's time, printed as `2026-11-24T10:00:01.957Z` (for `fields`, `sort`, grouping).
    case time

    /// Looks up a field by the name users type: a normalized field, `source`, a dotted path, a
    /// top-level key of a source (``rawKeys``), or a Container Insights metric name
    /// (``isMetricName(_:)``). Nil for other names, which are likely typos of a field name.
    public init?(name: String) {
        if name == "source" {
            self = .source
        } else if name == "time" {
            self = .time
        } else if let field = Field(name: name) {
            self = .field(field)
        } else if name.contains(".") || Self.rawKeys.contains(name) || Self.isMetricName(name), let path = JSONPath(name) {
            self = .path(path)
        } else {
            return nil
        }
    }

    /// Top-level keys of Kubernetes audit events and CloudTrail records that are not field
    /// names: usable as fields without a dot (`eventName`, `requestURI`).
    public static let rawKeys: Set<String> = [
        // Kubernetes audit.k8s.io/v1 Event
        "kind", "apiVersion", "auditID", "requestURI", "impersonatedUser", "sourceIPs", "userAgent", "objectRef",
        "responseStatus", "requestObject", "responseObject", "requestReceivedTimestamp", "stageTimestamp", "annotations",
        // CloudTrail record
        "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
        "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData", "requestID",
        "eventID", "readOnly", "resources", "eventType", "managementEvent", "recipientAccountId", "eventCategory",
        "sharedEventID", "vpcEndpointId", "tlsDetails", "sessionCredentialFromConsole", "serviceEventDetails",
        // Container Insights performance events (EMF, FORMATS.md §3.2)
        "Type", "Timestamp", "Version", "Sources", "ClusterName", "NodeName", "PodName", "Namespace", "Service",
        "ContainerName", "FullPodName", "InstanceId", "InstanceType", "AutoScalingGroupName", "kubernetes", "device",
        "EBSVolumeId", "fstype", "interface", "pod_status", "container_status", "CloudWatchMetrics", "_aws",
    ]

    /// The prefixes of Container Insights metric names (FORMATS.md §3.3), the top-level keys
    /// of `perf` events that hold the values (`pod_cpu_utilization`, `node_memory_working_set`).
    static let metricPrefixes = ["node_", "pod_", "container_", "cluster_", "service_", "namespace_"]

    /// Whether `name` is a Container Insights metric: a lower-case snake_case name with a
    /// metric prefix, or `number_of_container_restarts` (the one metric without a prefix).
    /// Such names are usable as fields without a dot; other unknown names stay errors, as
    /// they are likely typos of a field name.
    static func isMetricName(_ name: String) -> Bool {
        guard name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") }) else {
            return false
        }
        return name == "number_of_container_restarts" || metricPrefixes.contains { name.hasPrefix($0) && name.count > $0.count }
    }

    /// All normalized names users can type, for messages.
    public static var allNames: [String] { ["source"] + Field.allCases.map(\.name) }

    /// Whether the field holds a comma-separated list (`groups`, `actor`): filters match when
    /// any element does.
    public var isMultiValued: Bool {
        self == .field(.groups) || self == .field(.actor)
    }

    /// Whether the field is read from the original event (slower: the raw column is
    /// decompressed and scanned), so filters on it run after the others.
    public var readsRaw: Bool {
        if case .path = self { return true }
        return false
    }

    /// The value of this field in `event` ("" when absent; a path's values joined by ",").
    @inline(__always)
    public func value(in event: AuditEvent) -> String {
        switch self {
        case .field(let f): event.fields[f]
        case .source: event.source.name
        case .path(let p): event.raw.withUnsafeBytes { p.text(in: $0) }
        case .time: Timestamp.format(event.time, fractionDigits: 3)
        }
    }

    /// The value of this field in row `row` of a block ("" when absent).
    @inline(__always)
    public func value(in view: BlockView, _ row: Int) -> String {
        switch self {
        case .field(let f): view.string(row, f)
        case .source: view.source(row).name
        case .path(let p): view.withRaw(row) { p.text(in: $0) }
        case .time: Timestamp.format(view.time(row), fractionDigits: 3)
        }
    }

    /// Whether values compare as numbers. Paths may (`responseStatus.code>=400`): a value that
    /// is not a number then fails the comparison.
    public var isNumeric: Bool {
        switch self {
        case .field(let f): f.isNumeric
        case .source, .time: false
        case .path: true
        }
    }

    public var description: String {
        switch self {
        case .field(let f): f.name
        case .source: "source"
        case .path(let p): p.name
        case .time: "time"
        }
    }

    /// The known name closest to `name` (edit distance ≤ 2), for "did you mean" hints.
    static func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        for candidate in allNames {
            let d = editDistance(Array(name), Array(candidate))
            if d <= 2, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
