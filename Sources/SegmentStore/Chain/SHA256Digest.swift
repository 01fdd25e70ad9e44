import Crypto

/// A SHA-256 value (32 bytes), printed as lowercase hex.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// All zeros: the chain link before the first segment.
    public static let zero = SHA256Digest([UInt8](repeating: 0, count: 32))

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest is 32 bytes")
        self.bytes = bytes
    }

    /// Parses 64 hex digits; nil otherwise.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        for k in 0..<32 {
            guard let hi = Self.nibble(digits[2 * k]), let lo = Self.nibble(digits[2 * k + 1]) else { return nil }
            out[k] = hi << 4 | lo
        }
        bytes = out
    }

    /// SHA-256 of `data`.
    public static func of(_ data: UnsafeRawBufferPointer) -> SHA256Digest {
        SHA256Digest(Array(SHA256.hash(data: data)))
    }

    /// SHA-256 of `data`.
    public static func of(_ data: [UInt8]) -> SHA256Digest {
        SHA256Digest(Array(SHA256.hash(data: data)))
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// An incremental SHA-256, fed as a segment is written.
public struct SHA256Stream {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ data: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: data)
    }

    public func finish() -> SHA256Digest {
        SHA256Digest(Array(hasher.finalize()))
    }
}
