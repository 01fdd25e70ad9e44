import AuditCore

/// A damaged part of a segment: which file, where, and what is wrong. Reported, then skipped.
public struct SegmentProblem: Sendable, Equatable, CustomStringConvertible {
    /// The segment file.
    public var path: String
    /// Byte offset of the damaged frame.
    public var offset: Int
    /// What is wrong.
    public var message: String

    public init(path: String, offset: Int, message: String) {
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String { offset >= 0 ? "\(path) at byte \(offset): \(message)" : "\(path): \(message)" }
}

/// What a scan of one segment found besides its blocks.
public struct SegmentScanResult: Sendable {
    /// Damaged frames, skipped.
    public var problems: [SegmentProblem] = []
    /// Whether the segment ends in an incomplete frame (a writer crashed or is mid-write).
    public var tornTail = false
    /// Whether the segment has its footer.
    public var sealed = false
    /// Blocks whose frames checked, whether or not they were visited.
    public var blocksRead = 0
    /// Blocks skipped by their time range without being decompressed.
    public var blocksSkipped = 0
}

/// Reads the blocks of one segment frame by frame. Safe beside a live writer: a frame is used
/// only when complete and its CRC checks, and an incomplete last frame is ignored.
public final class SegmentReader {
    /// The segment's path.
    public let path: String
    private let file: FileHandle
    private let fileSize: Int
    /// The segment mapped up to its size when opened: frames are read in place.
    public let mapping: MappedFile

    /// Opens a segment and checks its header.
    public init(path: String) throws {
        self.path = path
        file = try FileHandle.openForReading(path)
        fileSize = try file.size()
        mapping = try file.map(count: fileSize)
        var header: [UInt8] = []
        try file.read(into: &header, count: SegmentFormat.headerSize, at: 0)
        guard header.count == SegmentFormat.headerSize else {
            // A writer that crashed before its header reached the disk: nothing was acknowledged.
            isEmpty = true
            return
        }
        isEmpty = false
        guard Array(header[0..<8]) == SegmentFormat.fileMagic else {
            throw StoreError(code: .corrupt, message: "cannot read segment \(path): not a logq segment (bad magic)")
        }
        let version = UInt16(header[8]) | UInt16(header[9]) << 8
        guard version == Limits.formatVersion else {
            throw StoreError(
                code: .unsupportedVersion,
                message: "cannot read segment \(path): format version \(version), this logq reads version \(Limits.formatVersion)")
        }
    }

    /// Whether the file is too short to hold even a header.
    public let isEmpty: Bool

    deinit { file.close() }

    /// Visits each intact block whose time range meets `timeRange` with its frame offset and body;
    /// `visit` returns false to stop early.
    ///
    /// A block frame is trusted when its head (header, summary, column directory) checks against
    /// the head CRC inside the block; its columns are checked by ``BlockView`` as they are read,
    /// so a query reading two columns does not checksum the rest. `wholeFrames` checks the frame
    /// CRC over the whole body instead, as before format version 5 (for verification).
    @discardableResult
    public func forEachBlock(
        in timeRange: ClosedRange<Int64>? = nil, wholeFrames: Bool = false,
        _ visit: (_ offset: Int, _ header: BlockHeader, _ body: UnsafeRawBufferPointer) throws -> Bool
    ) throws -> SegmentScanResult {
        var result = SegmentScanResult()
        guard !isEmpty else { return result }
        var offset = SegmentFormat.headerSize
        while offset < fileSize {
            guard offset + SegmentFormat.frameHeaderSize <= fileSize else {
                result.tornTail = true
                break
            }
            let (magic, frameLength, crc) = { () -> (UInt32, UInt32, UInt32) in
                var rr = ByteReader(mapping.bytes, offset: offset)
                return (rr.u32()!, rr.u32()!, rr.u32()!)
            }()
            let isKnown = magic == SegmentFormat.blockMagic || magic == SegmentFormat.footerMagic
            var length = frameLength
            if magic == SegmentFormat.blockMagic, let actual = headLength(at: offset), actual != Int(length) {
                // The checked block head knows where the block ends: a damaged length field
                // must not cost the blocks after it (nor pass for a torn tail).
                result.problems.append(
                    SegmentProblem(
                        path: path, offset: offset,
                        message: "damaged frame length (\(length) B, the block's checked head says \(actual) B); block read by its head"))
                length = UInt32(actual)
            }
            let end = offset + SegmentFormat.frameHeaderSize + Int(length)
            if isKnown, length <= Limits.maxBlockFrameBytes, end > fileSize {
                result.tornTail = true
                break
            }
            guard isKnown, length <= Limits.maxBlockFrameBytes else {
                result.problems.append(
                    SegmentProblem(path: path, offset: offset, message: "damaged frame header (magic or length); skipped to the next intact block"))
                guard let next = try resync(after: offset) else { break }
                offset = next
                continue
            }
            let bodyStart = offset + SegmentFormat.frameHeaderSize
            let body = UnsafeRawBufferPointer(rebasing: mapping.bytes[bodyStart..<(bodyStart + Int(length))])
            // A block outside the time window is skipped before its checksum is even computed.
            if magic == SegmentFormat.blockMagic, let range = timeRange, let header = Block.header(body),
                header.maxTime < range.lowerBound || header.minTime > range.upperBound
            {
                result.blocksRead += 1
                result.blocksSkipped += 1
                offset = end
                continue
            }
            if magic == SegmentFormat.blockMagic && !wholeFrames {
                guard Block.verifiedHeadSize(body) != nil else {
                    result.problems.append(
                        SegmentProblem(
                            path: path, offset: offset,
                            message: "block head checksum mismatch (header, summary or column directory); block skipped"))
                    guard let next = try resync(after: offset) else { break }
                    offset = next
                    continue
                }
            } else if case let actual = Deflate.crc32(body), actual != crc {
                result.problems.append(
                    SegmentProblem(path: path, offset: offset, message: "block checksum mismatch (CRC-32 \(hex(actual)), frame says \(hex(crc))); block skipped"))
                guard let next = try resync(after: offset) else { break }
                offset = next
                continue
            }
            if magic == SegmentFormat.footerMagic {
                result.sealed = true
                break
            }
            result.blocksRead += 1
            let keepGoing = try { () throws -> Bool in
                let raw = body
                guard let header = Block.header(raw) else {
                    result.problems.append(SegmentProblem(path: path, offset: offset, message: "block header too short; block skipped"))
                    return true
                }
                if let range = timeRange, header.maxTime < range.lowerBound || header.minTime > range.upperBound {
                    result.blocksSkipped += 1
                    return true
                }
                return try visit(offset, header, raw)
            }()
            if !keepGoing { break }
            offset = end
        }
        return result
    }

