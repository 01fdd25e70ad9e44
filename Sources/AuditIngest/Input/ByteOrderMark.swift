/// The UTF-8 byte order mark (EF BB BF) that Windows tools put at the start of a text file.
/// It is not part of the first event: the readers step over it at the start of an input
/// (offsets still count it, so they stay offsets into the file).
enum ByteOrderMark {
    /// The mark's bytes.
    static let bytes: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The length of the mark at the start of `bytes` (3 or 0).
    static func length<C: Collection<UInt8>>(at bytes: C) -> Int {
        bytes.starts(with: Self.bytes) ? Self.bytes.count : 0
    }

    /// Whether `bytes`, shorter than the mark, may still be its start (more bytes to read).
    static func mayStart<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        bytes.count < Self.bytes.count && Self.bytes.starts(with: bytes)
    }
}
