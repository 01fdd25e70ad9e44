/// Where a block is: a segment of a partition and the byte offset of the block's frame.
public struct BlockLocation: Hashable, Sendable, CustomStringConvertible {
    /// `<partition>/<file>`, relative to `<data>/partitions` (`2026-11-24T12/000003.seg`).
    public var segment: String
    /// Byte offset of the block's frame in the segment file.
    public var offset: Int

    public init(segment: String, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public var description: String { "\(segment)@\(offset)" }
}

/// One line of the commit journal (``CommitJournal``): something that changed which blocks are
/// durable, in the order it happened. Its sequence number is a position in the store's arrival
/// order: a cursor.
public struct JournalRecord: Sendable, Equatable {
    /// A block a commit made durable.
    public struct Committed: Sendable, Equatable {
        /// Where the block was written.
        public var location: BlockLocation
        /// Events in the block.
        public var events: Int
    }

    /// A block a rewrite (compaction, recovery, retention trim) put into a new segment: copied
    /// frame for frame (its bytes unchanged, only its place), or, for a small block that
    /// compaction merged with others into a full one, at the rows `rows` of the new block.
    public struct Move: Sendable, Equatable {
        public var from: BlockLocation
        /// Byte offset of the new block's frame in the rewrite's new segment.
        public var to: Int
        /// The rows of the new block that hold the old block's events, ascending (its events
        /// keep their order); nil when the block was copied whole.
        public var rows: [Int]?

        public init(from: BlockLocation, to: Int, rows: [Int]? = nil) {
            self.from = from
            self.to = to
            self.rows = rows
        }
    }

    public enum Kind: Sendable, Equatable {
        /// Blocks made durable by one commit of the writer, in the order they were appended.
        case commit([Committed])
        /// Blocks copied into `segment` by a rewrite; the old segments are removed after this
        /// record is durable. Blocks of the old segments not listed were dropped (retention).
        case rewrite(segment: String, reason: String, moves: [Move])
        /// Segments removed whole (retention), with everything in them.
        case drop(segments: [String], reason: String)
    }

    /// Position in the arrival order: 1, 2, 3, … without gaps.
    public var sequence: UInt64
    /// When the record was written, ns since the epoch UTC (the writer's clock).
    public var time: Int64
    public var kind: Kind

    public init(sequence: UInt64, time: Int64, kind: Kind) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
    }

    /// Events the record made durable (commits only).
    public var committedEvents: Int {
        if case .commit(let blocks) = kind { return blocks.reduce(0) { $0 + $1.events } }
        return 0
    }

    // MARK: - Text form

    /// The record as one line of the journal:
    ///
    ///     C <seq> <time-ns> <segment>@<offset>+<events> …  #<crc32 hex>
    ///     M <seq> <time-ns> <reason> <new segment> <old segment>@<old offset>><new offset>[<rows>] …  #<crc32>
    ///     D <seq> <time-ns> <reason> <segment> …  #<crc32>
    ///
    /// The CRC-32 covers the text before ` #`: a torn or damaged line is recognised and skipped.
    public var line: String {
        var text: String
        switch kind {
        case .commit(let blocks):
            text = "C \(sequence) \(time)"
            for block in blocks { text += " \(block.location.segment)@\(block.location.offset)+\(block.events)" }
        case .rewrite(let segment, let reason, let moves):
            text = "M \(sequence) \(time) \(reason) \(segment)"
            for move in moves {
                text += " \(move.from.segment)@\(move.from.offset)>\(move.to)"
                if let rows = move.rows { text += "[" + Self.ranges(rows) + "]" }
            }
        case .drop(let segments, let reason):
            text = "D \(sequence) \(time) \(reason)"
            for segment in segments { text += " \(segment)" }
        }
        return text + " #" + Self.hex(Self.crc(text)) + "\n"
    }

    /// Parses one line (without its newline); nil when it is torn, damaged or not a record.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> JournalRecord? {
        let line = Array(bytes)
        // The CRC follows the last " #".
        guard let hash = line.indices.dropLast().last(where: { line[$0] == 0x20 && line[$0 + 1] == 0x23 }) else { return nil }
        let body = String(decoding: line[..<hash], as: UTF8.self)
        guard let crc = UInt32(String(decoding: line[(hash + 2)...], as: UTF8.self), radix: 16), crc == Self.crc(body) else { return nil }
        let words = body.split(separator: " ").map(String.init)
        guard words.count >= 3, let sequence = UInt64(words[1]), let time = Int64(words[2]) else { return nil }
        switch words[0] {
        case "C":
            var blocks: [Committed] = []
            for word in words.dropFirst(3) {
                guard let at = word.lastIndex(of: "@"), let plus = word.lastIndex(of: "+"), at < plus,
                    let offset = Int(word[word.index(after: at)..<plus]), let events = Int(word[word.index(after: plus)...])
                else { return nil }
                blocks.append(Committed(location: BlockLocation(segment: String(word[..<at]), offset: offset), events: events))
            }
            return JournalRecord(sequence: sequence, time: time, kind: .commit(blocks))
        case "M":
            guard words.count >= 5 else { return nil }
            var moves: [Move] = []
            for word in words.dropFirst(5) {
                var target = word[...]
                var rows: [Int]?
                if word.hasSuffix("]"), let open = word.lastIndex(of: "[") {
                    guard let parsed = Self.rows(word[word.index(after: open)..<word.index(before: word.endIndex)]) else { return nil }
                    rows = parsed
                    target = word[..<open]
                }
                guard let at = target.lastIndex(of: "@"), let arrow = target.lastIndex(of: ">"), at < arrow,
                    let from = Int(target[target.index(after: at)..<arrow]), let to = Int(target[target.index(after: arrow)...])
                else { return nil }
                moves.append(Move(from: BlockLocation(segment: String(target[..<at]), offset: from), to: to, rows: rows))
            }
            return JournalRecord(sequence: sequence, time: time, kind: .rewrite(segment: words[4], reason: words[3], moves: moves))
        case "D":
            guard words.count >= 4 else { return nil }
            return JournalRecord(sequence: sequence, time: time, kind: .drop(segments: Array(words.dropFirst(4)), reason: words[3]))
        default:
            return nil
        }
    }

    /// Ascending rows as ranges: `0-99,140-150,160`.
    static func ranges(_ rows: [Int]) -> String {
        var parts: [String] = []
        var k = 0
        while k < rows.count {
            var end = k
            while end + 1 < rows.count && rows[end + 1] == rows[end] + 1 { end += 1 }
            parts.append(end == k ? "\(rows[k])" : "\(rows[k])-\(rows[end])")
            k = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The rows of `0-99,140-150,160`; nil when it does not parse or does not ascend.
    static func rows(_ text: Substring) -> [Int]? {
        var rows: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), let high = Int(bounds.last!), low <= high,
                rows.last.map({ $0 < low }) ?? (low >= 0)
            else { return nil }
            rows += low...high
        }
        return rows
    }

    static func crc(_ text: String) -> UInt32 {
        Array(text.utf8).withUnsafeBytes { Deflate.crc32($0) }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
