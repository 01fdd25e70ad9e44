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

    /// A block a rewrite (compaction, recovery, retention trim) copied, frame for frame, into a
    /// new segment: its bytes are unchanged, only its place is.
    public struct Move: Sendable, Equatable {
        public var from: BlockLocation
        /// Byte offset of the copy in the rewrite's new segment.
        public var to: Int
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
    ///     M <seq> <time-ns> <reason> <new segment> <old segment>@<old offset>><new offset> …  #<crc32>
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
            for move in moves { text += " \(move.from.segment)@\(move.from.offset)>\(move.to)" }
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
                guard let at = word.lastIndex(of: "@"), let arrow = word.lastIndex(of: ">"), at < arrow,
                    let from = Int(word[word.index(after: at)..<arrow]), let to = Int(word[word.index(after: arrow)...])
                else { return nil }
                moves.append(Move(from: BlockLocation(segment: String(word[..<at]), offset: from), to: to))
            }
            return JournalRecord(sequence: sequence, time: time, kind: .rewrite(segment: words[4], reason: words[3], moves: moves))
        case "D":
            guard words.count >= 4 else { return nil }
            return JournalRecord(sequence: sequence, time: time, kind: .drop(segments: Array(words.dropFirst(4)), reason: words[3]))
        default:
            return nil
        }
    }

    static func crc(_ text: String) -> UInt32 {
        Array(text.utf8).withUnsafeBytes { Deflate.crc32($0) }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
