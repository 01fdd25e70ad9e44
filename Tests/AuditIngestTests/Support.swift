import AuditCore
import SegmentStore
import TestSupport

@testable import AuditIngest

/// Bytes from memory, handed out at most `chunk` at a time: to test every chunk boundary.
final class MemorySource: ByteSource {
    let bytes: [UInt8]
    let chunk: Int
    var offset = 0

    init(_ bytes: [UInt8], chunk: Int = 1 << 20) {
        self.bytes = bytes
        self.chunk = chunk
    }

    func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        let n = min(maximum, chunk, bytes.count - offset)
        buffer.append(contentsOf: bytes[offset..<(offset + n)])
        offset += n
        return n
    }
}

/// Decodes every value of a stream: the events and the rejections.
/// Splits `source` into JSON values and decodes them. With `members`, the parsers take each
/// object's members from the reader, as ``Ingestor`` does; with `texts`, repeated values are
/// shared through it.
func decodeAll(
    _ source: any ByteSource, name: String = "input", fallbackTime: Int64 = 0, members: Bool = false, texts: TextInterner? = nil
) -> (events: [AuditEvent], rejections: [Rejection]) {
    var reader = JSONValueReader(source: source)
    let decoder = EventDecoder(file: name, context: ParseContext(fallbackTime: fallbackTime, texts: texts))
    var events: [AuditEvent] = []
    var rejections: [Rejection] = []
    while let item = reader.next() {
        switch item {
        case .value(let range, let line, let offset):
            reader.buffer.withUnsafeBufferPointer { b in
                try? decoder.decode(
                    b, range, line: line, offset: offset, members: members ? reader.members : nil, emit: { events.append($0) },
                    reject: { rejections.append($0) })
            }
        case .malformed(let line, _, let error):
            rejections.append(Rejection(file: name, line: line, offset: error.offset, reason: "malformed JSON: \(error)"))
        }
    }
    return (events, rejections)
}

/// Decodes a file from disk (gzip or not), as ingest reads it.
func decodeFile(_ path: String, members: Bool = false, texts: TextInterner? = nil) throws -> (events: [AuditEvent], rejections: [Rejection]) {
    let file = try FileSource(path: path)
    var head: [UInt8] = []
    _ = try file.read(into: &head, maximum: 2)
    file.unread(head)
    let source: any ByteSource = head == [0x1F, 0x8B] ? try GzipSource(input: file, name: path) : file
    return decodeAll(source, name: path, members: members, texts: texts)
}

/// What one ``Ingestor`` run did, with the stored events read back from the store.
struct IngestRun {
    var summary: IngestSummary
    var events: [AuditEvent]
    var rejections: [Rejection]
    var skipped: [(name: String, reason: String)]
    var errors: [IngestError]
    var directory: TemporaryDirectory
    /// The warnings: (file, message).
    var warnings: [(file: String, message: String)] = []
}

/// Runs a real ingest of `paths` into `store` (a fresh directory unless given) and reads back
/// every stored event, in time order.
func ingest(_ paths: [String], options: IngestOptions = IngestOptions(), into store: TemporaryDirectory? = nil) throws -> IngestRun {
    let directory = store ?? TemporaryDirectory()
    let data = DataDirectory(path: directory.path + "/data")
    let writer = try StoreWriter(directory: data)
    var rejections: [Rejection] = []
    var skipped: [(String, String)] = []
    var errors: [IngestError] = []
    var warnings: [(String, String)] = []
    let quarantine = Quarantine(directory: data, now: 0)
    let ingestor = Ingestor(
        writer: writer, options: options, quarantine: quarantine,
        onRejection: { rejections.append($0) }, onInputError: { errors.append($0) },
        onSkippedInput: { skipped.append(($0, $1)) }, onWarning: { warnings.append(($0, $1)) })
    try ingestor.ingest(paths: paths)
    try writer.close()
    try quarantine.flush()
    var events: [AuditEvent] = []
    let reader = StoreReader(directory: data)
    for partition in try reader.partitions() {
        try reader.scan(partition: partition) { events.append($0); return true }
    }
    events.sort { ($0.time, $0.fields[.id]) < ($1.time, $1.fields[.id]) }
    return IngestRun(
        summary: ingestor.summary, events: events, rejections: rejections, skipped: skipped, errors: errors, directory: directory,
        warnings: warnings)
}

/// Ingests `bytes` handed out `chunk` bytes at a time (every read-buffer boundary), with a
/// fallback time of `fallbackTime`, and reads the stored events back.
func ingest(bytes: [UInt8], chunk: Int, name: String = "stream", fallbackTime: Int64 = 1_740_960_000_000_000_000) throws -> IngestRun {
    let directory = TemporaryDirectory()
    let data = DataDirectory(path: directory.path + "/data")
    let writer = try StoreWriter(directory: data)
    var rejections: [Rejection] = []
    var skipped: [(String, String)] = []
    var errors: [IngestError] = []
    var warnings: [(String, String)] = []
    let ingestor = Ingestor(
        writer: writer, onRejection: { rejections.append($0) }, onInputError: { errors.append($0) },
        onSkippedInput: { skipped.append(($0, $1)) }, onWarning: { warnings.append(($0, $1)) })
    let decoder = EventDecoder(file: name, context: ParseContext(fallbackTime: fallbackTime))
    try ingestor.ingest(stream: MemorySource(bytes, chunk: chunk), name: name, decoder: decoder)
    try writer.close()
    var events: [AuditEvent] = []
    let reader = StoreReader(directory: data)
    for partition in try reader.partitions() {
        try reader.scan(partition: partition) { events.append($0); return true }
    }
    events.sort { ($0.time, $0.fields[.id]) < ($1.time, $1.fields[.id]) }
    return IngestRun(
        summary: ingestor.summary, events: events, rejections: rejections, skipped: skipped, errors: errors, directory: directory,
        warnings: warnings)
}
