import AuditCore

/// Normalizes one Container Insights performance event in the embedded metric format
/// (FORMATS.md §3): EMF "version 0" (`CloudWatchMetrics` at the root, `Timestamp` a string of
/// epoch milliseconds) and the `_aws` v1 form (`_aws.Timestamp` a number).
///
/// `kind` = `Type` (`Node`, `Pod`, …), `cluster` = `ClusterName`, `node` = `NodeName`,
/// `ns` = `Namespace`, `name` = `PodName` (else `ContainerName`, `ServiceName`). The metric
/// values stay in the raw event, reachable by their names (`pod_cpu_utilization`).
public enum EMFParser {
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ context: ParseContext) throws -> AuditEvent {
        var f = FieldValues()
        var timestamp: Range<Int>?
        var emfSeen = false
        var podName = ""
        var otherName = ""
        try walk(b, range.lowerBound) { key, value in
            if JSONScanner.keyEquals(b, key, "Timestamp") {
                timestamp = value
            } else if JSONScanner.keyEquals(b, key, "Type") {
                f[.kind] = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "Version") || JSONScanner.keyEquals(b, key, "CloudWatchMetrics") {
                emfSeen = true
            } else if JSONScanner.keyEquals(b, key, "ClusterName") {
                f[.cluster] = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "NodeName") {
                f[.node] = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "Namespace") {
                f[.ns] = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "PodName") {
                podName = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "ContainerName") || JSONScanner.keyEquals(b, key, "ServiceName") {
                if otherName.isEmpty { otherName = JSONScanner.scalarText(b, value) ?? "" }
            } else if JSONScanner.keyEquals(b, key, "_aws") {
                emfSeen = true
                try walkIfObject(b, value) { k, v in
                    if JSONScanner.keyEquals(b, k, "Timestamp") { timestamp = v }
                }
            }
        }
        guard emfSeen else {
            throw ParseFailure("expected a Container Insights performance event (\"Version\", \"CloudWatchMetrics\" or \"_aws\")")
        }
        f[.name] = podName.isEmpty ? otherName : podName
        let time: Int64
        if let timestamp {
            // A string ("1567096682364", version 0) or a number (1567096682364, _aws).
            let inner = JSONScanner.isString(b, timestamp) ? (timestamp.lowerBound + 1)..<(timestamp.upperBound - 1) : timestamp
            var millis: Int64 = 0
            var digits = 0
            for k in inner {
                let c = b[k]
                guard c >= 48, c <= 57, digits < 16 else { digits = -1; break }
                millis = millis * 10 + Int64(c - 48)
                digits += 1
            }
            guard digits > 0 else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[timestamp.prefix(40)]), as: UTF8.self)
                throw ParseFailure("expected epoch milliseconds in \"Timestamp\", found \(text)", offset: timestamp.lowerBound)
            }
            time = millis * 1_000_000
        } else {
            let missing = context.missingTime()
            time = missing.time
            f[.timesource] = missing.source
        }
        let raw = UnsafeBufferPointer(rebasing: b[range])
        f[.id] = ContentID.of(raw)
        return AuditEvent(time: time, source: .perf, fields: f, raw: Array(raw))
    }
}
