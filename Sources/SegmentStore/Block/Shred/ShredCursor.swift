import AuditCore

/// A read position in one JSON event that checks the RFC 8259 grammar of each token it skips.
/// Every method returns false (or nil) on anything that is not strict JSON.
struct ShredCursor {
    let p: UnsafeRawPointer
    let end: Int
    var i: Int

    @inline(__always) var atEnd: Bool { i >= end }
    @inline(__always) var byte: UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }

    /// Skips JSON whitespace (space, tab, LF, CR).
    @inline(__always) mutating func skipSpace() {
        while i < end {
            let c = byte
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// Skips a string whose opening quote is at `i`; leaves `i` after the closing quote.
    /// Control characters must be escaped; escapes must be JSON's.
    mutating func string() -> Bool {
        i += 1
        while true {
            i = JSONScanner.plainRun(p, from: i, to: end)
            guard i < end else { return false }
            let c = byte
            if c == UInt8(ascii: "\"") {
                i += 1
                return true
            }
            if c < 0x20 { return false }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < end else { return false }
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 1
                case UInt8(ascii: "u"):
                    guard i + 4 < end else { return false }
                    for k in 1...4 {
                        let h = p.load(fromByteOffset: i + k, as: UInt8.self)
                        let lower = h | 0x20
                        guard (h >= 0x30 && h <= 0x39) || (lower >= 0x61 && lower <= 0x66) else { return false }
                    }
                    i += 5
                default:
                    return false
                }
                continue
            }
            i += 1
        }
    }

    private mutating func digits() -> Int {
        let from = i
        while i < end, byte &- 0x30 < 10 { i += 1 }
        return i - from
    }

    /// Skips a number at `i`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func number() -> Bool {
        if byte == UInt8(ascii: "-") { i += 1 }
        guard i < end else { return false }
        if byte == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            return false
        }
        if i < end, byte == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < end, byte | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < end, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }

    /// Skips `word` (`true`, `false`, `null`) at `i`.
    mutating func word(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { return false }
        for k in 0..<n where p.load(fromByteOffset: i + k, as: UInt8.self) != word.utf8Start[k] { return false }
        i += n
        return true
    }

    /// Skips `"key" :` (after optional space) and returns an FNV-1a hash of the key's raw bytes.
    mutating func memberKey() -> UInt64? {
        skipSpace()
        guard i < end, byte == UInt8(ascii: "\"") else { return nil }
        let from = i + 1
        guard string() else { return nil }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for k in from..<(i - 1) {
            h = (h ^ UInt64(p.load(fromByteOffset: k, as: UInt8.self))) &* 0x0000_0100_0000_01B3
        }
        skipSpace()
        guard i < end, byte == UInt8(ascii: ":") else { return nil }
        i += 1
        return h
    }
}
