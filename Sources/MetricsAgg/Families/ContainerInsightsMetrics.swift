import AuditCore

/// Container Insights gauges from performance events (both EMF forms), at the latest sample
/// by event time, and their rollups, recomputed from the latest leaf values when a scrape
/// comes after a change.
final class ContainerInsightsMetrics {
    /// Leaf families by performance-event key (`pod_cpu_utilization`).
    private var leaves: [String: (metric: ContainerInsightsCatalog.Metric, family: MetricFamily)] = [:]
    /// Leaf families by exported name (without the prefix), for rollups.
    private var byName: [String: MetricFamily] = [:]
    private var rollups: [(rollup: ContainerInsightsCatalog.Rollup, leaf: MetricFamily, family: MetricFamily)] = []
    /// Whether a leaf changed since rollups were computed.
    private var dirty = false

    init(_ registry: MetricRegistry) {
        for metric in ContainerInsightsCatalog.metrics {
            let family = registry.family(
                ContainerInsightsCatalog.prefix + metric.name, help: metric.help + " Container Insights \(metric.key), latest sample.",
                kind: .gauge, labels: metric.level.labels)
            leaves[metric.key] = (metric, family)
            byName[metric.name] = family
        }
        for rollup in ContainerInsightsCatalog.rollups {
            guard let leaf = byName[rollup.leaf] else { continue }
            let how = rollup.combine == .mean ? "Mean" : "Sum"
            let family = registry.family(
                ContainerInsightsCatalog.rollupName(rollup),
                help: "\(how) of the latest \(ContainerInsightsCatalog.prefix + rollup.leaf) over the \(rollup.level.labels.joined(separator: ", ")) rollup.",
                kind: .gauge, labels: rollup.level.labels)
            rollups.append((rollup, leaf, family))
        }
    }

    /// The labels and metric values of one performance event.
    struct Sample {
        var cluster = "", node = "", namespace = "", service = "", pod = "", container = "", device = ""
        var values: [(key: String, value: Double)] = []

        func labels(_ level: ContainerInsightsCatalog.Level) -> [String] {
            switch level {
            case .node: [cluster, node]
            case .nodeFilesystem: [cluster, node, device]
            case .pod: [cluster, namespace, service, pod]
            case .container, .containerFilesystem: [cluster, namespace, service, pod, container]
            case .cluster: [cluster]
            case .service: [cluster, namespace, service]
            case .namespace: [cluster, namespace]
            }
        }
    }

    /// Folds one `perf` event.
    func add(_ event: AuditEvent) {
        guard let sample = Self.sample(event, keys: leaves) else { return }
        for (key, value) in sample.values {
            guard let leaf = leaves[key] else { continue }
            leaf.family.set(sample.labels(leaf.metric.level), value / leaf.metric.scale.divisor, at: event.time)
            dirty = true
        }
    }

    /// Recomputes the rollups if a leaf changed.
    func refresh() {
        guard dirty else { return }
        dirty = false
        for (rollup, leaf, family) in rollups {
            family.reset()
            let width = rollup.level.labels.count
            var groups: [[String]: (sum: Double, n: Int)] = [:]
            var order: [[String]] = []
            for (labels, value) in leaf.samples {
                let key = Array(labels.prefix(width))
                if groups[key] == nil { order.append(key) }
                groups[key, default: (0, 0)].sum += value
                groups[key, default: (0, 0)].n += 1
            }
            for key in order {
                let g = groups[key]!
                family.set(key, rollup.combine == .mean ? g.sum / Double(g.n) : g.sum, at: 0)
            }
        }
    }

    /// The labels and known metric values of a performance event, read from its original
    /// bytes in one pass over the top-level members (and `kubernetes`); nil when it has none.
    static func sample(_ event: AuditEvent, keys: [String: (metric: ContainerInsightsCatalog.Metric, family: MetricFamily)]) -> Sample? {
        var s = Sample()
        s.cluster = event.fields[.cluster]
        s.node = event.fields[.node]
        s.namespace = event.fields[.ns]
        var podName = event.fields[.name]
        var fullPod = "", k8sContainer = "", containerName = "", k8sService = "", k8sNamespace = ""
        event.raw.withUnsafeBufferPointer { b in
            guard !b.isEmpty else { return }
            _ = try? JSONScanner.walkObject(b, 0) { key, value throws(JSONSyntaxError) in
                guard key.count > 2, !value.isEmpty else { return }
                let first = b[value.lowerBound]
                if first == UInt8(ascii: "\"") {
                    if JSONScanner.keyEquals(b, key, "Service") {
                        s.service = JSONScanner.string(b, value) ?? ""
                    } else if JSONScanner.keyEquals(b, key, "device") {
                        s.device = JSONScanner.string(b, value) ?? ""
                    } else if JSONScanner.keyEquals(b, key, "PodName") {
                        podName = JSONScanner.string(b, value) ?? podName
                    } else if JSONScanner.keyEquals(b, key, "FullPodName") {
                        fullPod = JSONScanner.string(b, value) ?? ""
                    } else if JSONScanner.keyEquals(b, key, "ContainerName") {
                        containerName = JSONScanner.string(b, value) ?? ""
                    }
                } else if first == UInt8(ascii: "{") {
                    guard JSONScanner.keyEquals(b, key, "kubernetes") else { return }
                    _ = try JSONScanner.walkObject(b, value.lowerBound) { k, v in
                        if JSONScanner.keyEquals(b, k, "pod_name") {
                            fullPod = JSONScanner.string(b, v) ?? fullPod
                        } else if JSONScanner.keyEquals(b, k, "container_name") {
                            k8sContainer = JSONScanner.string(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "service_name") {
                            k8sService = JSONScanner.string(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "namespace_name") {
                            k8sNamespace = JSONScanner.string(b, v) ?? ""
                        }
                    }
                } else {
                    // A number, or an array of numbers (EMF v1 allows up to 100): the last is the latest.
                    let inner = (key.lowerBound + 1)..<(key.upperBound - 1)
                    let name = String(decoding: UnsafeBufferPointer(rebasing: b[inner]), as: UTF8.self)
                    guard keys[name] != nil, let number = lastNumber(b, value) else { return }
                    s.values.append((name, number))
                }
            }
        }
        guard !s.values.isEmpty else { return nil }
        // The pod label is the pod's full name where the event has it: one series per pod, as
        // a replica's restarts or memory are its own; the owner name (PodName) otherwise.
        s.pod = fullPod.isEmpty ? podName : fullPod
        s.container = k8sContainer.isEmpty ? containerName : k8sContainer
        if s.service.isEmpty { s.service = k8sService }
        if s.namespace.isEmpty { s.namespace = k8sNamespace }
        return s
    }

    /// The number at `range`, or the last number of an array there.
    static func lastNumber(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        if b[range.lowerBound] == UInt8(ascii: "[") {
            var last: Double?
            _ = try? JSONScanner.walkArray(b, range.lowerBound) { element in
                if let n = number(b, element) { last = n }
            }
            return last
        }
        return number(b, range)
    }

    static func number(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        guard !range.isEmpty, range.count < 40 else { return nil }
        let c = b[range.lowerBound]
        guard c == UInt8(ascii: "-") || (c >= 48 && c <= 57) else { return nil }
        let value = Double(String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self))
        return value.flatMap { $0.isFinite ? $0 : nil }
    }
}
