import AuditCore

/// CloudWatch Logs envelopes, embedded messages and text lines.
extension EventDecoder {
    /// The klog source a CloudWatch log stream name says (EKS stream prefixes, FORMATS.md §2.5).
    static func klogSource(stream: String) -> SourceKind? {
        if stream.hasPrefix("kube-controller-manager") { return .controllerManager }
        if stream.hasPrefix("kube-scheduler") { return .scheduler }
        if stream.hasPrefix("kube-apiserver") { return .apiserver }
        return nil
    }

    /// A place that reports everything at `position` of the outer value.
    func fixedPlace(_ b: UnsafeBufferPointer<UInt8>, _ position: Int, _ place: Place) -> Place {
        if place.fixed { return place }
        var l = place.line
        var k = place.base
        while k < position {
            if b[k] == 0x0A { l += 1 }
            k += 1
        }
        return Place(base: 0, line: l, offset: place.offset + (position - place.base), fixed: true)
    }

    /// Decodes bytes that were embedded in a value at `position` of `b` (a CloudWatch message,
    /// a lookup-events `CloudTrailEvent`, a decompressed payload): JSON values, or a text line.
    func decodeEmbedded(
        _ bytes: [UInt8], at position: Int, in b: UnsafeBufferPointer<UInt8>, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        let inner = fixedPlace(b, position, place)
        try bytes.withUnsafeBufferPointer { nb in
            var i = JSONScanner.skipWhitespace(nb, 0)
            guard i < nb.count else {
                reject(rejection(nb, at: 0, value: 0..<nb.count, inner, "expected an event in the message, found an empty one"))
                return
            }
            guard nb[i] == UInt8(ascii: "{") || nb[i] == UInt8(ascii: "[") else {
                try decodeLine(nb, i..<nb.count, inner, context, emit: emit, reject: reject)
                return
            }
            while i < nb.count {
                let end: Int
                do throws(JSONSyntaxError) {
                    end = try JSONScanner.skipValue(nb, i)
                } catch {
                    reject(rejection(nb, at: i, value: i..<nb.count, inner, "malformed JSON: \(error.description)"))
                    return
                }
                try decodeValue(nb, i..<end, inner, context, emit: emit, reject: reject)
                i = JSONScanner.skipWhitespace(nb, end)
            }
        }
    }

