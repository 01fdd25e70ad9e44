/// A position in the store's arrival order: every record before `record` is done, and the
/// first `block` blocks of `record`. Text form: `17` (record 17 from its first block) or
/// `17.3`; what `logq -f --cursor-token` takes.
public struct JournalCursor: Hashable, Sendable, CustomStringConvertible {
    /// The next record to read.
    public var record: UInt64
    /// Blocks of `record` already done.
    public var block: Int

    public init(record: UInt64, block: Int = 0) {
        self.record = record
        self.block = block
    }

    /// The cursor after record `sequence` (the start of the next one).
    public static func after(_ sequence: UInt64) -> JournalCursor { JournalCursor(record: sequence + 1) }

    public init?(_ text: String) {
        let parts = text.trimmingWhitespace().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let record = UInt64(parts[0]), record >= 1 else { return nil }
        let block = parts.count == 2 ? Int(parts[1]) : 0
        guard let block, block >= 0 else { return nil }
        self.init(record: record, block: block)
    }

    public var description: String { block == 0 ? "\(record)" : "\(record).\(block)" }
}

/// A block as it arrived: the record that made it durable, where it is now, and its body.
public struct ArrivedBlock: Sendable {
    /// The commit record, and the block's index in it.
    public var record: UInt64
    public var index: Int
    /// Blocks in the record.
    public var blocksInRecord: Int
    /// When the record was written, ns UTC.
    public var recordTime: Int64
    /// Every place the block has been, where the commit wrote it first and where it is now last
    /// (compactions copy blocks unchanged into new segments).
    public var locations: [BlockLocation]
    /// The block's bytes, checked (frame and head CRC); its columns are checked as they are read.
    public var body: BlockBody
    /// The rows of `body` that are this block's events, ascending, when compaction merged it
    /// with others; nil for all rows.
    public var rows: [Int]?

    /// The cursor after this block.
    public var cursorAfter: JournalCursor {
        index + 1 >= blocksInRecord ? JournalCursor(record: record + 1) : JournalCursor(record: record, block: index + 1)
    }
}

/// Reads the store in arrival order: the blocks each commit made durable, after a cursor, as
/// they are now — through compactions that moved them since (followed in the journal's rewrite
/// records) — and skipping what retention removed, with a warning. The seam that tail-follow,
/// the HTTP tail and incremental metrics read the store through.
public final class ArrivalReader {
    public let directory: DataDirectory
    /// Where the next ``next(maxBlocks:)`` starts.
    public private(set) var cursor: JournalCursor
    private let journal: JournalReader
    /// Reads ahead for rewrites and drops only: where blocks went after their commit.
    private let lookahead: JournalReader
    /// For each block location, where rewrites moved it (record sequence, new location).
    private var moves: [BlockLocation: [(sequence: UInt64, to: BlockLocation, rows: [Int]?)]] = [:]
    /// For each segment, the records that removed it (rewrites and drops).
    private var removals: [String: [UInt64]] = [:]
    /// Records read but not finished (a record's blocks may span calls).
    private var pending: [JournalRecord] = []
    /// Segments mapped, by `<partition>/<file>`, remapped when they grew.
    private var mappings: [String: MappedFile] = [:]
    private var warnings: [String] = []

    /// A reader that starts at `cursor`.
    public init(directory: DataDirectory, from cursor: JournalCursor) throws {
        self.directory = directory
        self.cursor = cursor
        journal = JournalReader(directory: directory)
        lookahead = JournalReader(directory: directory, skipCommits: true)
        let taken = try journal.seek(after: cursor.record - 1)
        if taken >= cursor.record { self.cursor = JournalCursor(record: taken + 1) }
        try lookahead.seek(after: self.cursor.record - 1)
    }

    /// The sequence of the last record written now (0 for none): start a live follower at
    /// ``JournalCursor/after(_:)`` of it.
    public static func head(of directory: DataDirectory) throws -> UInt64 {
        try JournalReader(directory: directory).seekToEnd()
    }

    /// What the reader met that a follower should say (removed positions, damaged lines,
    /// blocks removed by retention before they were read), cleared.
    public func takeWarnings() -> [String] {
        let all = warnings + journal.takeWarnings() + lookahead.takeWarnings()
        warnings = []
        return all
    }

