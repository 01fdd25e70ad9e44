/// The store's hash chain: an append-only text file (`<data>/CHAIN`) with one line per sealed
/// segment and one per segment removed on purpose (retention, compaction):
///
///     seal 3 2026-11-24T12/000002.seg sha256=<64 hex> blocks=12 events=40960 prev=<64 hex> link=<64 hex>
///     drop 3 2026-11-24T12/000002.seg reason=compaction prev=<64 hex> link=<64 hex>
///     repair 9 2026-11-24T12/000099.seg reason=adopted:<why> prev=<64 hex> link=<64 hex>
///
/// `link` = SHA-256(`prev` bytes ‖ the line's text before ` prev=`), and each line's `prev` is
/// the previous line's `link` (zeros for the first). A sealed segment's footer carries its
/// sequence number, content hash and `prev` too, so the ledger and the segments vouch for each
/// other: editing a segment, removing one, or reordering either breaks a link or a hash.
/// The last link (the head) commits to the whole history; keep a copy elsewhere to make the
/// chain evidence against someone who can rewrite the entire store.
public struct ChainLedger: Sendable {
    /// One line of the ledger.
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case seal
            case drop
            /// A deliberate repair (`logq repair`): what it accepted, and why.
            case repair
        }

        public var kind: Kind
        /// The segment's chain number (for `drop`, the number it was sealed with).
        public var sequence: UInt64
        /// `<partition>/<file>`, relative to `<data>/partitions`.
        public var segment: String
        /// `seal`: SHA-256 of the segment's content; `drop`: nil.
        public var contentHash: SHA256Digest?
        /// `seal`: blocks and events in the segment.
        public var blocks: Int
        public var events: Int
        /// `drop`: why (`retention`, `compaction`, `recovery`).
        public var reason: String
        public var previous: SHA256Digest
        public var link: SHA256Digest
        /// 1-based line number in the ledger file.
        public var line: Int

        /// The hashed text: the line before ` prev=`.
        var text: String {
            switch kind {
            case .seal:
                "seal \(sequence) \(segment) sha256=\(contentHash ?? .zero) blocks=\(blocks) events=\(events)"
            case .drop:
                "drop \(sequence) \(segment) reason=\(reason)"
            case .repair:
                "repair \(sequence) \(segment) reason=\(reason)"
            }
        }

        var serialized: String { "\(text) prev=\(previous) link=\(link)\n" }

        static func link(previous: SHA256Digest, text: String) -> SHA256Digest {
            SHA256Digest.of(previous.bytes + Array(text.utf8))
        }
    }

    /// A line that does not parse or whose link does not check.
    public struct Problem: Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "CHAIN line \(line): \(message)" }
    }

    /// The ledger's path.
    public let path: String
    /// Every entry, in file order (including entries appended and not yet persisted).
    public private(set) var entries: [Entry] = []
    /// Lines that did not parse or check, in file order.
    public private(set) var problems: [Problem] = []
    /// The last link: commits to the whole chain.
    public private(set) var head = SHA256Digest.zero
    /// The sequence number the next sealed segment gets.
    public private(set) var nextSequence: UInt64 = 1
    /// Bytes of the file that are persisted entries.
    private var persistedBytes = 0
    /// Bytes of the file past the persisted entries (a torn append), cut by the next append.
    private var tornBytes = 0
    /// Entries appended in memory, not yet written.
    private var pending: [Entry] = []

    /// Reads the ledger at `path` (an absent file is an empty chain) and checks every link.
    /// An incomplete last line is a torn append: not yet written, ignored.
    public init(path: String) throws {
        self.path = path
        guard FileHandle.exists(path) else { return }
        let file = try FileHandle.openForReading(path)
        defer { file.close() }
        var bytes: [UInt8] = []
        try file.read(into: &bytes, count: try file.size(), at: 0)
        // Lines after the last one that parses are a torn append (a crash mid-write, possibly
        // with pages persisted out of order): not yet written, and overwritten by the next append.
        var lines: [(text: String, end: Int, entry: Entry?)] = []
        var start = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            let text = String(decoding: bytes[start..<newline], as: UTF8.self)
            start = newline + 1
            lines.append((text, start, Self.parse(text, line: lines.count + 1)))
        }
        let kept = (lines.lastIndex { $0.entry != nil }).map { $0 + 1 } ?? 0
        for (k, line) in lines[0..<kept].enumerated() {
            persistedBytes = line.end
            guard let entry = line.entry else {
                problems.append(Problem(line: k + 1, message: "does not parse as a chain entry: \(line.text.prefix(80))"))
                continue
            }
            if entry.previous != head {
                problems.append(Problem(line: k + 1, message: "prev does not match the link of the line before (a line was altered, removed or reordered)"))
            }
            if Entry.link(previous: entry.previous, text: entry.text) != entry.link {
                problems.append(Problem(line: k + 1, message: "link does not match the line's content (the line was altered)"))
            }
            entries.append(entry)
            head = entry.link
            if entry.kind == .seal { nextSequence = max(nextSequence, entry.sequence + 1) }
        }
        tornBytes = bytes.count - persistedBytes
    }

    /// The line of the last repair that accepted the ledger's damaged lines (`repair … CHAIN`):
    /// problems on earlier lines were seen and accepted on purpose; 0 when none.
    public var acceptedProblemLines: Int {
        entries.last { $0.kind == .repair && $0.segment == FileNames.chain }?.line ?? 0
    }

    /// The segments sealed and not dropped, by `<partition>/<file>`.
    public var liveSegments: [String: Entry] {
        var live: [String: Entry] = [:]
        for entry in entries {
            switch entry.kind {
            case .seal: live[entry.segment] = entry
            case .drop: live[entry.segment] = nil
            case .repair: break
            }
        }
        return live
    }

    /// Adds a seal entry for a segment about to be sealed; returns the seal its footer records.
    public mutating func seal(segment: String, contentHash: SHA256Digest, blocks: Int, events: Int, replaces: [String] = []) -> SegmentSeal {
        let sequence = nextSequence
        var entry = Entry(
            kind: .seal, sequence: sequence, segment: segment, contentHash: contentHash, blocks: blocks, events: events,
            reason: "", previous: head, link: .zero, line: entries.count + 1)
        entry.link = Entry.link(previous: head, text: entry.text)
        append(entry)
        nextSequence += 1
        return SegmentSeal(sequence: sequence, contentHash: contentHash, previousLink: entry.previous, replaces: replaces)
    }

    /// Adds a repair entry: `subject` (a segment adopted from quarantine as `sequence`, or
    /// `CHAIN` for damaged ledger lines accepted) and why, one word (no spaces).
    public mutating func repair(subject: String, sequence: UInt64, reason: String) {
        var entry = Entry(
            kind: .repair, sequence: sequence, segment: subject, contentHash: nil, blocks: 0, events: 0,
            reason: reason, previous: head, link: .zero, line: entries.count + 1)
        entry.link = Entry.link(previous: head, text: entry.text)
        append(entry)
    }

    /// Adds a drop entry for a chained segment removed on purpose.
    public mutating func drop(segment: String, reason: String) {
        guard let sealed = liveSegments[segment] else { return }
        var entry = Entry(
            kind: .drop, sequence: sealed.sequence, segment: segment, contentHash: nil, blocks: 0, events: 0,
            reason: reason, previous: head, link: .zero, line: entries.count + 1)
        entry.link = Entry.link(previous: head, text: entry.text)
        append(entry)
    }

    private mutating func append(_ entry: Entry) {
        entries.append(entry)
        pending.append(entry)
        head = entry.link
    }

    /// Forgets the entries appended since the last ``persist()`` (an operation that failed
    /// before its entries were durable), so they are not written by a later one.
    public mutating func discardPending() {
        guard !pending.isEmpty else { return }
        entries.removeLast(pending.count)
        pending.removeAll()
        head = entries.last?.link ?? .zero
        nextSequence = (entries.filter { $0.kind == .seal }.map(\.sequence).max() ?? 0) + 1
    }

    /// Whether entries wait to be written.
    public var hasPending: Bool { !pending.isEmpty }

    /// Appends the pending entries to the file and fsyncs it (and, when it is new, its folder).
    public mutating func persist() throws {
        guard !pending.isEmpty else { return }
        let isNew = !FileHandle.exists(path)
        let file = isNew ? try FileHandle.create(path) : try FileHandle.openForUpdate(path)
        defer { file.close() }
        let bytes = Array(pending.map(\.serialized).joined().utf8)
        // A torn line from a crashed append is overwritten: it was never acknowledged.
        try bytes.withUnsafeBytes { try file.write($0, at: persistedBytes) }
        if tornBytes > bytes.count { try file.truncate(to: persistedBytes + bytes.count) }
        try file.sync()
        tornBytes = 0
        if isNew { try FileHandle.syncDirectory(Self.folder(of: path)) }
        persistedBytes += bytes.count
        pending.removeAll()
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func parse(_ line: String, line number: Int) -> Entry? {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count >= 5, let kind = Entry.Kind(rawValue: words[0]), let sequence = UInt64(words[1]) else { return nil }
        func value(_ key: String) -> String? {
            words.first(where: { $0.hasPrefix(key + "=") }).map { String($0.dropFirst(key.count + 1)) }
        }
        guard let previous = value("prev").flatMap({ SHA256Digest(hex: $0) }),
            let link = value("link").flatMap({ SHA256Digest(hex: $0) })
        else { return nil }
        var entry = Entry(
            kind: kind, sequence: sequence, segment: words[2], contentHash: nil, blocks: 0, events: 0, reason: "",
            previous: previous, link: link, line: number)
        switch kind {
        case .seal:
            guard words.count == 8, let hash = value("sha256").flatMap({ SHA256Digest(hex: $0) }),
                let blocks = value("blocks").flatMap({ Int($0) }), let events = value("events").flatMap({ Int($0) })
            else { return nil }
            entry.contentHash = hash
            entry.blocks = blocks
            entry.events = events
        case .drop, .repair:
            guard words.count == 6, let reason = value("reason") else { return nil }
            entry.reason = reason
        }
        guard entry.text == words[0..<(words.count - 2)].joined(separator: " ") else { return nil }
        return entry
    }
}
