#if canImport(Glibc)
import Glibc
#endif

/// The store's arrival order, written by its single writer: `<data>/journal/`, one text line
/// per commit (the blocks it made durable), per rewrite (blocks a compaction, recovery or
/// retention trim moved) and per drop (segments retention removed), each with the next
/// sequence number (see ``JournalRecord``).
///
/// Partitions follow event time and events arrive late, so "what became durable after
/// position P" cannot be read from partitions; it is read here, from the position on, without
/// listing a single partition. Tail-follow (`logq -f`), and what the server builds on it,
/// read the store this way (``JournalReader``, ``ArrivalReader``).
///
/// Durability: a commit's record is appended only after its blocks (and the folders that
/// gained entries) are fsync'd, and fsync'd before the commit returns. So a reader never sees
/// a block named that is not durable, and an acknowledged commit is in the journal. A record
/// torn by a crash is overwritten by the next append. The journal is rotated into files of
/// about ``Limits/journalFileBytes`` named by their first sequence number, so old positions
/// can be removed (``removeFiles(olderThan:)``) without rewriting anything.
public final class CommitJournal {
    /// `<data>/journal`.
    public let folder: String
    private let dataPath: String
    /// The file records are appended to, its first sequence and its persisted length.
    private var file: FileHandle?
    private var filePath = ""
    private var fileSize = 0
    /// Bytes past the persisted records of the last file (a torn append), cut by the next append.
    private var tornBytes = 0
    /// The sequence number of the next record.
    public private(set) var nextSequence: UInt64 = 1

    /// Opens the journal of the store at `directory` (an absent journal is an empty one) and
    /// finds where the next record goes.
    public init(directory: DataDirectory) throws {
        folder = directory.journalPath
        dataPath = directory.path
        let files = try Self.files(in: folder)
        guard let last = files.last else { return }
        filePath = folder + "/" + FileNames.journalFile(last)
        let handle = try FileHandle.openForUpdate(filePath)
        var bytes: [UInt8] = []
        try handle.read(into: &bytes, count: try handle.size(), at: 0)
        nextSequence = last
        var start = 0
        var persisted = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if let record = JournalRecord.parse(bytes[start..<newline]) {
                nextSequence = record.sequence + 1
                persisted = newline + 1
            }
            start = newline + 1
        }
        file = handle
        fileSize = persisted
        tornBytes = bytes.count - persisted
    }

    deinit { file?.close() }

    /// The sequence of the last record written (0 when there is none).
    public var head: UInt64 { nextSequence - 1 }

    /// Appends a record of `kind` stamped `now` (ns) and fsyncs it; returns its sequence number.
    @discardableResult
    public func append(_ kind: JournalRecord.Kind, now: Int64) throws -> UInt64 {
        let record = JournalRecord(sequence: nextSequence, time: now, kind: kind)
        let bytes = Array(record.line.utf8)
        if file == nil || fileSize >= Limits.journalFileBytes { try rotate(first: record.sequence) }
        guard let file else { preconditionFailure("journal file opened by rotate") }
        try bytes.withUnsafeBytes { try file.write($0, at: fileSize) }
        if tornBytes > bytes.count { try file.truncate(to: fileSize + bytes.count) }
        try file.sync()
        tornBytes = 0
        fileSize += bytes.count
        nextSequence += 1
        return record.sequence
    }

    /// Starts a new file whose first record is `first`.
    private func rotate(first: UInt64) throws {
        if try FileHandle.makeDirectory(folder) { try FileHandle.syncDirectory(dataPath) }
        file?.close()
        filePath = folder + "/" + FileNames.journalFile(first)
        // A file left by a writer that crashed before its first record was durable is reused.
        let handle = FileHandle.exists(filePath) ? try FileHandle.openForUpdate(filePath) : try FileHandle.create(filePath)
        tornBytes = try handle.size()
        file = handle
        fileSize = 0
        try FileHandle.syncDirectory(folder)
    }

    /// Removes the journal files, except the newest, whose every record is older than `cutoff`
    /// (ns): followers positioned in them resume at the oldest record kept, with a warning.
    /// Returns the number of files removed.
    @discardableResult
    public func removeFiles(olderThan cutoff: Int64) throws -> Int {
        let files = try Self.files(in: folder)
        var removed = 0
        // A file's records are older than the next file's first record; the next file's first
        // record's time bounds the whole file from above.
        for (k, first) in files.dropLast().enumerated() {
            let next = folder + "/" + FileNames.journalFile(files[k + 1])
            guard let newest = try Self.firstRecord(in: next), newest.time < cutoff else { break }
            try FileHandle.remove(folder + "/" + FileNames.journalFile(first))
            removed += 1
        }
        if removed > 0 { try FileHandle.syncDirectory(folder) }
        return removed
    }

    /// The wall clock, ns since the epoch UTC: the time records are stamped with.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Makes the next append start a new file, as reaching ``Limits/journalFileBytes`` would.
    func forceRotationForTesting() { fileSize = max(fileSize, Limits.journalFileBytes) }

    /// Closes the file.
    public func close() {
        file?.close()
        file = nil
    }

    /// The first sequence numbers of the journal's files, in order.
    static func files(in folder: String) throws -> [UInt64] {
        (try FileHandle.listDirectory(folder) ?? []).compactMap(FileNames.journalFileFirst).sorted()
    }

    /// The first record of a journal file, nil when it has none.
    static func firstRecord(in path: String) throws -> JournalRecord? {
        let handle = try FileHandle.openForReading(path)
        defer { handle.close() }
        var bytes: [UInt8] = []
        try handle.read(into: &bytes, count: min(try handle.size(), 1 << 20), at: 0)
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        return JournalRecord.parse(bytes[..<newline])
    }
}
