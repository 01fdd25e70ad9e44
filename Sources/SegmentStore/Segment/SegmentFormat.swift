/// The byte layout of a segment file (format version ``Limits/formatVersion``):
///
///     header   8 B magic "LOGQSEG1", u16 format version, 6 B reserved
///     frame*   u32 magic, u32 body length (B), u32 CRC-32 of the body, body
///              block frames (magic ``blockMagic``) carry a ``Block`` body
///     footer   once sealed: a frame with magic ``footerMagic`` whose body indexes the blocks
///              (u32 count; per block u64 frame offset, i64 min time ns, i64 max time ns, u32 events)
///     trailer  u64 offset of the footer frame, 8 B magic "LQSEALED"
///
/// All integers little-endian. A frame is trusted only when it is complete and its CRC checks
/// (queries check a block's head CRC and the CRCs of the columns they read instead of the whole
/// frame; `logq verify`, recovery and compaction check whole frames); an incomplete last frame
/// is a torn tail: not yet written, ignored.
public enum SegmentFormat {
    /// Segment file magic.
    public static let fileMagic: [UInt8] = Array("LOGQSEG1".utf8)
    /// Size of the file header in bytes.
    public static let headerSize = 16
    /// Size of a frame header (magic, length, CRC) in bytes.
    public static let frameHeaderSize = 12
    /// Magic of a block frame: "LQBK" little-endian.
    public static let blockMagic: UInt32 = 0x4B42_514C
    /// Magic of the footer frame: "LQFT" little-endian.
    public static let footerMagic: UInt32 = 0x5446_514C
    /// Trailer magic, the last 8 bytes of a sealed segment.
    public static let trailerMagic: [UInt8] = Array("LQSEALED".utf8)
    /// Size of the trailer in bytes.
    public static let trailerSize = 16

    static func header() -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.bytes.append(contentsOf: fileMagic)
        w.u16(Limits.formatVersion)
        w.bytes.append(contentsOf: [UInt8](repeating: 0, count: 6))
        return w.bytes
    }

    /// The footer frame and trailer that seal a segment whose content ends at `offset`.
    static func sealBytes(_ footer: SegmentFooter, at offset: Int) -> [UInt8] {
        var bytes = frame(magic: footerMagic, body: footer.encode())
        var trailer = ByteWriter(capacity: trailerSize)
        trailer.u64(UInt64(offset))
        trailer.bytes.append(contentsOf: trailerMagic)
        bytes.append(contentsOf: trailer.bytes)
        return bytes
    }

    static func frame(magic: UInt32, body: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: frameHeaderSize + body.count)
        w.u32(magic)
        w.u32(UInt32(body.count))
        w.u32(body.withUnsafeBytes { Deflate.crc32($0) })
        w.bytes.append(contentsOf: body)
        return w.bytes
    }
}

/// One entry of a sealed segment's footer: where a block is and what time it covers.
public struct BlockIndexEntry: Sendable, Equatable {
    /// Byte offset of the block's frame in the segment file.
    public var offset: UInt64
    /// Earliest event time in the block, ns UTC.
    public var minTime: Int64
    /// Latest event time in the block, ns UTC.
    public var maxTime: Int64
    /// Events in the block.
    public var eventCount: UInt32
}
