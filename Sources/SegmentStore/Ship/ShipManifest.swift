/// The `SHIPPED` file of a store made by `logq segments ship`: it marks the store as a shipped
/// copy (read-only: no writer opens it) and lists every segment shipped into it, so that one
/// removed later is missing rather than "never shipped":
///
///     logq-shipped 1
///     source /srv/logq/data
///     segment 2026-11-24T12/000001.seg 3 <64 hex>
///
/// `segment` lines: the segment's key (`<partition>/<file>`), its chain sequence number and its
/// content SHA-256, as the source's chain sealed it. Lines are appended (one fsync each) after
/// the segment is in place; an incomplete last line is a torn append and is ignored.
public struct ShipManifest: Sendable {
    /// One shipped segment.
    public struct Entry: Sendable, Equatable {
        /// `<partition>/<file>`, relative to `partitions/`.
        public var segment: String
        /// The segment's number in the source's chain.
        public var sequence: UInt64
        /// SHA-256 of the segment's content (before its footer), as sealed.
        public var contentHash: SHA256Digest
        /// 1-based line in the file.
        public var line: Int
    }

    /// The first line: the format and its version.
    static let header = "logq-shipped 1"

    /// The file's path.
    public let path: String
    /// The store shipped from, as the first ship named it.
    public private(set) var source = ""
    /// Every `segment` line, in file order.
    public private(set) var entries: [Entry] = []
    /// Lines that do not parse, as "SHIPPED line N: …".
    public private(set) var problems: [String] = []

    /// The manifest of `directory` (empty when the file is absent).
    public init(directory: DataDirectory) throws {
        path = directory.path + "/" + FileNames.shipped
        guard FileHandle.exists(path) else { return }
        let file = try FileHandle.openForReading(path)
        defer { file.close() }
        var bytes: [UInt8] = []
        try file.read(into: &bytes, count: try file.size(), at: 0)
        var start = 0
        var number = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            number += 1
            let text = String(decoding: bytes[start..<newline], as: UTF8.self)
            start = newline + 1
            let words = text.split(separator: " ", omittingEmptySubsequences: false)
            if number == 1 {
                if text != Self.header { problems.append("SHIPPED line 1: expected '\(Self.header)', found '\(text.prefix(40))'") }
            } else if words.first == "source", words.count >= 2 {
                source = String(text.dropFirst("source ".count))
            } else if words.count == 4, words[0] == "segment", let sequence = UInt64(words[2]), let hash = SHA256Digest(hex: words[3]) {
                entries.append(Entry(segment: String(words[1]), sequence: sequence, contentHash: hash, line: number))
            } else {
                problems.append("SHIPPED line \(number): does not parse as a shipped segment: \(text.prefix(80))")
            }
        }
    }

    /// Whether `directory` is a shipped copy (holds a `SHIPPED` file).
    public static func isShipped(_ directory: DataDirectory) -> Bool {
        FileHandle.exists(directory.path + "/" + FileNames.shipped)
    }

    /// Creates the file with its header and source line when absent (durably: file and folder).
    static func create(in directory: DataDirectory, source: String) throws {
        let path = directory.path + "/" + FileNames.shipped
        guard !FileHandle.exists(path) else { return }
        try FileHandle.replaceDurably(path, with: Array("\(header)\nsource \(source)\n".utf8))
    }

    /// Appends a `segment` line and fsyncs it.
    static func append(in directory: DataDirectory, segment: String, sequence: UInt64, contentHash: SHA256Digest) throws {
        let path = directory.path + "/" + FileNames.shipped
        let file = try FileHandle.openForUpdate(path)
        defer { file.close() }
        var bytes: [UInt8] = []
        try file.read(into: &bytes, count: try file.size(), at: 0)
        // A torn line of a crashed append is cut: the segment it named is checked again.
        let end = (bytes.lastIndex(of: 0x0A) ?? -1) + 1
        if end < bytes.count { try file.truncate(to: end) }
        let line = Array("segment \(segment) \(sequence) \(contentHash)\n".utf8)
        try line.withUnsafeBytes { try file.write($0, at: end) }
        try file.sync()
    }
}

extension StoreError {
    /// A writer asked to open a copy made by `logq segments ship`.
    static func shippedCopy(_ path: String) -> StoreError {
        StoreError(
            code: .locked,
            message: "cannot write to \(path): it is a copy made by 'logq segments ship' (it has \(FileNames.shipped)) and is read-only; ingest, compact and retention run on the store it was shipped from")
    }
}
