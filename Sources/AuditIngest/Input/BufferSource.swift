/// Bytes already in memory, handed out as a stream (a whole-buffer gunzip's output).
public final class BufferSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func read(into buffer: inout [UInt8], maximum: Int) throws -> Int {
        let n = min(maximum, bytes.count - offset)
        buffer.append(contentsOf: bytes[offset..<(offset + n)])
        offset += n
        return n
    }
}