    /// A subscription filter payload: `DATA_MESSAGE`s' log events are decoded,
    /// `CONTROL_MESSAGE`s (reachability checks CloudWatch sends) are dropped.
    func decodeSubscription(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ shape: Shape, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        switch shape.messageType {
        case "CONTROL_MESSAGE":
            return
        case "DATA_MESSAGE":
            guard let events = shape.logEvents else {
                reject(rejection(b, at: range.lowerBound, value: range, place, "expected \"logEvents\" in a CloudWatch Logs DATA_MESSAGE"))
                return
            }
            try decodeLogEvents(b, events, stream: shape.logStream, place, context, emit: emit, reject: reject)
        default:
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected a CloudWatch Logs subscription payload with messageType DATA_MESSAGE or CONTROL_MESSAGE, found \"\(shape.messageType ?? "")\""))
        }
    }

    /// A Lambda event from a subscription: `{"awslogs":{"data":"<base64 gzip payload>"}}`.
    func decodeLambdaLogs(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ shape: Shape, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        var data: Range<Int>?
        _ = try? JSONScanner.walkObject(b, shape.awslogs!.lowerBound) { k, v in
            if JSONScanner.keyEquals(b, k, "data"), JSONScanner.isString(b, v) { data = v }
        }
        guard let data else {
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected \"awslogs\": {\"data\": \"<base64 gzip>\"}"))
            return
        }
        try decodeCompressed(b, (data.lowerBound + 1)..<(data.upperBound - 1), place, context, emit: emit, reject: reject)
    }

    /// Base64 of a gzip payload at `b[range]`.
    func decodeCompressed(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        guard let compressed = Base64.decode(b, range) else {
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected base64 of a gzip CloudWatch Logs payload, found a character outside base64"))
            return
        }
        guard let plain = WholeGzip.decompress(compressed) else {
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected base64 of a gzip CloudWatch Logs payload, found damaged or truncated gzip data"))
            return
        }
        try decodeEmbedded(plain, at: range.lowerBound, in: b, place, context, emit: emit, reject: reject)
    }

    /// Log events `[{"timestamp": <ms>, "message": "<event>", "logStreamName"?: …}]` of a
    /// subscription payload or of `aws logs filter-log-events` / `get-log-events` output.
    func decodeLogEvents(
        _ b: UnsafeBufferPointer<UInt8>, _ array: Range<Int>, stream: String?, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        for (element, members) in objects(b, in: array, place, expected: "a CloudWatch Logs event object", reject: reject) {
            var message: Range<Int>?
            var millis: Int64?
            var elementStream = stream
            for member in members {
                let (k, v) = (member.key, member.value)
                if JSONScanner.keyEquals(b, k, "message") {
                    message = v
                } else if JSONScanner.keyEquals(b, k, "timestamp") {
                    millis = JSONScanner.scalarText(b, v).flatMap { Int64($0) }
                } else if JSONScanner.keyEquals(b, k, "logStreamName") {
                    elementStream = JSONScanner.string(b, v)
                }
            }
            guard let message, let text = JSONScanner.string(b, message) else {
                reject(rejection(b, at: element.lowerBound, value: element, place, "expected a CloudWatch Logs event with a \"message\" string"))
                continue
            }
            var inner = context
            if let millis { inner.envelopeTime = millis * 1_000_000 }
            var decoder = self
            if let elementStream, let source = Self.klogSource(stream: elementStream) { decoder.klogSource = source }
            try decoder.decodeEmbedded(Array(text.utf8), at: message.lowerBound, in: b, place, inner, emit: emit, reject: reject)
        }
    }

    /// Decodes one text line (its newline excluded) at `b[range]` that starts on `line` at
    /// stream offset `offset`.
    public func decodeLine(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        try decodeLine(b, range, Place(base: range.lowerBound, line: line, offset: offset), context, emit: emit, reject: reject)
    }

    /// Text lines: klog, aws-iam-authenticator, CloudWatch export lines (`<RFC 3339 time>
    /// <message>`), base64 gzip subscription payloads, or a JSON object on its own line.
    func decodeLine(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ place: Place, _ context: ParseContext,
        emit: (AuditEvent) throws -> Void, reject: (Rejection) -> Void
    ) throws {
        var range = range
        while range.upperBound > range.lowerBound, b[range.upperBound - 1] == 0x0D || b[range.upperBound - 1] == 0x20 {
            range = range.lowerBound..<(range.upperBound - 1)
        }
        guard !range.isEmpty else { return }
        switch format {
        case .klog, .controllerManager, .scheduler:
            let source = klogSource
            try parse(b, range, place, context, { try KlogParser.parse($0, $1, source: source, $2) }, emit: emit, reject: reject)
            return
        case .authenticator:
            try parse(b, range, place, context, AuthenticatorParser.parse, emit: emit, reject: reject)
            return
        default: break
        }
        if KlogParser.looksLikeKlog(b, range) {
            let source = klogSource
            try parse(b, range, place, context, { try KlogParser.parse($0, $1, source: source, $2) }, emit: emit, reject: reject)
        } else if AuthenticatorParser.looksLikeLogrus(b, range) {
            try parse(b, range, place, context, AuthenticatorParser.parse, emit: emit, reject: reject)
        } else if let (time, payload) = Self.exportLine(b, range) {
            var inner = context
            inner.envelopeTime = time
            if b[payload.lowerBound] == UInt8(ascii: "{") || b[payload.lowerBound] == UInt8(ascii: "[") {
                let end: Int
                do throws(JSONSyntaxError) {
                    end = try JSONScanner.skipValue(b, payload.lowerBound)
                } catch {
                    reject(rejection(b, at: error.offset, value: range, place, "malformed JSON after the CloudWatch export time: \(error.description)"))
                    return
                }
                try decodeValue(b, payload.lowerBound..<min(end, payload.upperBound), place, inner, emit: emit, reject: reject)
            } else {
                try decodeLine(b, payload, place, inner, emit: emit, reject: reject)
            }
        } else if Base64.looksLikeGzip(b, range) {
            try decodeCompressed(b, range, place, context, emit: emit, reject: reject)
        } else if b[range.lowerBound] == UInt8(ascii: "{") || b[range.lowerBound] == UInt8(ascii: "[") {
            let end: Int
            do throws(JSONSyntaxError) {
                end = try JSONScanner.skipValue(b, range.lowerBound)
            } catch {
                reject(rejection(b, at: error.offset, value: range, place, "malformed JSON: \(error.description)"))
                return
            }
            try decodeValue(b, range.lowerBound..<end, place, context, emit: emit, reject: reject)
        } else {
            let found = String(decoding: UnsafeBufferPointer(rebasing: b[range.prefix(30)]), as: UTF8.self)
            reject(rejection(b, at: range.lowerBound, value: range, place, "expected a klog line, an aws-iam-authenticator line, a CloudWatch export line (<time> <event>) or JSON, found \"\(found)\""))
        }
    }

    /// A CloudWatch Logs export line: an RFC 3339 time (any offset, `T` or `t`), one space, the
    /// message; or a container-runtime (CRI) log line, whose time is followed by the stream and
    /// a full/partial tag (`2026-11-24T12:00:00.123+02:00 stderr F <message>`). Returns the
    /// time (ns) and the message's range.
    static func exportLine(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (Int64, Range<Int>)? {
        let s = range.lowerBound
        guard range.count > 21, KlogParser.isDigit(b[s]), b[s + 4] == UInt8(ascii: "-"),
            b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: "t")
        else { return nil }
        var space = s + 11
        while space < range.upperBound, b[space] != 0x20 { space += 1 }
        guard space < range.upperBound, space - s <= 40, let time = Timestamp.parse(UnsafeBufferPointer(rebasing: b[s..<space])) else { return nil }
        var payload = space + 1
        while payload < range.upperBound, b[payload] == 0x20 { payload += 1 }
        payload = criMessage(b, payload..<range.upperBound)
        guard payload < range.upperBound else { return nil }
        return (time, payload..<range.upperBound)
    }

    static let criStreams: [[UInt8]] = ["stdout ", "stderr "].map { Array($0.utf8) }

    /// Where the message starts when `b[range]` begins with a CRI stream and tag (`stdout F `,
    /// `stderr P `), else `range.lowerBound`. The ingest joins partial (`P`) pieces first
    /// (``CRIPartials``); a piece left alone is read as a line of its own.
    static func criMessage(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        let s = range.lowerBound
        guard range.count > 9, Self.criStreams.contains(where: { startsWith(b, s..<range.upperBound, $0) }) else { return s }
        let tag = b[s + 7]
        guard tag == UInt8(ascii: "F") || tag == UInt8(ascii: "P"), b[s + 8] == 0x20 else { return s }
        return s + 9
    }
}
