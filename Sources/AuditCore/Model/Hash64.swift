/// A fast, seedless 64-bit hash (multiply-mix over 8-byte words, in the manner of wyhash)
/// for dedupe keys and bloom filters. Not cryptographic; stable across runs and machines,
/// so its values may be stored.
public struct Hash64: Sendable {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init() {}

    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Folds `bytes` into the hash.
    public mutating func combine(bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        var h = state ^ UInt64(truncatingIfNeeded: n)
        while i + 8 <= n {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = Hash64.mix(h ^ word, 0xA076_1D64_78BD_642F)
            i += 8
        }
        if i < n {
            // The last 1–7 bytes as a little-endian word: the top of the buffer's last 8 bytes
            // when there are 8, else byte by byte.
            var tail: UInt64 = 0
            if n >= 8 {
                tail = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) >> UInt64(8 * (8 - (n - i)))
            } else {
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) << shift
                    shift += 8
                    i += 1
                }
            }
            h = Hash64.mix(h ^ tail, 0xE703_7ED1_A0B4_28DB)
        }
        state = Hash64.mix(h, 0x8EBC_6AF0_9C88_C6E3)
    }

    /// Folds a byte array into the hash.
    public mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine(bytes: $0) }
    }

    /// Folds a string's UTF-8 bytes into the hash (length-delimited, so ("ab","c") ≠ ("a","bc")).
    public mutating func combine(_ string: String) {
        var copy = string
        copy.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Folds one byte into the hash.
    public mutating func combine(_ byte: UInt8) {
        state = Hash64.mix(state ^ UInt64(byte), 0x5894_9F2B_F5C4_A1B3)
    }

    /// The hash value.
    public func finalize() -> UInt64 {
        Hash64.mix(state, 0x1D8E_4E27_C47D_124F)
    }

    /// The hash of one byte array.
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hasher = Hash64()
        hasher.combine(bytes)
        return hasher.finalize()
    }
}
