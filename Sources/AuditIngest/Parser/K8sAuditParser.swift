import AuditCore

/// Normalizes one Kubernetes audit `Event` object (`audit.k8s.io/v1` or `v1beta1`).
///
/// Time: `stageTimestamp` — when this stage happened, the completion time for
/// `ResponseComplete` like CloudTrail's `eventTime`, and the order in which the apiserver writes
/// its log — else `requestReceivedTimestamp`, else v1beta1 `timestamp`.
/// An event with none of these takes `p_event_time` (set by Panther exports), else the
/// envelope's or the input's time (``ParseContext/missingTime()``), marked in `timesource`:
/// kept, not lost. A time field that is
/// present but not a time (`"..."`) rejects the event.
/// `latency` is stageTimestamp − requestReceivedTimestamp in milliseconds.
///
/// `actor`: `user.extra.canonicalArn` (EKS), else `user.extra.arn` made canonical, else the ARN
/// an aws-iam-authenticator line gave for this username (``ActorCorrelator``), else the
/// username.
public enum K8sAuditParser {
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, fallbackTime: Int64) throws -> AuditEvent {
        try parse(b, range, ParseContext(fallbackTime: fallbackTime))
    }

    /// Parses the event at `range`; `members`, when given, are its top-level members as a reader
    /// already found them (the object is not walked again).
    public static func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ context: ParseContext, members: [JSONMember]? = nil
    ) throws -> AuditEvent {
        var f = FieldValues()
        var stageTime: Range<Int>?
        var receivedTime: Range<Int>?
        var legacyTime: Range<Int>?
        var exportTime: Range<Int>?
        var username = ""
        var canonicalArn = ""
        var extraArn = ""
        var kind: String?
        // Dispatched on the key's length first: an event has ~20 members and most of them
        // (requestObject, responseObject, apiVersion…) match no name here.
        try forEachMember(b, range, members) { key, value in
            switch key.count - 2 {
            case 4:
                if JSONScanner.keyEquals(b, key, "kind") {
                    kind = JSONScanner.string(b, value)
                } else if JSONScanner.keyEquals(b, key, "verb") {
                    f[.verb] = context.sharedText(b, value) ?? ""
                } else if JSONScanner.keyEquals(b, key, "user") {
                    try walkIfObject(b, value) { k, v in
                        if JSONScanner.keyEquals(b, k, "username") {
                            username = context.sharedText(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "groups") {
                            f[.groups] =
                                context.sharedText(b, v) { b, r in JSONScanner.stringElements(b, r).joined(separator: ",") } ?? ""
                        } else if JSONScanner.keyEquals(b, k, "extra") {
                            try walkIfObject(b, v) { ek, ev in
                                if JSONScanner.keyEquals(b, ek, "canonicalArn"), let first = JSONScanner.firstElement(b, ev) {
                                    canonicalArn = context.sharedText(b, first) ?? ""
                                } else if JSONScanner.keyEquals(b, ek, "arn"), let first = JSONScanner.firstElement(b, ev) {
                                    extraArn = context.sharedText(b, first) ?? ""
                                }
                            }
                        }
                    }
                }
            case 5:
                if JSONScanner.keyEquals(b, key, "level") {
                    f[.level] = context.sharedText(b, value) ?? ""
                } else if JSONScanner.keyEquals(b, key, "stage") {
                    f[.stage] = context.sharedText(b, value) ?? ""
                }
            case 7:
                if JSONScanner.keyEquals(b, key, "auditID") { f[.id] = JSONScanner.scalarText(b, value) ?? "" }
            case 9:
                if JSONScanner.keyEquals(b, key, "userAgent") {
                    f[.agent] = context.sharedText(b, value) ?? ""
                } else if JSONScanner.keyEquals(b, key, "sourceIPs") {
                    if let first = JSONScanner.firstElement(b, value) { f[.ip] = JSONScanner.scalarText(b, first) ?? "" }
                } else if JSONScanner.keyEquals(b, key, "timestamp") {
                    legacyTime = value
                } else if JSONScanner.keyEquals(b, key, "objectRef") {
                    try walkIfObject(b, value) { k, v in
                        if JSONScanner.keyEquals(b, k, "resource") {
                            f[.resource] = context.sharedText(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "namespace") {
                            f[.ns] = context.sharedText(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "name") {
                            f[.name] = JSONScanner.scalarText(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "subresource") {
                            f[.subresource] = context.sharedText(b, v) ?? ""
                        }
                    }
                }
            case 10:
                if JSONScanner.keyEquals(b, key, "requestURI") { f[.uri] = JSONScanner.scalarText(b, value) ?? "" }
            case 11:
                if JSONScanner.keyEquals(b, key, "annotations") {
                    try walkIfObject(b, value) { k, v in
                        if JSONScanner.keyEquals(b, k, "authorization.k8s.io/decision") {
                            f[.decision] = context.sharedText(b, v) ?? ""
                        }
                    }
                }
            case 12:
                if JSONScanner.keyEquals(b, key, "p_event_time") { exportTime = value }
            case 14:
                if JSONScanner.keyEquals(b, key, "stageTimestamp") {
                    stageTime = value
                } else if JSONScanner.keyEquals(b, key, "responseStatus") {
                    try walkIfObject(b, value) { k, v in
                        if JSONScanner.keyEquals(b, k, "code") {
                            f[.code] = context.sharedText(b, v) ?? ""
                        } else if JSONScanner.keyEquals(b, k, "reason") {
                            f[.reason] = context.sharedText(b, v) ?? ""
                        }
                    }
                }
            case 24:
                if JSONScanner.keyEquals(b, key, "requestReceivedTimestamp") { receivedTime = value }
            default:
                break
            }
        }
        if let kind, kind != "Event" {
            throw ParseFailure("expected a Kubernetes audit event (\"kind\":\"Event\"), found kind \"\(kind)\"")
        }
        guard kind != nil || !f[.id].isEmpty else {
            throw ParseFailure("expected a Kubernetes audit event (\"kind\":\"Event\" or an \"auditID\"), found neither")
        }
        f[.user] = username
        if !canonicalArn.isEmpty {
            f[.actor] = canonicalArn
        } else if !extraArn.isEmpty {
            f[.actor] = ActorCorrelator.canonical(extraArn)
        } else if let arn = context.correlator?.arn(forUsername: username) {
            f[.actor] = arn
        } else {
            f[.actor] = username
        }
        let stage = try stageTime.map { try time(b, $0, "stageTimestamp") }
        let received = try receivedTime.map { try time(b, $0, "requestReceivedTimestamp") }
        var eventTime =
            try stage ?? received ?? legacyTime.map({ try time(b, $0, "timestamp") })
            ?? exportTime.map({ try time(b, $0, "p_event_time") })
        if eventTime == nil {
            let missing = context.missingTime()
            eventTime = missing.time
            f[.timesource] = missing.source
        }
        if let stage, let received {
            f[.latency] = formatMillis(stage - received)
        }
        return AuditEvent(
            time: eventTime!, source: .k8sAudit, fields: f, raw: Array(UnsafeBufferPointer(rebasing: b[range])))
    }

    static func time(_ b: UnsafeBufferPointer<UInt8>, _ value: Range<Int>, _ name: String) throws -> Int64 {
        guard JSONScanner.isString(b, value), value.count >= 2,
            let t = Timestamp.parse(UnsafeBufferPointer(rebasing: b[(value.lowerBound + 1)..<(value.upperBound - 1)]))
        else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[value.prefix(40)]), as: UTF8.self)
            throw ParseFailure("expected an RFC 3339 time in \"\(name)\", found \(text)", offset: value.lowerBound)
        }
        return t
    }

    static func formatMillis(_ nanos: Int64) -> String {
        let micros = nanos / 1_000
        let whole = micros / 1_000
        let frac = abs(micros % 1_000)
        let fracText = String(frac)
        return (micros < 0 && whole == 0 ? "-" : "") + String(whole) + "." + String(repeating: "0", count: 3 - fracText.count) + fracText
    }
}

