import AuditCore

/// One problem in a decoded batch: its kind for programs, its place in the batch, and the
/// rejection itself for the quarantine.
public struct BatchProblem: Sendable {
    /// What kind of problem it is.
    public var kind: RejectionKind
    /// The element of the batch it is in (`items[index]` of an EventList, `Records[index]`,
    /// `[index]` of a top-level array, the index-th value of NDJSON), when the batch has elements.
    public var index: Int?
    /// The JSON path of that element (`items[3]`), when the batch is one JSON value.
    public var path: String?
    /// Byte offset in the (decompressed) batch where the problem was found.
    public var offset: Int
    /// What was expected and what was found.
    public var reason: String
    /// The rejection as the CLI reports and quarantines it.
    public var rejection: Rejection
}

/// The outcome of decoding one buffer: its events in order and what could not be stored.
public struct DecodedBatch: Sendable {
    /// The events, in the order they appear in the buffer.
    public var events: [AuditEvent] = []
    /// Every rejected value (and the whole buffer, when none of it is a known format).
    public var problems: [BatchProblem] = []
    /// CloudTrail digest files met (not events; neither stored nor rejected).
    public var digests = 0

    public init() {}
}

/// The ingest seam: bytes in, events and typed rejections out, with no idea whether the bytes
/// came from a file, stdin or an HTTP body. Decoding is the CLI's (``Ingestor`` with a
/// ``BatchCollector`` for sink): the same format detection, the same reasons.
///
/// Not `Sendable` (it may hold an ``ActorCorrelator``): make one per batch, on the task that
/// decodes it.
public struct BatchDecoder {
    /// The name rejections carry in place of a file name (`POST /v1/ingest/k8s-audit`).
    public var name: String
    /// The format to read, or `.auto` to tell it from the content.
    public var format: InputFormat
    /// The largest single event or text line accepted.
    public var maxLineBytes = JSONValueReader.defaultMaxLineBytes
    /// Identity links to use and extend; nil turns correlation off.
    public var correlator: ActorCorrelator?

    public init(name: String, format: InputFormat = .auto, correlator: ActorCorrelator? = nil) {
        self.name = name
        self.format = format
        self.correlator = correlator
    }

    /// Decodes `bytes` (not compressed; see ``gunzip(_:maximumBytes:)``). Events without a time
    /// get `receivedAt` (ns UTC), marked `timesource=ingest`.
    public func decode(_ bytes: [UInt8], receivedAt: Int64) -> DecodedBatch {
        var options = IngestOptions()
        options.format = format
        options.maxLineBytes = maxLineBytes
        options.correlator = correlator
        let sink = BatchCollector()
        var rejections: [Rejection] = []
        var damaged: [IngestError] = []
        var skipped: String?
        let ingestor = Ingestor(
            writer: sink, options: options,
            onRejection: { rejections.append($0) },
            onInputError: { damaged.append($0) },
            onSkippedInput: { _, reason in skipped = reason })
        // Only the sink could throw, and a collector does not.
        try? ingestor.ingest(buffer: bytes, name: name, fallbackTime: receivedAt)

        var batch = DecodedBatch()
        batch.events = sink.events
        batch.digests = ingestor.summary.digests
        var places: BatchElements?
        if !rejections.isEmpty { places = BatchElements(bytes) }
        for rejection in rejections {
            let element = places?.element(containing: rejection.offset, line: rejection.line)
            batch.problems.append(
                BatchProblem(
                    kind: RejectionKind(rejection), index: element?.index, path: element?.path, offset: rejection.offset,
                    reason: rejection.reason, rejection: rejection))
        }
        if let skipped {
            let reason = skipped == "empty" || skipped == "blank" ? "expected events, found an \(skipped) body" : skipped
            let rejection = Rejection(file: name, line: 1, offset: 0, reason: reason, raw: bytes)
            batch.problems.append(
                BatchProblem(kind: .unrecognised, index: nil, path: nil, offset: 0, reason: reason, rejection: rejection))
        }
        for error in damaged {
            let rejection = Rejection(file: name, line: 0, offset: 0, reason: error.message)
            batch.problems.append(
                BatchProblem(kind: .damagedInput, index: nil, path: nil, offset: 0, reason: error.message, rejection: rejection))
        }
        return batch
    }

    /// Why a compressed buffer cannot be decoded.
    public enum GunzipFailure: Error, Sendable, Equatable {
        /// Not gzip, damaged or truncated.
        case damaged
        /// It would decompress past the limit (bytes).
        case tooLarge(limit: Int)
    }

    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed content of gzip `bytes` (every member), at most `maximumBytes` of it.
    public static func gunzip(_ bytes: [UInt8], maximumBytes: Int) throws(GunzipFailure) -> [UInt8] {
        let limit = min(maximumBytes, WholeGzip.maxOutputBytes)
        let n = bytes.count
        if n >= 18 {
            // ISIZE of a one-member stream: refuse a bomb before inflating it.
            let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
            if isize > limit { throw .tooLarge(limit: limit) }
        }
        guard let output = WholeGzip.decompress(bytes) else { throw .damaged }
        if output.count > limit { throw .tooLarge(limit: limit) }
        return output
    }
}
