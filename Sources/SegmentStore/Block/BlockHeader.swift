/// The uncompressed header at the start of every block body: enough to skip a block by time
/// without decompressing it.
public struct BlockHeader: Sendable, Equatable {
    /// Encoded size in bytes.
    public static let size = 32
    /// The codec of the payload: zlib.
    public static let codecZlib: UInt8 = 1

    /// Earliest event time in the block, ns since the epoch UTC.
    public var minTime: Int64
    /// Latest event time in the block, ns since the epoch UTC.
    public var maxTime: Int64
    /// Number of events in the block.
    public var eventCount: UInt32
    /// Payload codec (``codecZlib``).
    public var codec: UInt8
    /// Payload size once decompressed, in bytes.
    public var rawLength: UInt32

    public init(minTime: Int64, maxTime: Int64, eventCount: UInt32, codec: UInt8, rawLength: UInt32) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.eventCount = eventCount
        self.codec = codec
        self.rawLength = rawLength
    }

    func encode(into w: inout ByteWriter) {
        w.i64(minTime)
        w.i64(maxTime)
        w.u32(eventCount)
        w.u8(codec)
        w.u8(0)
        w.u16(0)  // reserved
        w.u32(rawLength)
        w.u32(0)  // reserved
    }

    static func decode(_ r: inout ByteReader) -> BlockHeader? {
        guard let minTime = r.i64(), let maxTime = r.i64(), let count = r.u32(), let codec = r.u8(),
            r.u8() != nil, r.u16() != nil, let rawLength = r.u32(), r.u32() != nil
        else { return nil }
        return BlockHeader(minTime: minTime, maxTime: maxTime, eventCount: count, codec: codec, rawLength: rawLength)
    }
}