/// Walks an object, turning syntax errors into ``ParseFailure``s.
func walk(
    _ b: UnsafeBufferPointer<UInt8>, _ start: Int,
    _ body: (_ key: Range<Int>, _ value: Range<Int>) throws -> Void
) throws {
    var inner: (any Error)?
    do throws(JSONSyntaxError) {
        try JSONScanner.walkObject(b, start) { k, v throws(JSONSyntaxError) in
            guard inner == nil else { return }
            do { try body(k, v) } catch { inner = error }
        }
    } catch {
        throw ParseFailure(error.description, offset: error.offset)
    }
    if let inner { throw inner }
}

/// Calls `body` for each member of the object at `range`: from `members` when a reader already
/// found them, else by walking the object.
func forEachMember(
    _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ members: [JSONMember]?,
    _ body: (_ key: Range<Int>, _ value: Range<Int>) throws -> Void
) throws {
    guard let members else { return try walk(b, range.lowerBound, body) }
    for member in members { try body(member.key, member.value) }
}

/// Walks `value` when it is an object; ignores other values (a field of an unexpected type is
/// left empty rather than losing the event).
func walkIfObject(
    _ b: UnsafeBufferPointer<UInt8>, _ value: Range<Int>,
    _ body: (_ key: Range<Int>, _ value: Range<Int>) throws -> Void
) throws {
    guard !value.isEmpty, b[value.lowerBound] == UInt8(ascii: "{") else { return }
    try walk(b, value.lowerBound, body)
}