    /// The next blocks in arrival order, at most `maxBlocks` (whole records when they fit);
    /// empty when nothing new is durable. The cursor moves past them (and past blocks that
    /// were removed, with a warning).
    public func next(maxBlocks: Int = 64) throws -> [ArrivedBlock] {
        var out: [ArrivedBlock] = []
        var refreshed = false
        while out.count < maxBlocks {
            if pending.isEmpty {
                pending = try journal.poll(limit: 64)
                if pending.isEmpty { break }
            }
            let record = pending[0]
            guard record.sequence >= cursor.record else {
                pending.removeFirst()
                continue
            }
            if record.sequence > cursor.record { cursor = JournalCursor(record: record.sequence) }
            guard case .commit(let blocks) = record.kind else {
                pending.removeFirst()
                cursor = JournalCursor(record: record.sequence + 1)
                continue
            }
            if !refreshed {
                try readAhead()
                refreshed = true
            }
            while cursor.block < blocks.count && out.count < maxBlocks {
                let index = cursor.block
                cursor.block += 1
                let committed = blocks[index].location
                guard let (locations, body, rows) = try locate(committed, after: record.sequence) else { continue }
                out.append(
                    ArrivedBlock(
                        record: record.sequence, index: index, blocksInRecord: blocks.count, recordTime: record.time,
                        locations: locations, body: body, rows: rows))
            }
            if cursor.block >= blocks.count {
                pending.removeFirst()
                cursor = JournalCursor(record: record.sequence + 1)
            }
        }
        return out
    }

    /// Reads the rewrites and drops written since the last look.
    private func readAhead() throws {
        while true {
            let records = try lookahead.poll(limit: 1024)
            for record in records {
                switch record.kind {
                case .commit: break
                case .rewrite(let segment, _, let moves):
                    var sources: Set<String> = []
                    for move in moves {
                        self.moves[move.from, default: []].append((record.sequence, BlockLocation(segment: segment, offset: move.to), move.rows))
                        sources.insert(move.from.segment)
                    }
                    // The rewrite removed its sources; any of their blocks not moved were dropped.
                    for source in sources { removals[source, default: []].append(record.sequence) }
                    mappings[segment] = nil
                case .drop(let segments, _):
                    for segment in segments {
                        removals[segment, default: []].append(record.sequence)
                        mappings[segment] = nil
                    }
                }
            }
            if records.count < 1024 { break }
        }
    }

    /// Where a block committed at `location` by record `sequence` is now, and its body; nil
    /// (with a warning) when it was removed or cannot be read.
    private func locate(_ location: BlockLocation, after sequence: UInt64) throws -> ([BlockLocation], BlockBody, [Int]?)? {
        var trail = [location]
        var current = location
        var since = sequence
        var rows: [Int]?
        for attempt in 0..<2 {
            trail = [location]
            current = location
            since = sequence
            rows = nil
            var removed = false
            while true {
                if let move = moves[current]?.first(where: { $0.sequence > since }) {
                    current = move.to
                    since = move.sequence
                    trail.append(current)
                    // Merged: the block's j-th row is the j-th row of the new block's rows from it.
                    if let moved = move.rows {
                        rows = rows.map { mine in mine.compactMap { $0 < moved.count ? moved[$0] : nil } } ?? moved
                    }
                    continue
                }
                if removals[current.segment]?.contains(where: { $0 > since }) == true { removed = true }
                break
            }
            if removed {
                warnings.append("block \(location) (record \(sequence)) was removed by retention before it was read; its events are not shown")
                return nil
            }
            if let body = try body(at: current) { return (trail, body, rows) }
            // Missing: a rewrite or drop may have been written since the last look.
            if attempt == 0 { try readAhead() }
        }
        warnings.append("block \(current) (record \(sequence)) cannot be read (segment missing or block damaged); skipped")
        return nil
    }

    /// The checked body of the block whose frame is at `location`, nil when the segment is gone
    /// or the frame does not check.
    private func body(at location: BlockLocation) throws -> BlockBody? {
        let path = directory.partitionsPath + "/" + location.segment
        var mapping = mappings[location.segment]
        let header = location.offset + SegmentFormat.frameHeaderSize
        if mapping == nil || mapping!.count < header {
            mapping = try map(path)
        }
        guard var file = mapping, file.count >= header else { return nil }
        var reader = ByteReader(file.bytes, offset: location.offset)
        guard reader.u32() == SegmentFormat.blockMagic, let length = reader.u32().map(Int.init),
            length <= Int(Limits.maxBlockFrameBytes)
        else { return nil }
        if file.count < header + length {
            guard let grown = try map(path), grown.count >= header + length else { return nil }
            file = grown
        }
        let body = BlockBody(file: file, range: header..<(header + length))
        guard Block.verifiedHeadSize(body.bytes) != nil else { return nil }
        return body
    }

    private func map(_ path: String) throws -> MappedFile? {
        let handle: FileHandle
        do {
            handle = try FileHandle.openForReading(path)
        } catch let error as StoreError where error.code == .io {
            return nil
        }
        defer { handle.close() }
        let file = try handle.map(count: try handle.size())
        let key = String(path.dropFirst(directory.partitionsPath.count + 1))
        // A long-running follower meets many segments: keep a bounded set mapped.
        if mappings.count >= 256 { mappings.removeAll(keepingCapacity: true) }
        mappings[key] = file
        return file
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
