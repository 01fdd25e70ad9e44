/// Reads the commit journal forward from a position, incrementally, beside the writer: each
/// ``poll(limit:)`` returns the complete records appended since the last one. Only whole,
/// checked lines are returned; an incomplete last line is read again next time (it is being
/// written, or a crash tore it and the next writer overwrites it).
public final class JournalReader {
    /// `<data>/journal`.
    public let folder: String
    /// Records up to this sequence have been returned (or skipped as before the start).
    public private(set) var position: UInt64 = 0
    /// What the reader met that a caller should say: damaged lines, positions no longer kept.
    public private(set) var warnings: [String] = []
    /// Skip commit records without parsing them (for look-ahead readers that need only
    /// rewrites and drops).
    private let skipCommits: Bool

    private var file: FileHandle?
    private var fileFirst: UInt64 = 0
    private var offset = 0
    private var buffer: [UInt8] = []
    /// Bytes read at a time; doubled while a line does not fit.
    private var readSize = 1 << 20

    public init(directory: DataDirectory, skipCommits: Bool = false) {
        folder = directory.journalPath
        self.skipCommits = skipCommits
    }

    /// The warnings gathered so far, cleared.
    public func takeWarnings() -> [String] {
        defer { warnings = [] }
        return warnings
    }

    /// Positions the reader after record `cursor`: the next poll returns records from
    /// `cursor + 1`. When records after `cursor` were removed (journal retention), it starts at
    /// the oldest record kept and says so in ``warnings``. Returns the position taken.
    @discardableResult
    public func seek(after cursor: UInt64) throws -> UInt64 {
        file?.close()
        file = nil
        offset = 0
        position = cursor
        let files = try CommitJournal.files(in: folder)
        guard let oldest = files.first else { return cursor }
        if cursor + 1 < oldest {
            warnings.append(
                "journal records \(cursor + 1)–\(oldest - 1) were removed by retention; resuming at the oldest kept, \(oldest) (events that arrived in between are not shown)"
            )
            position = oldest - 1
        }
        // The file holding `position + 1`: the last whose first record is not after it.
        let first = files.last(where: { $0 <= position + 1 }) ?? oldest
        try open(first)
        return position
    }

    /// Positions the reader at the journal's end and returns the last sequence written (0 when
    /// the journal is empty): "now", for a follower that starts live.
    @discardableResult
    public func seekToEnd() throws -> UInt64 {
        let files = try CommitJournal.files(in: folder)
        guard let last = files.last else {
            position = 0
            return 0
        }
        try seek(after: last - 1)
        while !(try poll(limit: 4096)).isEmpty {}
        return position
    }

    /// The complete records after ``position`` written since, at most `limit`, in order.
    public func poll(limit: Int = 256) throws -> [JournalRecord] {
        var out: [JournalRecord] = []
        if file == nil {
            // No journal yet when the reader was positioned: look again.
            let files = try CommitJournal.files(in: folder)
            guard let first = files.last(where: { $0 <= position + 1 }) ?? files.first else { return out }
            try open(first)
        }
        while out.count < limit {
            try readLines(into: &out, limit: limit)
            if out.count >= limit { break }
            // At the end of this file: go on to the next one, if the writer started it. The
            // writer starts it only after its last append here, so read this one to its end once
            // more before switching.
            let files = try CommitJournal.files(in: folder)
            guard let next = files.first(where: { $0 > fileFirst }) else { break }
            try readLines(into: &out, limit: limit)
            if out.count >= limit { break }
            try open(next)
        }
        return out
    }

    private func open(_ first: UInt64) throws {
        file?.close()
        let path = folder + "/" + FileNames.journalFile(first)
        do {
            file = try FileHandle.openForReading(path)
        } catch let error as StoreError where error.code == .io && !FileHandle.exists(path) {
            // Removed by journal retention since the listing: start over at the oldest kept.
            file = nil
            try seek(after: position)
            return
        }
        fileFirst = first
        offset = 0
    }

    /// Reads complete lines from the current file into `out`.
    private func readLines(into out: inout [JournalRecord], limit: Int) throws {
        guard let file else { return }
        while out.count < limit {
            try file.read(into: &buffer, count: readSize, at: offset)
            guard !buffer.isEmpty else { return }
            var start = 0
            var consumed = false
            while out.count < limit, let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                offset += newline + 1 - start
                start = newline + 1
                consumed = true
                if skipCommits, line.first == UInt8(ascii: "C") {
                    // Sequence only: the first two words.
                    if let sequence = Self.sequence(of: line) { position = max(position, sequence) }
                    continue
                }
                guard let record = JournalRecord.parse(line) else {
                    warnings.append("\(folder)/\(FileNames.journalFile(fileFirst)) at byte \(offset - line.count - 1): damaged journal line skipped")
                    continue
                }
                guard record.sequence > position else { continue }
                position = record.sequence
                out.append(record)
            }
            if !consumed {
                // A line longer than the buffer: read more at once; else an incomplete last line.
                if buffer.count == readSize { readSize *= 2 } else { return }
            }
        }
    }

    static func sequence(of line: ArraySlice<UInt8>) -> UInt64? {
        let words = line.split(separator: 0x20, maxSplits: 2)
        guard words.count >= 2 else { return nil }
        return UInt64(String(decoding: words[1], as: UTF8.self))
    }
}
