import AuditCore

/// Recognizes what a top-level JSON value is, by content, and turns it into events:
/// a CloudTrail delivery file `{"Records":[…]}`, a bare CloudTrail record, a JSON array of
/// records, a Kubernetes audit `Event` or `EventList`. Anything else is a rejection that says
/// what it looks like.
public struct EventDecoder {
    /// Where the value came from, for rejections.
    public var file: String
    /// The time given to events that carry none (ns UTC): the input file's modification time,
    /// so that ingesting the same file again still finds them as duplicates.
    public var fallbackTime: Int64

    public init(file: String, fallbackTime: Int64) {
        self.file = file
        self.fallbackTime = fallbackTime
    }

    /// Decodes the value at `range` of `b` that starts on `line` at stream offset `offset`.
    /// Calls `emit` for each event and `reject` for each value that is not one; a bad record
    /// inside a file of records rejects that record only.
    public func decode(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        let first = b[range.lowerBound]
        if first == UInt8(ascii: "[") {
            var elements: [Range<Int>] = []
            _ = try? JSONScanner.walkArray(b, range.lowerBound) { elements.append($0) }
            for element in elements {
                try decodeObject(b, element, base: range.lowerBound, line: line, offset: offset, emit: emit, reject: reject)
            }
            return
        }
        try decodeObject(b, range, base: range.lowerBound, line: line, offset: offset, emit: emit, reject: reject)
    }

    static let k8sEventPrefix: [UInt8] = Array(#"{"kind":"Event","#.utf8)

    static func startsWith(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ prefix: [UInt8]) -> Bool {
        guard range.count >= prefix.count else { return false }
        for k in 0..<prefix.count where b[range.lowerBound + k] != prefix[k] { return false }
        return true
    }

    private func lineOf(_ b: UnsafeBufferPointer<UInt8>, _ position: Int, base: Int, line: Int) -> Int {
        var l = line
        var k = base
        while k < position {
            if b[k] == 0x0A { l += 1 }
            k += 1
        }
        return l
    }

    private func rejection(
        _ b: UnsafeBufferPointer<UInt8>, at position: Int, base: Int, line: Int, offset: Int, _ reason: String
    ) -> Rejection {
        Rejection(file: file, line: lineOf(b, position, base: base, line: line), offset: offset + (position - base), reason: reason)
    }

    private func decodeObject(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, base: Int, line: Int, offset: Int,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        guard b[range.lowerBound] == UInt8(ascii: "{") else {
            let found = String(decoding: UnsafeBufferPointer(rebasing: b[range.prefix(20)]), as: UTF8.self)
            reject(rejection(b, at: range.lowerBound, base: base, line: line, offset: offset, "expected a JSON object (an event or a file of events), found \(found)"))
            return
        }
        func parse(_ element: Range<Int>, _ parser: (UnsafeBufferPointer<UInt8>, Range<Int>, Int64) throws -> AuditEvent) throws {
            let event: AuditEvent
            do {
                event = try parser(b, element, fallbackTime)
            } catch let failure as ParseFailure {
                reject(rejection(b, at: failure.offset ?? element.lowerBound, base: base, line: line, offset: offset, failure.reason))
                return
            } catch {
                reject(rejection(b, at: element.lowerBound, base: base, line: line, offset: offset, "\(error)"))
                return
            }
            try emit(event)
        }
        // The common case, a k8s audit line as the apiserver writes it, starts with its kind:
        // parse it directly instead of walking it once more to learn its shape.
        if Self.startsWith(b, range, Self.k8sEventPrefix) {
            try parse(range, K8sAuditParser.parse)
            return
        }
        var shape = Shape()
        do throws(JSONSyntaxError) {
            try JSONScanner.walkObject(b, range.lowerBound) { key, value throws(JSONSyntaxError) in
                shape.note(b, key, value)
            }
        } catch {
            reject(rejection(b, at: error.offset, base: base, line: line, offset: offset, error.description))
            return
        }
        if let records = shape.records {
            var elements: [Range<Int>] = []
            _ = try? JSONScanner.walkArray(b, records.lowerBound) { elements.append($0) }
            for element in elements {
                guard b[element.lowerBound] == UInt8(ascii: "{") else {
                    reject(rejection(b, at: element.lowerBound, base: base, line: line, offset: offset, "expected a CloudTrail record object in \"Records\", found another value"))
                    continue
                }
                try parse(element, CloudTrailParser.parse)
            }
        } else if shape.kind == "EventList", let items = shape.items {
            var elements: [Range<Int>] = []
            _ = try? JSONScanner.walkArray(b, items.lowerBound) { elements.append($0) }
            for element in elements {
                guard b[element.lowerBound] == UInt8(ascii: "{") else {
                    reject(rejection(b, at: element.lowerBound, base: base, line: line, offset: offset, "expected an audit Event object in \"items\", found another value"))
                    continue
                }
                try parse(element, K8sAuditParser.parse)
            }
        } else if shape.kind == "Event" || (shape.kind == nil && shape.auditID && shape.stage) {
            try parse(range, K8sAuditParser.parse)
        } else if shape.eventVersion || (shape.eventName && shape.eventSource) {
            try parse(range, CloudTrailParser.parse)
        } else {
            reject(rejection(b, at: range.lowerBound, base: base, line: line, offset: offset, shape.unsupportedReason))
        }
    }
}

/// What a top-level object's members say about its format.
struct Shape {
    var kind: String?
    var records: Range<Int>?
    var items: Range<Int>?
    var eventVersion = false
    var eventName = false
    var eventSource = false
    var auditID = false
    var stage = false
    var cloudTrailEvent = false
    var emf = false
    var digest = false
    var eventBridge = false
    var subscription = false

    mutating func note(_ b: UnsafeBufferPointer<UInt8>, _ key: Range<Int>, _ value: Range<Int>) {
        if JSONScanner.keyEquals(b, key, "kind") {
            kind = JSONScanner.string(b, value)
        } else if JSONScanner.keyEquals(b, key, "Records"), b[value.lowerBound] == UInt8(ascii: "[") {
            records = value
        } else if JSONScanner.keyEquals(b, key, "items"), b[value.lowerBound] == UInt8(ascii: "[") {
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
            cloudTrailEvent = true
        } else if JSONScanner.keyEquals(b, key, "CloudWatchMetrics") || JSONScanner.keyEquals(b, key, "_aws") {
            emf = true
        } else if JSONScanner.keyEquals(b, key, "digestStartTime") || JSONScanner.keyEquals(b, key, "logFiles") {
            digest = true
        } else if JSONScanner.keyEquals(b, key, "detail-type") {
            eventBridge = true
        } else if JSONScanner.keyEquals(b, key, "messageType") {
            subscription = true
        }
    }

    var unsupportedReason: String {
        if cloudTrailEvent { return "unsupported format: `aws cloudtrail lookup-events` output (CloudTrailEvent as a string); not read yet" }
        if emf { return "unsupported format: Container Insights performance event (EMF); not read yet" }
        if digest { return "not an event: a CloudTrail digest file" }
        if eventBridge { return "unsupported format: EventBridge envelope; not read yet" }
        if subscription { return "unsupported format: CloudWatch Logs subscription payload; not read yet" }
        if let kind { return "expected a Kubernetes audit Event or EventList, found kind \"\(kind)\"" }
        return "expected a Kubernetes audit Event (\"kind\":\"Event\"), an EventList, or a CloudTrail record (\"eventVersion\", \"eventName\"), found an object with neither"
    }
}
