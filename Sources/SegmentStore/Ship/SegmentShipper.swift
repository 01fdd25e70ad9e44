#if canImport(Glibc)
import Glibc
#endif

/// What one `logq segments ship` did.
public struct ShipReport: Sendable {
    /// Segments copied this run, as `<partition>/<file>`.
    public var shipped: [String] = []
    /// Segments already at the destination, byte for byte: skipped.
    public var alreadyThere = 0
    /// Bytes copied.
    public var bytesShipped = 0
    /// Live segments of the source's chain not shipped this run, and why (being sealed by the
    /// running writer, removed since the chain was read, damaged at the source).
    public var notShipped: [String] = []
    /// Whether a segment was left out because it is damaged at the source (not a race).
    public var sourceDamaged = false
    /// Entries of the chain the destination now holds, and its head.
    public var chainEntries = 0
    public var head = SHA256Digest.zero

    public init() {}
}

/// One segment done, for a progress line.
public struct ShipProgress: Sendable {
    /// Segments handled so far (copied or found already there) and in all.
    public var done: Int
    public var total: Int
    /// Bytes copied so far.
    public var bytes: Int
    /// The segment just handled.
    public var segment: String
}

/// Copies a store's sealed segments, and the chain that proves them, to another folder (an
/// object-store mount, an rsync target), which becomes a read-only store of its own:
/// `logq --data DEST` queries it, `logq verify --data DEST` checks it (``ShippedStoreVerifier``).
///
/// - Only segments the source's chain holds live (sealed, not dropped) are copied, and only
///   when their content hashes to what the chain recorded: never the open segment, never a
///   damaged one.
/// - Idempotent: a segment already at the destination with the same bytes is skipped; one
///   with other bytes stops the ship before anything is written (it is not what the chain
///   proves, and overwriting would hide that).
/// - Crash-safe, every step through the store's I/O layer: the destination's `CHAIN` (a prefix
///   of the source's, replaced atomically) is written first, then each segment as `<name>.tmp`,
///   fsync'd, renamed into place, the folder fsync'd, then its line appended to `SHIPPED`. At
///   any instant the destination verifies: a chained segment not there yet is "not shipped",
///   a `.tmp` is ignored by readers and replaced by the next run.
/// - A destination already holding another store's chain (not a prefix of the source's) is
///   refused; so is a folder holding a store of its own.
public struct SegmentShipper {
    /// The store shipped from.
    public let source: DataDirectory
    /// The folder shipped to.
    public let destination: DataDirectory

    public init(source: DataDirectory, destination: DataDirectory) {
        self.source = source
        self.destination = destination
    }

    /// Bytes copied per write.
    static let chunkBytes = 4 << 20

    /// A live segment of the source, checked against its chain entry.
    private struct Planned {
        var key: String
        var entry: ChainLedger.Entry
        var segment: SegmentReader
        /// Whether the destination already holds it, byte for byte.
        var present: Bool
    }

    /// Ships what is new; `progress` is called after each segment.
    public func ship(progress: (ShipProgress) -> Void = { _ in }) throws -> ShipReport {
        guard source.exists else {
            throw StoreError(code: .io, message: "cannot ship from \(source.path): no store there (no \(FileNames.partitions)/ folder)")
        }
        guard Self.canonical(source.path) != Self.canonical(destination.path) else {
            throw StoreError(code: .io, message: "cannot ship \(source.path) onto itself: give another folder as DEST")
        }
        if destination.exists && !ShipManifest.isShipped(destination) {
            throw StoreError(
                code: .io,
                message: "cannot ship to \(destination.path): it is a logq store of its own (it has \(FileNames.partitions)/ and no \(FileNames.shipped)); ship into an empty folder or an earlier ship's destination")
        }
        let (ledger, chainBytes) = try readSourceChain()
        let manifest = try ShipManifest(directory: destination)
        let listed = Set(manifest.entries.map { "\($0.segment)#\($0.sequence)" })
        try checkDestinationChain(extendedBy: chainBytes, head: ledger.head)

        var report = ShipReport()
        report.chainEntries = ledger.entries.count
        report.head = ledger.head
        var plan: [Planned] = []
        var conflicts: [String] = []
        for (key, entry) in ledger.liveSegments.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            let path = source.partitionsPath + "/" + key
            let segment: SegmentReader
            do {
                segment = try SegmentReader(path: path)
            } catch {
                if FileHandle.exists(path) {
                    report.sourceDamaged = true
                    report.notShipped.append("\(key): cannot be read at the source (\(error)); run 'logq verify --data \(source.path)'")
                } else {
                    report.notShipped.append("\(key): removed at the source since its chain was read (compaction or retention running); ship again")
                }
                continue
            }
            guard let footer = segment.footer(), let seal = footer.footer.seal else {
                report.notShipped.append("\(key): chained as #\(entry.sequence) but not sealed yet (the running writer is sealing it); the next ship copies it")
                continue
            }
            let content = segment.contentHash(upTo: footer.offset)
            guard seal.sequence == entry.sequence, content == entry.contentHash else {
                report.sourceDamaged = true
                report.notShipped.append(
                    "\(key): its content (SHA-256 \(content), seal #\(seal.sequence)) is not what the chain sealed as #\(entry.sequence) (CHAIN line \(entry.line)): not shipped; run 'logq verify --data \(source.path)'")
                continue
            }
            let target = destination.partitionsPath + "/" + key
            var present = false
            if FileHandle.exists(target) {
                if try Self.file(target, equals: segment.mapping.bytes) {
                    present = true
                } else {
                    conflicts.append(
                        "\(target) differs from the source's \(key) (sealed as #\(entry.sequence), SHA-256 \(content), \(segment.size) B)")
                }
            }
            plan.append(Planned(key: key, entry: entry, segment: segment, present: present))
        }
        guard conflicts.isEmpty else {
            throw StoreError(
                code: .corrupt,
                message: "cannot ship to \(destination.path): \(conflicts.count) file\(conflicts.count == 1 ? "" : "s") there differ from the sealed segments the chain proves, nothing was written: "
                    + conflicts.joined(separator: "; ")
                    + ". Move them aside (a segment name the source reused after retention dropped its hour, or a file altered at DEST) and ship again")
        }

