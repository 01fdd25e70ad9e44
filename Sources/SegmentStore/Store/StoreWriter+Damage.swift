import AuditCore

#if canImport(Glibc)
import Glibc
#endif

/// What the writer does with segments it cannot trust or read: it finishes what the chain
/// vouches for and sets the rest aside, named, instead of adopting or dropping it.
extension StoreWriter {
    /// Renames `<partition>/<temporary>` into place when the chain already names it (a crash
    /// between a rewrite's chain entry and its rename) and its seal and content are the ones
    /// chained; false (the caller removes it) otherwise.
    func finishChainedRewrite(partition: String, temporary: String, live: [String: ChainLedger.Entry]) throws -> Bool {
        let folder = directory.partitionPath(partition)
        let name = temporary.replacingSuffix(FileNames.temporarySuffix)
        guard let entry = live[partition + "/" + name], !FileHandle.exists(folder + "/" + name),
            let segment = try? SegmentReader(path: folder + "/" + temporary), let footer = segment.footer(),
            let seal = footer.footer.seal, seal.sequence == entry.sequence, seal.contentHash == entry.contentHash,
            segment.contentHash(upTo: footer.offset) == seal.contentHash
        else { return false }
        try FileHandle.rename(folder + "/" + temporary, to: folder + "/" + name)
        return true
    }

    /// Writes the footer of a chained segment that has none (a crash between the chain entry
    /// and the footer, see ``close()``), when its first `entry.blocks` blocks are intact and
    /// hash to the chained content; false, leaving the file as it is, otherwise.
    func completeSeal(path: String, entry: ChainLedger.Entry) throws -> Bool {
        guard entry.kind == .seal, let contentHash = entry.contentHash else { return false }
        let segment = try SegmentReader(path: path)
        var index: [BlockIndexEntry] = []
        var end = SegmentFormat.headerSize
        var contiguous = true
        try segment.forEachBlock(wholeFrames: true) { offset, header, body in
            guard index.count < entry.blocks else { return false }
            guard offset == end else {
                contiguous = false
                return false
            }
            index.append(BlockIndexEntry(offset: UInt64(offset), minTime: header.minTime, maxTime: header.maxTime, eventCount: header.eventCount))
            end = offset + SegmentFormat.frameHeaderSize + body.count
            return true
        }
        guard contiguous, index.count == entry.blocks, segment.contentHash(upTo: end) == contentHash else { return false }
        let seal = SegmentSeal(sequence: entry.sequence, contentHash: contentHash, previousLink: entry.previous)
        let bytes = SegmentFormat.sealBytes(SegmentFooter(blocks: index, seal: seal), at: end)
        let file = try FileHandle.openForUpdate(path)
        defer { file.close() }
        try file.truncate(to: end)
        try bytes.withUnsafeBytes { try file.write($0, at: end) }
        try file.sync()
        return true
    }

    /// Moves `<partition>/<name>` to `<data>/quarantine/<partition>/` (a rename: it needs no
    /// free space), under a name not yet taken there, and makes the move durable.
    func setAside(partition: String, name: String) throws {
        var created: [String] = []
        if try FileHandle.makeDirectory(directory.quarantinePath) { created.append(directory.path) }
        let folder = directory.quarantinePath + "/" + partition
        if try FileHandle.makeDirectory(folder) { created.append(directory.quarantinePath) }
        var target = name
        var n = 1
        while FileHandle.exists(folder + "/" + target) {
            target = "\(name).\(n)"
            n += 1
        }
        try FileHandle.rename(directory.partitionPath(partition) + "/" + name, to: folder + "/" + target)
        try FileHandle.syncDirectory(folder)
        try FileHandle.syncDirectory(directory.partitionPath(partition))
        for path in created { try FileHandle.syncDirectory(path) }
        recovery.setAside.append(partition + "/" + target)
    }

    /// Links an unsealed segment that holds damaged blocks (not a torn or garbage tail) into the
    /// quarantine as `<name>.damaged` before its intact blocks are rewritten: evidence of
    /// what recovery could not keep. A hard link needs no free space; `repair` does not adopt
    /// it (its intact blocks are back already).
    func keepIfDamaged(partition: String, name: String) throws {
        let path = directory.partitionPath(partition) + "/" + name
        guard let segment = try? SegmentReader(path: path) else { return }
        var lastBlock = -1
        let scan = try segment.forEachBlock(wholeFrames: true) { offset, _, _ in
            lastBlock = offset
            return true
        }
        // Garbage after the last intact block is what a crash leaves past the last commit
        // (never acknowledged), unless it is a complete block frame whose checksum fails.
        let losses = scan.problems.filter { problem in
            guard problem.offset <= lastBlock else {
                var r = ByteReader(segment.mapping.bytes, offset: problem.offset)
                guard let magic = r.u32(), let length = r.u32() else { return false }
                return magic == SegmentFormat.blockMagic && problem.offset + SegmentFormat.frameHeaderSize + Int(length) <= segment.size
            }
            return true
        }
        guard !losses.isEmpty else { return }
        var created: [String] = []
        if try FileHandle.makeDirectory(directory.quarantinePath) { created.append(directory.path) }
        let folder = directory.quarantinePath + "/" + partition
        if try FileHandle.makeDirectory(folder) { created.append(directory.quarantinePath) }
        var target = name + FileNames.damagedSuffix
        var n = 1
        while FileHandle.exists(folder + "/" + target) {
            target = name + ".\(n)" + FileNames.damagedSuffix
            n += 1
        }
        try FileHandle.link(path, to: folder + "/" + target)
        try FileHandle.syncDirectory(folder)
        for path in created { try FileHandle.syncDirectory(path) }
        recovery.damagedKept.append(partition + "/" + target)
    }
}
