import AuditCore

/// What a top-level object's members say about its format.
struct Shape {
    var kind: String?
    /// The `kind` member when it is not a string (`{"kind": 0}`): a damaged event.
    var badKind: Range<Int>?
    var records: Range<Int>?
    /// Further `Records` arrays of the same object (a key given twice: JSON leaves it to the
    /// reader; every record of every array is kept rather than the last array winning).
    var moreRecords: [Range<Int>] = []
    var items: Range<Int>?
    var eventVersion = false
    var eventName = false
    var eventSource = false
    var auditID = false
    var stage = false
    var cloudTrailEvent: Range<Int>?
    var emf = false
    var version = false
    var timestamp = false
    var type = false
    var digest = false
    var detailType: String?
    var detail: Range<Int>?
    var messageType: String?
    var logEvents: Range<Int>?
    var logStream: String?
    var events: Range<Int>?
    var awslogs: Range<Int>?

    /// What the object is.
    enum Kind: Equatable {
        case cloudTrailFile, cloudTrailRecord, k8sList, k8sEvent, lookupEvent, eventBridge, subscription
        case lambdaLogs, logEvents, digest, emf, unknown
    }

    mutating func note(_ b: UnsafeBufferPointer<UInt8>, _ key: Range<Int>, _ value: Range<Int>) {
        let isArray = b[value.lowerBound] == UInt8(ascii: "[")
        let isObject = b[value.lowerBound] == UInt8(ascii: "{")
        if JSONScanner.keyEquals(b, key, "kind") {
            kind = JSONScanner.string(b, value)
            if kind == nil { badKind = value }
        } else if JSONScanner.keyEquals(b, key, "Records"), isArray {
            if records == nil { records = value } else { moreRecords.append(value) }
        } else if JSONScanner.keyEquals(b, key, "items"), isArray {
            items = value
        } else if JSONScanner.keyEquals(b, key, "eventVersion") {
            eventVersion = true
        } else if JSONScanner.keyEquals(b, key, "eventName") {
            eventName = true
        } else if JSONScanner.keyEquals(b, key, "eventSource") {
            eventSource = true
        } else if JSONScanner.keyEquals(b, key, "auditID") {
            auditID = true
        } else if JSONScanner.keyEquals(b, key, "stage") {
            stage = true
        } else if JSONScanner.keyEquals(b, key, "CloudTrailEvent") {
            cloudTrailEvent = value
        } else if JSONScanner.keyEquals(b, key, "CloudWatchMetrics") || JSONScanner.keyEquals(b, key, "_aws") {
            emf = true
        } else if JSONScanner.keyEquals(b, key, "Version") {
            version = true
        } else if JSONScanner.keyEquals(b, key, "Timestamp") {
            timestamp = true
        } else if JSONScanner.keyEquals(b, key, "Type") {
            type = true
        } else if JSONScanner.keyEquals(b, key, "digestStartTime") || JSONScanner.keyEquals(b, key, "digestPublicKeyFingerprint") {
            digest = true
        } else if JSONScanner.keyEquals(b, key, "detail-type") {
            detailType = JSONScanner.string(b, value)
        } else if JSONScanner.keyEquals(b, key, "detail"), isObject {
            detail = value
        } else if JSONScanner.keyEquals(b, key, "messageType") {
            messageType = JSONScanner.string(b, value)
        } else if JSONScanner.keyEquals(b, key, "logEvents"), isArray {
            logEvents = value
        } else if JSONScanner.keyEquals(b, key, "logStream") {
            logStream = JSONScanner.string(b, value)
        } else if JSONScanner.keyEquals(b, key, "events"), isArray {
            events = value
        } else if JSONScanner.keyEquals(b, key, "awslogs"), isObject {
            awslogs = value
        }
    }

    /// The kind detected from the members.
    var detected: Kind {
        if records != nil { return .cloudTrailFile }
        if kind == "EventList", items != nil { return .k8sList }
        if kind == "Event" || (kind == nil && auditID && stage) { return .k8sEvent }
        if cloudTrailEvent != nil { return .lookupEvent }
        if detailType != nil, detail != nil { return .eventBridge }
        if messageType != nil { return .subscription }
        if awslogs != nil { return .lambdaLogs }
        if events != nil { return .logEvents }
        if digest { return .digest }
        if eventVersion || (eventName && eventSource) { return .cloudTrailRecord }
        if emf || (version && timestamp && type) { return .emf }
        return .unknown
    }

    /// The kind to decode as when `format` is forced: the detected kind when the format
    /// allows it, else the format's main kind (whose parser then says what is missing).
    func kind(for format: InputFormat) -> Kind {
        let found = detected
        switch format {
        case .auto: return found
        case .cloudtrail: return [.cloudTrailFile, .cloudTrailRecord, .digest].contains(found) ? found : .cloudTrailRecord
        case .k8sAudit: return found == .k8sList ? .k8sList : .k8sEvent
        case .lookupEvents: return .lookupEvent
        case .eventBridge: return .eventBridge
        case .cloudwatch: return [.subscription, .lambdaLogs, .logEvents].contains(found) ? found : .subscription
        case .emf: return .emf
        case .klog, .controllerManager, .scheduler, .authenticator: return found
        }
    }

    func unsupportedReason(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if let badKind {
            let found = String(decoding: UnsafeBufferPointer(rebasing: b[badKind.prefix(30)]), as: UTF8.self)
            return "expected \"kind\" to be the string \"Event\" or \"EventList\", found \(found)"
        }
        if let kind { return "expected a Kubernetes audit Event or EventList, found kind \"\(kind)\"" }
        return "expected a Kubernetes audit Event (\"kind\":\"Event\"), an EventList, a CloudTrail record (\"eventVersion\", \"eventName\"), a CloudWatch Logs or EventBridge envelope, or a Container Insights event, found an object with neither"
    }
}