        try prepareDestination()
        if try Self.readAll(destination.chainPath) != chainBytes {
            try FileHandle.replaceDurably(destination.chainPath, with: chainBytes)
        }
        var done = 0
        for item in plan {
            if item.present {
                report.alreadyThere += 1
            } else {
                try copy(item.segment, to: item.key)
                report.shipped.append(item.key)
                report.bytesShipped += item.segment.size
            }
            if !listed.contains("\(item.key)#\(item.entry.sequence)") {
                try ShipManifest.append(in: destination, segment: item.key, sequence: item.entry.sequence, contentHash: item.entry.contentHash!)
            }
            done += 1
            progress(ShipProgress(done: done, total: plan.count, bytes: report.bytesShipped, segment: item.key))
        }
        return report
    }

    /// The source's chain and the bytes of its entries (a torn last line left out); refuses a
    /// chain with damaged lines that no repair accepted.
    private func readSourceChain() throws -> (ChainLedger, [UInt8]) {
        let ledger = try ChainLedger(path: source.chainPath)
        let accepted = ledger.acceptedProblemLines
        if let problem = ledger.problems.first(where: { $0.line >= accepted }) {
            throw StoreError(
                code: .corrupt,
                message: "cannot ship from \(source.path): its chain is damaged (\(problem)); run 'logq verify --data \(source.path)'")
        }
        let bytes = try Self.readAll(source.chainPath) ?? []
        guard let last = ledger.entries.last else { return (ledger, []) }
        var lines = 0
        var end = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines += 1
            if lines == last.line {
                end = index + 1
                break
            }
        }
        return (ledger, Array(bytes[0..<end]))
    }

    /// Refuses a destination whose chain is not a prefix of the source's.
    private func checkDestinationChain(extendedBy chainBytes: [UInt8], head: SHA256Digest) throws {
        guard let existing = try Self.readAll(destination.chainPath), !existing.isEmpty else { return }
        guard existing.count <= chainBytes.count, Array(chainBytes[0..<existing.count]) == existing else {
            let theirs = try ChainLedger(path: destination.chainPath)
            throw StoreError(
                code: .corrupt,
                message: "cannot ship to \(destination.path): its \(FileNames.chain) (\(theirs.entries.count) entries, head \(theirs.head)) is not a prefix of the source's (head \(head)): it was shipped from another store, or one of the chains was rewritten; ship into another folder")
        }
    }

    /// Creates the destination's folders and its `SHIPPED` mark, durably.
    private func prepareDestination() throws {
        if try FileHandle.makeDirectory(destination.path) { try FileHandle.syncDirectory(FileHandle.parent(of: destination.path)) }
        // The mark first: from here on no writer opens the destination as a store of its own.
        try ShipManifest.create(in: destination, source: Self.canonical(source.path))
        if try FileHandle.makeDirectory(destination.partitionsPath) { try FileHandle.syncDirectory(destination.path) }
    }

    /// Copies a sealed segment to `<dest>/partitions/<key>`: a `.tmp` written and fsync'd,
    /// renamed into place, the folder fsync'd.
    private func copy(_ segment: SegmentReader, to key: String) throws {
        let target = destination.partitionsPath + "/" + key
        let folder = FileHandle.parent(of: target)
        if try FileHandle.makeDirectory(folder) { try FileHandle.syncDirectory(destination.partitionsPath) }
        let temporary = target + FileNames.temporarySuffix
        try FileHandle.remove(temporary)
        let file = try FileHandle.create(temporary)
        do {
            let bytes = segment.mapping.bytes
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + Self.chunkBytes)
                try file.write(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), at: offset)
                offset = end
            }
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try FileHandle.rename(temporary, to: target)
        try FileHandle.syncDirectory(folder)
    }

    /// Whether the file at `path` holds exactly `bytes`.
    static func file(_ path: String, equals bytes: UnsafeRawBufferPointer) throws -> Bool {
        let file = try FileHandle.openForReading(path)
        defer { file.close() }
        guard try file.size() == bytes.count else { return false }
        var chunk: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let count = min(chunkBytes, bytes.count - offset)
            try file.read(into: &chunk, count: count, at: offset)
            guard chunk.count == count else { return false }
            let same = chunk.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress! + offset, count) == 0 }
            guard same else { return false }
            offset += count
        }
        return true
    }

    /// The whole file at `path`, or nil when it does not exist.
    static func readAll(_ path: String) throws -> [UInt8]? {
        guard FileHandle.exists(path) else { return nil }
        let file = try FileHandle.openForReading(path)
        defer { file.close() }
        var bytes: [UInt8] = []
        try file.read(into: &bytes, count: try file.size(), at: 0)
        return bytes
    }

    /// `path` with symbolic links and `.`/`..` resolved (itself when it does not exist).
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