    /// The file's size in bytes when opened.
    public var size: Int { fileSize }

    /// The footer of a sealed segment and the byte offset of its frame (where the sealed
    /// content ends); nil when the segment is not sealed or its footer does not check.
    public func footer() -> (offset: Int, footer: SegmentFooter)? {
        guard !isEmpty, fileSize >= SegmentFormat.headerSize + SegmentFormat.trailerSize else { return nil }
        let bytes = mapping.bytes
        var r = ByteReader(bytes, offset: fileSize - SegmentFormat.trailerSize)
        guard let rawOffset = r.u64(), rawOffset < UInt64(fileSize) else { return nil }
        let footerOffset = Int(rawOffset)
        guard
            Array(UnsafeRawBufferPointer(rebasing: bytes[(fileSize - 8)..<fileSize])) == SegmentFormat.trailerMagic,
            footerOffset >= SegmentFormat.headerSize,
            footerOffset + SegmentFormat.frameHeaderSize <= fileSize - SegmentFormat.trailerSize
        else { return nil }
        var f = ByteReader(bytes, offset: footerOffset)
        guard f.u32() == SegmentFormat.footerMagic, let length = f.u32().map(Int.init), let crc = f.u32(),
            footerOffset + SegmentFormat.frameHeaderSize + length == fileSize - SegmentFormat.trailerSize
        else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(footerOffset + SegmentFormat.frameHeaderSize)..<(fileSize - SegmentFormat.trailerSize)])
        guard Deflate.crc32(body) == crc, let footer = SegmentFooter.decode(body) else { return nil }
        return (footerOffset, footer)
    }

    /// SHA-256 of the file's first `count` bytes (a seal's content: everything before the footer).
    public func contentHash(upTo count: Int) -> SHA256Digest {
        SHA256Digest.of(UnsafeRawBufferPointer(rebasing: mapping.bytes[0..<min(count, fileSize)]))
    }

    /// The body length that the block head at frame `offset` records, when the head is complete
    /// and its CRC checks; nil otherwise.
    private func headLength(at offset: Int) -> Int? {
        let bodyStart = offset + SegmentFormat.frameHeaderSize
        guard bodyStart < fileSize else { return nil }
        guard let length = Block.verifiedBodyLength(UnsafeRawBufferPointer(rebasing: mapping.bytes[bodyStart..<fileSize])),
            bodyStart + length <= fileSize
        else { return nil }
        return length
    }

    /// Frame offsets of the blocks a sealed segment's footer indexes (ascending), nil when unsealed.
    private lazy var indexedOffsets: [Int]? = footer().map { found in
        found.footer.blocks.map { Int($0.offset) }.filter { $0 < found.offset }.sorted() + [found.offset]
    }

    /// Finds the next offset after `offset` where a complete frame with a block magic and a valid
    /// CRC starts; nil when there is none. A sealed segment's footer says where: the next
    /// indexed block (or the footer).
    private func resync(after offset: Int) throws -> Int? {
        if let indexed = indexedOffsets {
            return indexed.first { $0 > offset }
        }
        var chunk: [UInt8] = []
        var position = offset + 1
        let chunkSize = 1 << 20
        while position + SegmentFormat.frameHeaderSize <= fileSize {
            try file.read(into: &chunk, count: min(chunkSize + 3, fileSize - position), at: position)
            guard chunk.count >= 4 else { return nil }
            for k in 0...(chunk.count - 4) {
                let word = UInt32(chunk[k]) | UInt32(chunk[k + 1]) << 8 | UInt32(chunk[k + 2]) << 16 | UInt32(chunk[k + 3]) << 24
                guard word == SegmentFormat.blockMagic || word == SegmentFormat.footerMagic else { continue }
                if try frameChecks(at: position + k) { return position + k }
            }
            position += chunkSize
        }
        return nil
    }

    private func frameChecks(at offset: Int) throws -> Bool {
        var header: [UInt8] = []
        try file.read(into: &header, count: SegmentFormat.frameHeaderSize, at: offset)
        guard header.count == SegmentFormat.frameHeaderSize else { return false }
        let (length, crc) = header.withUnsafeBytes { raw -> (UInt32, UInt32) in
            var r = ByteReader(raw, offset: 4)
            return (r.u32()!, r.u32()!)
        }
        guard length <= Limits.maxBlockFrameBytes, offset + SegmentFormat.frameHeaderSize + Int(length) <= fileSize else { return false }
        var body: [UInt8] = []
        try file.read(into: &body, count: Int(length), at: offset + SegmentFormat.frameHeaderSize)
        return body.withUnsafeBytes { Deflate.crc32($0) } == crc
    }

    private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
