import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Follow mode (`logq ingest --follow PATH…`): reads what is appended to growing files, line by
/// line, and survives rotation and restarts without losing or repeating events.
///
/// Each ``poll()`` reads every followed file from its position to its end, decodes the complete
/// lines (JSON lines or text lines, as `EventDecoder.decodeLine` reads them), commits the store
/// (fsync) and only then saves each file's ``Checkpoint``. So after a crash at any instant the
/// restart resumes at a position whose events are durable; lines read again after the last
/// checkpoint are dropped by dedupe (same ID and content).
///
/// - Rotation by rename + create: when the path names a new file, the old one is read to its
///   end first (its last line complete even without a newline), then the new one from 0.
/// - copytruncate: when the file is shorter than the position, it was truncated: read from 0.
///   (A truncation followed, before the next poll, by as many bytes as had been read is not
///   seen: the poll interval bounds that window.)
/// - On restart, a checkpoint whose identity matches the file at the path resumes there; a
///   file with another identity (rotated while logq was stopped) is read from 0 — the rest of
///   the rotated-away file is not found.
/// klog continuation lines are not joined in follow mode (each line is its own event).
public final class Follower {
    final class Tail {
        let path: String
        var fd: Int32 = -1
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var offset = 0
        /// Bytes read after the last complete line.
        var partial: [UInt8] = []
        var line = 1

        init(path: String) { self.path = path }
    }

    private let writer: StoreWriter
    /// As `logq serve`'s defaults (`--partition-idle`, `--dedupe-idle`).
    static let partitionIdleSeconds = 300.0
    static let dedupeIdleSeconds = 60.0
    private let directory: DataDirectory
    private let options: IngestOptions
    private let quarantine: Quarantine?
    /// Field values shared between events (tails are drained on one thread).
    private let texts = TextInterner()
    private let onRejection: (Rejection) -> Void
    private var tails: [Tail]
    /// Totals so far.
    public private(set) var summary = IngestSummary()

    public init(
        paths: [String], writer: StoreWriter, directory: DataDirectory, options: IngestOptions = IngestOptions(),
        quarantine: Quarantine? = nil, onRejection: @escaping (Rejection) -> Void
    ) {
        self.writer = writer
        // Followed files run for days: minutes and hours no line came for lately are let go
        // after each commit (below), and read back from disk when a late line needs them.
        writer.loadsIdentitiesByMinute = true
        self.directory = directory
        self.options = options
        self.quarantine = quarantine
        self.onRejection = onRejection
        tails = paths.map { Tail(path: $0) }
        for tail in tails { resume(tail) }
    }

    deinit {
        for tail in tails where tail.fd >= 0 { close(tail.fd) }
    }

    private func resume(_ tail: Tail) {
        guard open(tail) else { return }
        if let saved = Checkpoint.load(for: tail.path, in: directory), saved.device == tail.device, saved.inode == tail.inode {
            var st = stat()
            if fstat(tail.fd, &st) == 0, Int(st.st_size) >= saved.offset { tail.offset = saved.offset }
        }
    }

    /// Opens the file at the tail's path; false when there is none (yet).
    private func open(_ tail: Tail) -> Bool {
        let fd = Glibc.open(tail.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var st = stat()
        fstat(fd, &st)
        tail.fd = fd
        tail.device = UInt64(st.st_dev)
        tail.inode = UInt64(st.st_ino)
        tail.offset = 0
        tail.partial = []
        tail.line = 1
        return true
    }

    /// Reads what was appended to every file since the last poll, commits it, then saves the
    /// checkpoints. Returns the number of events decoded.
    @discardableResult
    public func poll() throws -> Int {
        let before = summary.events
        for tail in tails {
            if tail.fd < 0 {
                guard open(tail) else { continue }
            }
            var st = stat()
            let atPath = stat(tail.path, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino), Int(st.st_size)) : nil
            if let atPath, atPath.0 == tail.device, atPath.1 == tail.inode, atPath.2 < tail.offset + tail.partial.count {
                // copytruncate: the file was emptied in place.
                tail.offset = 0
                tail.partial = []
            }
            try drain(tail, final: false)
            if let atPath, atPath.0 != tail.device || atPath.1 != tail.inode {
                // Rotated: finish the old file (its last line is complete), then the new one.
                try drain(tail, final: true)
                close(tail.fd)
                tail.fd = -1
                if open(tail) { try drain(tail, final: false) }
            }
        }
        try writer.commit()
        try writer.releaseIdlePartitions(idleSeconds: Self.partitionIdleSeconds)
        try writer.releaseIdleIdentities(idleSeconds: Self.dedupeIdleSeconds)
        for tail in tails where tail.fd >= 0 {
            try Checkpoint(device: tail.device, inode: tail.inode, offset: tail.offset).save(for: tail.path, in: directory)
        }
        try quarantine?.flush()
        return summary.events - before
    }

    /// Reads the tail's file from its position to the end and decodes the complete lines.
    private func drain(_ tail: Tail, final: Bool) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let context = ParseContext(fallbackTime: Ingestor.now(), fallbackSource: "ingest", correlator: options.correlator, texts: texts)
        let decoder = EventDecoder(file: tail.path, context: context, format: options.format)
        while true {
            let position = tail.offset + tail.partial.count
            let n = chunk.withUnsafeMutableBytes { pread(tail.fd, $0.baseAddress, $0.count, off_t(position)) }
            if n <= 0 { break }
            tail.partial.append(contentsOf: chunk[0..<n])
            try decodeLines(tail, decoder)
            if tail.partial.count > options.maxLineBytes {
                reject(Rejection(file: tail.path, line: tail.line, offset: tail.offset, reason: "expected a line of at most \(options.maxLineBytes) bytes (--max-line), found a longer one", raw: tail.partial, length: tail.partial.count))
                skipLongLine(tail)
            }
        }
        if final, !tail.partial.isEmpty {
            tail.partial.append(0x0A)
            try decodeLines(tail, decoder)
        }
    }

    private func skipLongLine(_ tail: Tail) {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        tail.offset += tail.partial.count
        tail.partial = []
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(tail.fd, $0.baseAddress, $0.count, off_t(tail.offset)) }
            if n <= 0 { return }
            if let nl = chunk[0..<n].firstIndex(of: 0x0A) {
                tail.offset += nl + 1
                tail.line += 1
                return
            }
            tail.offset += n
        }
    }

    private func decodeLines(_ tail: Tail, _ decoder: EventDecoder) throws {
        var start = 0
        try tail.partial.withUnsafeBufferPointer { b in
            while let nl = b[start...].firstIndex(of: 0x0A) {
                if nl > start {
                    try decoder.decodeLine(b, start..<nl, line: tail.line, offset: tail.offset + start, emit: store, reject: reject)
                }
                tail.line += 1
                start = nl + 1
            }
        }
        tail.offset += start
        tail.partial.removeFirst(start)
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

    private func reject(_ rejection: Rejection) {
        summary.rejected += 1
        quarantine?.add(rejection)
        onRejection(rejection)
    }
}
