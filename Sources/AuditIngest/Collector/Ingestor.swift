import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Reads inputs, decodes their events and hands them to an ``EventSink`` (the ``StoreWriter``
/// for the CLI, a ``BatchCollector`` for one HTTP body). Rejections and
/// broken inputs are reported through the callbacks (and kept in the ``Quarantine`` when one
/// is given); good events around them are kept.
///
/// An input is JSON when its first non-blank byte is `{` or `[`, else text lines (klog,
/// authenticator, CloudWatch export lines, base64 payloads), unless `--format` says. An input
/// none of whose values is recognised — no event, and only "not a known format" rejections —
/// is reported once as unrecognised instead of value by value.
public final class Ingestor {
    private let writer: any EventSink
    private let options: IngestOptions
    private let quarantine: Quarantine?
    private let onRejection: (Rejection) -> Void
    private let onInputError: (IngestError) -> Void
    private let onSkippedInput: (_ name: String, _ reason: String) -> Void
    /// Things worth knowing that lose nothing: a directory reached twice (a symlink loop), an
    /// event stored with bytes that are not UTF-8. `file` is the input or path concerned.
    private let onWarning: (_ file: String, _ message: String) -> Void
    /// Called after each input and every ``progressEvents`` events.
    public var onProgress: ((IngestSummary) -> Void)?
    /// Totals so far.
    public private(set) var summary = IngestSummary()

    static let progressEvents = 16_384
    /// Rejections held back at the start of an input until its first event, to tell an
    /// unrecognised file from a file with some bad values; past this many they are reported.
    static let heldRejections = 1_000
    /// A text input whose first this many lines are none of a known format is unrecognised
    /// (a README, a script): reading stops there.
    static let textProbeLines = 100

    /// Field values shared between the events of every input (the parsing runs on this thread).
    private let texts = TextInterner()
    /// Per-input state: rejections held until the first event.
    private var held: [Rejection] = []
    private var heldOnlyUnrecognised = true
    private var inputEvents = 0
    private var inputIsText = false
    /// Events of the value being decoded whose bytes are not valid UTF-8 (reported after it).
    private var invalidInValue = 0

    public init(
        writer: any EventSink,
        options: IngestOptions = IngestOptions(),
        quarantine: Quarantine? = nil,
        onRejection: @escaping (Rejection) -> Void,
        onInputError: @escaping (IngestError) -> Void,
        onSkippedInput: @escaping (_ name: String, _ reason: String) -> Void = { _, _ in },
        onWarning: @escaping (_ file: String, _ message: String) -> Void = { _, _ in }
    ) {
        self.writer = writer
        self.options = options
        self.quarantine = quarantine
        self.onRejection = onRejection
        self.onInputError = onInputError
        self.onSkippedInput = onSkippedInput
        self.onWarning = onWarning
    }

    /// Ingests every input under `paths`. A missing path is reported and the rest still read.
    public func ingest(paths: [String]) throws {
        for path in paths {
            let inputs: [PathCollector.Input]
            do {
                // Counted apart: the closure below changes `summary` while `pruned` is borrowed.
                var pruned = 0
                defer { summary.prunedPaths += pruned }
                inputs = try PathCollector.expand([path], pruning: options.pruning, pruned: &pruned) { skipped, reason in
                    summary.skippedDirectories += 1
                    onWarning(skipped, "skipped \(skipped): \(reason)")
                }
            } catch let error as IngestError {
                summary.failedInputs += 1
                onInputError(error)
                continue
            }
            for input in inputs {
                switch input {
                case .stdin:
                    try ingest(source: FileSource(fd: 0, name: "-"), name: "-", fallbackTime: Self.now(), fallbackSource: "ingest")
                case .file(let file):
                    let source: FileSource
                    do {
                        source = try FileSource(path: file)
                    } catch let error as IngestError {
                        summary.failedInputs += 1
                        onInputError(error)
                        continue
                    }
                    if let mtime = Self.modificationTime(file) {
                        try ingest(source: source, name: file, fallbackTime: mtime)
                    } else {
                        try ingest(source: source, name: file, fallbackTime: Self.now(), fallbackSource: "ingest")
                    }
                }
            }
        }
    }

    /// Ingests one byte stream, gzip or not (told by its first bytes). Events that carry no
    /// time get `fallbackTime` (ns UTC), marked `timesource=<fallbackSource>`.
    public func ingest(source: FileSource, name: String, fallbackTime: Int64, fallbackSource: String = "mtime") throws {
        summary.inputs += 1
        defer { onProgress?(summary) }
        var head: [UInt8] = []
        do {
            _ = try source.read(into: &head, maximum: 2)
            if head.count == 1 { _ = try source.read(into: &head, maximum: 1) }
        } catch let error as IngestError {
            summary.failedInputs += 1
            onInputError(error)
            return
        }
        source.unread(head)
        let isGzip = head == [0x1F, 0x8B]
        let context = ParseContext(
            fallbackTime: fallbackTime, fallbackSource: fallbackSource, correlator: options.correlator, texts: texts)
        let decoder = EventDecoder(file: name, context: context, format: options.format)
        if isGzip, name != "-", let whole = WholeGzip.decompress(path: name) {
            // Whole-buffer libdeflate; damaged or oversized files take the streaming path below.
            try ingest(stream: BufferSource(whole), name: name, decoder: decoder, whole: whole)
            return
        }
        let stream: any ByteSource = isGzip ? try GzipSource(input: source, name: name) : source
        try ingest(stream: stream, name: name, decoder: decoder)
    }

    /// Ingests bytes already in memory and not compressed (an HTTP body): JSON is read from
    /// them in place. Events without a time get `fallbackTime`, marked `timesource=<fallbackSource>`.
    public func ingest(buffer: [UInt8], name: String, fallbackTime: Int64, fallbackSource: String = "ingest") throws {
        summary.inputs += 1
        defer { onProgress?(summary) }
        let context = ParseContext(
            fallbackTime: fallbackTime, fallbackSource: fallbackSource, correlator: options.correlator, texts: texts)
        let decoder = EventDecoder(file: name, context: context, format: options.format)
        try ingest(stream: BufferSource(buffer), name: name, decoder: decoder, whole: buffer)
    }

    /// Reads one input; `whole`, when given, is all of `stream`'s bytes already in memory
    /// (a gunzipped file): JSON is then read from it without copying it in chunks.
    func ingest(stream: any ByteSource, name: String, decoder: EventDecoder, whole: [UInt8]? = nil) throws {
        held = []
        heldOnlyUnrecognised = true
        inputEvents = 0
        if let whole, isJSON(startingWith: whole.dropFirst(ByteOrderMark.length(at: whole)).first { !JSONScanner.isWhitespace($0) }) {
            inputIsText = false
            try finish(name, sourceError: readJSON(JSONValueReader(bytes: whole), decoder))
            return
        }
        // Sniff the first non-blank byte to choose the reader.
        var prefix: [UInt8] = []
        var first: UInt8?
        do {
            while first == nil {
                guard try stream.read(into: &prefix, maximum: 1 << 16) > 0 else { break }
                // A byte order mark is no content: the readers skip it too.
                if ByteOrderMark.mayStart(prefix) { continue }
                first = prefix.dropFirst(ByteOrderMark.length(at: prefix)).first { !JSONScanner.isWhitespace($0) }
            }
        } catch let error as IngestError {
            summary.failedInputs += 1
            onInputError(error)
            return
        }
        guard let first else {
            summary.skippedInputs += 1
            onSkippedInput(name, prefix.isEmpty ? "empty" : "blank")
            return
        }
        let source = PrefixedSource(prefix: prefix, rest: stream)
        let json = isJSON(startingWith: first)
        inputIsText = !json
        try finish(name, sourceError: json ? readJSON(JSONValueReader(source: source), decoder) : readLines(source, decoder))
    }

    /// Whether an input whose first non-blank byte is `first` is read as JSON values.
    private func isJSON(startingWith first: UInt8?) -> Bool {
        !options.format.isText && (first == UInt8(ascii: "{") || first == UInt8(ascii: "["))
    }

    /// Ends an input: its held rejections, and the error that ended its stream early if any.
    private func finish(_ name: String, sourceError: (any Error)?) throws {
        finishInput(name)
        if let error = sourceError {
            summary.failedInputs += 1
            if let error = error as? IngestError { onInputError(error) } else { throw error }
        }
    }

    private func readJSON(_ reader: JSONValueReader, _ decoder: EventDecoder) throws -> (any Error)? {
        var reader = reader
        reader.maxLineBytes = options.maxLineBytes
        while let item = reader.next() {
            switch item {
            case .value(let range, let line, let offset):
                summary.bytes += range.count
                try reader.buffer.withUnsafeBufferPointer { b in
                    try decoder.decode(b, range, line: line, offset: offset, members: reader.members, emit: store, reject: reject)
                    warnInvalidUTF8(b, range, line: line, offset: offset, file: decoder.file)
                }
            case .malformed(let line, _, let error):
                summary.bytes += reader.malformedLength
                reject(
                    Rejection(
                        file: decoder.file, line: line, offset: error.offset, reason: "malformed JSON: \(error.description)",
                        raw: reader.malformedBytes, length: reader.malformedLength))
            }
        }
        return reader.sourceError
    }

    /// Text lines. A klog line's continuation lines (those not starting with a header) are
    /// part of its event; the partial pieces of a CRI log line are joined (``CRIPartials``).
    private func readLines(_ source: any ByteSource, _ decoder: EventDecoder) throws -> (any Error)? {
        var reader = LineReader(source: source, maxLineBytes: options.maxLineBytes)
        var pending: [UInt8] = []
        var pendingLine = 0
        var pendingOffset = 0
        func flushPending() throws {
            guard !pending.isEmpty else { return }
            try pending.withUnsafeBufferPointer { b in
                try decoder.decodeLine(b, 0..<b.count, line: pendingLine, offset: pendingOffset, emit: store, reject: reject)
                warnInvalidUTF8(b, 0..<b.count, line: pendingLine, offset: pendingOffset, file: decoder.file)
            }
            pending.removeAll(keepingCapacity: true)
        }
        var cri = CRIPartials(maxBytes: options.maxLineBytes)
        func decodeJoined(_ joined: [UInt8], line: Int, offset: Int) throws {
            try joined.withUnsafeBufferPointer { b in
                try decoder.decodeLine(b, 0..<b.count, line: line, offset: offset, emit: store, reject: reject)
                warnInvalidUTF8(b, 0..<b.count, line: line, offset: offset, file: decoder.file)
            }
        }
        while let item = reader.next() {
            if inputEvents == 0, heldOnlyUnrecognised, held.count >= Self.textProbeLines { break }
            switch item {
            case .line(let range, let line, let offset):
                summary.bytes += range.count + 1
                switch reader.buffer.withUnsafeBufferPointer({ b in cri.take(b, range, line: line, offset: offset) }) {
                case .line: break
                case .held: continue
                case .joined(let joined, let line, let offset):
                    try flushPending()
                    try decodeJoined(joined, line: line, offset: offset)
                    continue
                }
                let isHeader: Bool = reader.buffer.withUnsafeBufferPointer { b in KlogParser.looksLikeKlog(b, range) }
                if isHeader {
                    try flushPending()
                    pending.append(contentsOf: reader.buffer[range])
                    pendingLine = line
                    pendingOffset = offset
                    continue
                }
                if !pending.isEmpty {
                    let standalone: Bool = reader.buffer.withUnsafeBufferPointer { b in
                        AuthenticatorParser.looksLikeLogrus(b, range) || EventDecoder.exportLine(b, range) != nil
                    }
                    // A continuation joins its event, up to --max-line for the whole event.
                    if !standalone, pending.count + 1 + range.count <= options.maxLineBytes {
                        pending.append(0x0A)
                        pending.append(contentsOf: reader.buffer[range])
                        continue
                    }
                    try flushPending()
                }
                try reader.buffer.withUnsafeBufferPointer { b in
                    try decoder.decodeLine(b, range, line: line, offset: offset, emit: store, reject: reject)
                    warnInvalidUTF8(b, range, line: line, offset: offset, file: decoder.file)
                }
            case .tooLong(let line, let offset, let prefix, let length):
                try flushPending()
                summary.bytes += length + 1
                reject(
                    Rejection(
                        file: decoder.file, line: line, offset: offset + options.maxLineBytes,
                        reason: "expected a line of at most \(options.maxLineBytes) bytes (--max-line), found one of \(length) bytes",
                        raw: prefix, length: length))
            }
        }
        try flushPending()
        for piece in cri.rest() { try decodeJoined(piece.bytes, line: piece.line, offset: piece.offset) }
        return reader.sourceError
    }

    /// After a value or line whose events were stored with invalid UTF-8: one warning naming
    /// the line and byte offset of the first bad sequence. The events are kept byte for byte
    /// (damage inside a string need not cost the event); JSON output shows U+FFFD there.
    private func warnInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int, file: String) {
        guard invalidInValue > 0 else { return }
        let events = invalidInValue
        invalidInValue = 0
        guard let bad = UTF8Validation.firstInvalid(b, range) else { return }
        var badLine = line
        for k in range.lowerBound..<bad where b[k] == 0x0A { badLine += 1 }
        let what = events == 1 ? "an event" : "\(events) events"
        onWarning(
            file,
            "\(file):\(badLine): invalid UTF-8 (byte 0x\(String(b[bad], radix: 16, uppercase: true))) in \(what), stored as is; "
                + "JSON output shows U+FFFD there (byte \(offset + bad - range.lowerBound))")
    }

    private func reject(_ rejection: Rejection) {
        if rejection.isDigest {
            summary.digests += 1
            return
        }
        if inputEvents == 0, held.count < Self.heldRejections {
            held.append(rejection)
            if !Self.isUnrecognised(rejection, inText: inputIsText) { heldOnlyUnrecognised = false }
            return
        }
        releaseHeld()
        report(rejection)
    }

    private func report(_ rejection: Rejection) {
        summary.rejected += 1
        quarantine?.add(rejection)
        onRejection(rejection)
    }

    private func releaseHeld() {
        guard !held.isEmpty else { return }
        let all = held
        held = []
        for rejection in all { report(rejection) }
    }

    /// At the end of an input: one that gave nothing but "not a known format" is skipped as
    /// unrecognised; else its held rejections are reported.
    private func finishInput(_ name: String) {
        if inputEvents == 0, !held.isEmpty, heldOnlyUnrecognised {
            summary.skippedInputs += 1
            let first = String(decoding: held[0].raw.prefix(40), as: UTF8.self).split(separator: "\n").first ?? ""
            onSkippedInput(name, "no events of a format logq reads; it starts \"\(first)\"")
            held = []
            return
        }
        releaseHeld()
    }

    /// Whether a rejection says the value is of no known format (rather than a damaged event).
    /// In a text input, a line that is not valid JSON counts too (a script's `{` lines).
    static func isUnrecognised(_ rejection: Rejection, inText: Bool) -> Bool {
        switch RejectionKind(rejection) {
        case .unrecognised: true
        case .malformedJSON: inText
        default: false
        }
    }

    private func store(_ event: AuditEvent) throws {
        summary.events += 1
        inputEvents += 1
        if inputEvents == 1 { releaseHeld() }
        if let since = options.since, event.time < since {
            summary.outsideWindow += 1
            return
        }
        if let until = options.until, event.time > until {
            summary.outsideWindow += 1
            return
        }
        if !UTF8Validation.isValid(event.raw) {
            summary.invalidUTF8 += 1
            invalidInValue += 1
        }
        switch try writer.append(event) {
        case .stored: summary.stored += 1
        case .duplicate: summary.duplicates += 1
        case .idConflict:
            summary.stored += 1
            summary.idConflicts += 1
        }
        if summary.events % Self.progressEvents == 0 { onProgress?(summary) }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    static func describe(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }
}
