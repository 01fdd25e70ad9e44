import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// What an ingest did.
public struct IngestSummary: Sendable, Equatable {
    /// Inputs read (files, stdin).
    public var inputs = 0
    /// Inputs that could not be read at all, or broke part way (reported).
    public var failedInputs = 0
    /// Events parsed.
    public var events = 0
    /// Events newly stored.
    public var stored = 0
    /// Events skipped because the same event (ID and content) is already stored.
    public var duplicates = 0
    /// Events stored although their ID was already stored with other content.
    public var idConflicts = 0
    /// Values rejected (malformed, or not an event of a known format).
    public var rejected = 0
    /// Inputs skipped whole because they are not JSON at all (a README, a LICENSE).
    public var skippedInputs = 0
    /// Input bytes read (after decompression).
    public var bytes = 0

    public init() {}
}

/// Reads inputs, decodes their events and hands them to a ``StoreWriter``. Rejections and
/// broken inputs are reported through the callbacks; good events around them are kept.
public final class Ingestor {
    private let writer: StoreWriter
    private let onRejection: (Rejection) -> Void
    private let onInputError: (IngestError) -> Void
    private let onSkippedInput: (_ name: String, _ reason: String) -> Void
    /// Totals so far.
    public private(set) var summary = IngestSummary()

    public init(
        writer: StoreWriter,
        onRejection: @escaping (Rejection) -> Void,
        onInputError: @escaping (IngestError) -> Void,
        onSkippedInput: @escaping (_ name: String, _ reason: String) -> Void = { _, _ in }
    ) {
        self.writer = writer
        self.onRejection = onRejection
        self.onInputError = onInputError
        self.onSkippedInput = onSkippedInput
    }

    /// Ingests every input under `paths`. A missing path is reported and the rest still read.
    public func ingest(paths: [String]) throws {
        for path in paths {
            let inputs: [PathCollector.Input]
            do {
                inputs = try PathCollector.expand([path])
            } catch let error as IngestError {
                summary.failedInputs += 1
                onInputError(error)
                continue
            }
            for input in inputs {
                switch input {
                case .stdin:
                    try ingest(source: FileSource(fd: 0, name: "-"), name: "-", fallbackTime: Self.now())
                case .file(let file):
                    let source: FileSource
                    do {
                        source = try FileSource(path: file)
                    } catch let error as IngestError {
                        summary.failedInputs += 1
                        onInputError(error)
                        continue
                    }
                    try ingest(source: source, name: file, fallbackTime: Self.modificationTime(file) ?? Self.now())
                }
            }
        }
    }

    /// Ingests one byte stream, gzip or not (told by its first bytes). Events that carry no
    /// time get `fallbackTime` (ns UTC).
    public func ingest(source: FileSource, name: String, fallbackTime: Int64) throws {
        summary.inputs += 1
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
        if isGzip, name != "-", let whole = WholeGzip.decompress(path: name) {
            // Whole-buffer libdeflate; damaged or oversized files take the streaming path below.
            try ingest(stream: BufferSource(whole), name: name, fallbackTime: fallbackTime)
            return
        }
        let stream: any ByteSource = isGzip ? try GzipSource(input: source, name: name) : source
        try ingest(stream: stream, name: name, fallbackTime: fallbackTime)
    }

    private func ingest(stream: any ByteSource, name: String, fallbackTime: Int64) throws {
        var reader = JSONValueReader(source: stream)
        let decoder = EventDecoder(file: name, fallbackTime: fallbackTime)
        var first = true
        while let item = reader.next() {
            switch item {
            case .value(let range, let line, let offset):
                first = false
                summary.bytes += range.count
                try reader.buffer.withUnsafeBufferPointer { b in
                    try decoder.decode(b, range, line: line, offset: offset, emit: store) { rejection in
                        summary.rejected += 1
                        onRejection(rejection)
                    }
                }
            case .malformed(let line, _, let error):
                if first, let byte = reader.firstByte, byte != UInt8(ascii: "{"), byte != UInt8(ascii: "[") {
                    summary.skippedInputs += 1
                    onSkippedInput(name, "starts with \(Self.describe(byte))")
                    return
                }
                first = false
                summary.rejected += 1
                onRejection(Rejection(file: name, line: line, offset: error.offset, reason: "malformed JSON: \(error.description)"))
            }
        }
        if let error = reader.sourceError {
            summary.failedInputs += 1
            if let error = error as? IngestError { onInputError(error) } else { throw error }
        }
    }

    private func store(_ event: AuditEvent) throws {
        summary.events += 1
        switch try writer.append(event) {
        case .stored: summary.stored += 1
        case .duplicate: summary.duplicates += 1
        case .idConflict:
            summary.stored += 1
            summary.idConflicts += 1
        }
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
