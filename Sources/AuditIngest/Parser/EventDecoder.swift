import AuditCore

/// Recognizes what a top-level JSON value or text line is, by content, and turns it into
/// events (FORMATS.md §1–3):
/// - CloudTrail: delivery files `{"Records":[…]}`, bare records, arrays of records,
///   `aws cloudtrail lookup-events` output, EventBridge envelopes; digest files are reported
///   (``Rejection/isDigest``) and not stored;
/// - Kubernetes audit `Event`s and `EventList`s;
/// - CloudWatch Logs: subscription payloads (decoded, or base64 of gzip), Lambda `awslogs`
///   events, `aws logs filter-log-events` output, export lines `<time> <message>`; each
///   message is decoded as any of these formats, with the log event's timestamp as envelope
///   time;
/// - Container Insights performance events (EMF);
/// - klog lines and aws-iam-authenticator lines.
/// Anything else is a rejection that says what it looks like.
///
/// EventBridge: the stored event is the `detail` record, not the envelope, so that its raw
/// JSON paths (`userIdentity.arn`) and its dedupe (eventID and content) are the same as for
/// the copy in the S3 trail. lookup-events: the stored event is the decoded `CloudTrailEvent`.
public struct EventDecoder {
    /// Where the value came from, for rejections.
    public var file: String
    /// Times and identity links for the parsers.
    public var context: ParseContext
    /// The format forced with `--format`, or `.auto`.
    public var format: InputFormat
    /// The source of klog lines: told by the CloudWatch log stream when there is one, else by
    /// the input's name or `--format` (klog lines do not say which component wrote them).
    public var klogSource: SourceKind

    /// The time given to events that carry none (ns UTC).
    public var fallbackTime: Int64 { context.fallbackTime }

    public init(file: String, fallbackTime: Int64) {
        self.init(file: file, context: ParseContext(fallbackTime: fallbackTime))
    }

    public init(file: String, context: ParseContext, format: InputFormat = .auto, klogSource: SourceKind? = nil) {
        self.file = file
        self.context = context
        self.format = format
        self.klogSource = klogSource ?? Self.klogSource(named: file, format: format)
    }

    /// The klog source an input's name or the forced format suggests; kube-apiserver when
    /// neither says.
    public static func klogSource(named name: String, format: InputFormat) -> SourceKind {
        switch format {
        case .controllerManager: return .controllerManager
        case .scheduler: return .scheduler
        case .klog: return .apiserver
        default: break
        }
        let lower = name.lowercased()
        if lower.contains("controller-manager") || lower.contains("controllermanager") || lower.contains("controller_manager") {
            return .controllerManager
        }
        if lower.contains("scheduler") { return .scheduler }
        return .apiserver
    }

    /// Where a value sits in the input: to name line and byte offset in rejections. A value
    /// decoded from inside another (a CloudWatch message) is reported at its container.
    struct Place {
        var base: Int
        var line: Int
        var offset: Int
        var fixed = false
    }

    /// Decodes the value at `range` of `b` that starts on `line` at stream offset `offset`.
    /// Calls `emit` for each event and `reject` for each value that is not one; a bad record
    /// inside a file of records rejects that record only. `members`, when the reader already
    /// walked the value (an object), saves walking it again.
    public func decode(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, members: [JSONMember]? = nil,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        try decodeValue(
            b, range, Place(base: range.lowerBound, line: line, offset: offset), context, members: members, emit: emit, reject: reject)
    }

    func decodeValue(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ place: Place, _ context: ParseContext, members: [JSONMember]? = nil,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        let first = b[range.lowerBound]
        if first == UInt8(ascii: "[") {
            var elements: [Range<Int>] = []
            _ = try? JSONScanner.walkArray(b, range.lowerBound) { elements.append($0) }
            for element in elements {
                try decodeObject(b, element, place, context, emit: emit, reject: reject)
            }
            return
        }
        try decodeObject(b, range, place, context, members: members, emit: emit, reject: reject)
    }

    static let k8sEventPrefix: [UInt8] = Array(#"{"kind":"Event","#.utf8)

    static func startsWith(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ prefix: [UInt8]) -> Bool {
        guard range.count >= prefix.count else { return false }
        for k in 0..<prefix.count where b[range.lowerBound + k] != prefix[k] { return false }
        return true
    }

    private func lineOf(_ b: UnsafeBufferPointer<UInt8>, _ position: Int, _ place: Place) -> Int {
        var l = place.line
        var k = place.base
        while k < position {
            if b[k] == 0x0A { l += 1 }
            k += 1
        }
        return l
    }

    /// A rejection at `position`, keeping the bytes of `value` for the quarantine.
    func rejection(
        _ b: UnsafeBufferPointer<UInt8>, at position: Int, value: Range<Int>, _ place: Place, _ reason: String, isDigest: Bool = false
    ) -> Rejection {
        let raw = Array(UnsafeBufferPointer(rebasing: b[value.prefix(Rejection.maxKeptBytes)]))
        if place.fixed {
            return Rejection(file: file, line: place.line, offset: place.offset, reason: reason, raw: raw, length: value.count, isDigest: isDigest)
        }
        return Rejection(
            file: file, line: lineOf(b, position, place), offset: place.offset + (position - place.base), reason: reason,
            raw: raw, length: value.count, isDigest: isDigest)
    }

    /// Runs `parser` on `element`, turning its failure into a rejection.
    func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ element: Range<Int>, _ place: Place, _ context: ParseContext,
        _ parser: (UnsafeBufferPointer<UInt8>, Range<Int>, ParseContext) throws -> AuditEvent,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        let event: AuditEvent
        do {
            event = try parser(b, element, context)
        } catch let failure as ParseFailure {
            reject(rejection(b, at: failure.offset ?? element.lowerBound, value: element, place, failure.reason))
            return
        } catch {
            reject(rejection(b, at: element.lowerBound, value: element, place, "\(error)"))
            return
        }
        try emit(event)
    }

    /// The object elements of the array at `array`, each with its members (found in the one
    /// walk over the array); other elements are rejected.
    func objects(
        _ b: UnsafeBufferPointer<UInt8>, in array: Range<Int>, _ place: Place, expected: String, reject: (Rejection) -> Void
    ) -> [(range: Range<Int>, members: [JSONMember])] {
        var elements: [(range: Range<Int>, members: [JSONMember])] = []
        var others: [Range<Int>] = []
        _ = try? JSONScanner.walkArray(b, array.lowerBound) { i throws(JSONSyntaxError) in
            guard b[i] == UInt8(ascii: "{") else {
                let end = try JSONScanner.skipValue(b, i)
                others.append(i..<end)
                return end
            }
            var members: [JSONMember] = []
            let end = try JSONScanner.members(b, i, depth: 1, into: &members)
            elements.append((i..<end, members))
            return end
        }
        for element in others {
            reject(rejection(b, at: element.lowerBound, value: element, place, "expected \(expected), found another value"))
        }
        return elements
    }

    func decodeObject(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ place: Place, _ context: ParseContext, members: [JSONMember]? = nil,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        guard b[range.lowerBound] == UInt8(ascii: "{") else {
            let found = String(decoding: UnsafeBufferPointer(rebasing: b[range.prefix(20)]), as: UTF8.self)
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected a JSON object (an event or a file of events), found \(found)"))
            return
        }
        // The common case, a k8s audit line as the apiserver writes it, starts with its kind:
        // parse it directly instead of walking it once more to learn its shape.
        if format == .auto || format == .k8sAudit, Self.startsWith(b, range, Self.k8sEventPrefix) {
            try parse(b, range, place, context, { try K8sAuditParser.parse($0, $1, $2, members: members) }, emit: emit, reject: reject)
            return
        }
        var shape = Shape()
        if let members {
            for member in members { shape.note(b, member.key, member.value) }
        } else {
            do throws(JSONSyntaxError) {
                try JSONScanner.walkObject(b, range.lowerBound) { key, value throws(JSONSyntaxError) in
                    shape.note(b, key, value)
                }
            } catch {
                reject(rejection(b, at: error.offset, value: range, place, error.description))
                return
            }
        }
        switch shape.kind(for: format) {
        case .cloudTrailFile:
            for records in [shape.records!] + shape.moreRecords {
                for element in objects(b, in: records, place, expected: "a CloudTrail record object in \"Records\"", reject: reject) {
                    try parse(
                        b, element.range, place, context, { try CloudTrailParser.parse($0, $1, $2, members: element.members) },
                        emit: emit, reject: reject)
                }
            }
        case .k8sList:
            for element in objects(b, in: shape.items!, place, expected: "an audit Event object in \"items\"", reject: reject) {
                try parse(
                    b, element.range, place, context, { try K8sAuditParser.parse($0, $1, $2, members: element.members) }, emit: emit,
                    reject: reject)
            }
        case .k8sEvent:
            try parse(b, range, place, context, { try K8sAuditParser.parse($0, $1, $2, members: members) }, emit: emit, reject: reject)
        case .cloudTrailRecord:
            try parse(b, range, place, context, { try CloudTrailParser.parse($0, $1, $2, members: members) }, emit: emit, reject: reject)
        case .emf:
            try parse(b, range, place, context, EMFParser.parse, emit: emit, reject: reject)
        case .lookupEvent:
            guard let value = shape.cloudTrailEvent, let text = JSONScanner.string(b, value) else {
                reject(rejection(b, at: range.lowerBound, value: range, place, "expected `aws cloudtrail lookup-events` output with \"CloudTrailEvent\" a JSON string"))
                return
            }
            try decodeEmbedded(Array(text.utf8), at: value.lowerBound, in: b, place, context, emit: emit, reject: reject)
        case .eventBridge:
            guard let detail = shape.detail, shape.detailType?.hasSuffix("via CloudTrail") ?? (format == .eventBridge) else {
                reject(rejection(b, at: range.lowerBound, value: range, place, "expected an EventBridge event from CloudTrail (\"detail-type\": \"… via CloudTrail\" with a \"detail\" record), found detail-type \"\(shape.detailType ?? "")\""))
                return
            }
            try parse(b, detail, place, context, { try CloudTrailParser.parse($0, $1, $2) }, emit: emit, reject: reject)
        case .subscription:
            try decodeSubscription(b, range, shape, place, context, emit: emit, reject: reject)
        case .lambdaLogs:
            try decodeLambdaLogs(b, range, shape, place, context, emit: emit, reject: reject)
        case .logEvents:
            try decodeLogEvents(b, shape.events!, stream: nil, place, context, emit: emit, reject: reject)
        case .digest:
            reject(rejection(b, at: range.lowerBound, value: range, place, "a CloudTrail digest file (log file integrity validation), not events", isDigest: true))
        case .unknown:
            reject(rejection(b, at: range.lowerBound, value: range, place, shape.unsupportedReason(b)))
        }
    }
}
