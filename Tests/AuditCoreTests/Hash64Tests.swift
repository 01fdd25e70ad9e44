import AuditCore
import Testing

@Suite("Hash64")
struct Hash64Tests {
    @Test("equal inputs hash equal, also when folded in one call or through a hasher")
    func equalInputs() {
        let bytes = Array("audit-log-tool!".utf8)
        #expect(Hash64.hash(bytes) == Hash64.hash(Array("audit-log-tool!".utf8)))
        var hasher = Hash64()
        hasher.combine(bytes)
        #expect(hasher.finalize() == Hash64.hash(bytes))
        var viaString = Hash64()
        viaString.combine("audit-log-tool!")
        #expect(viaString.finalize() == Hash64.hash(bytes))
    }

    /// Golden values from an independent Python implementation of the documented algorithm
    /// (128-bit multiply, high xor low; little-endian 8-byte words, then the tail).
    @Test(
        "values are stable (they may be stored)",
        arguments: [
            ([UInt8](), 0x5DD4_8793_58CD_AF9A as UInt64),
            (Array("hello".utf8), 0x2930_DEE0_9E7C_029D),
            (Array("audit-log-tool!".utf8), 0x05D9_3A5E_D3E5_DBF4),
            (Array(0..<16), 0x3FCC_DB23_A924_73D8),
        ] as [([UInt8], UInt64)])
    func goldenValues(bytes: [UInt8], hash: UInt64) {
        #expect(Hash64.hash(bytes) == hash)
    }

    /// The documented algorithm, written plainly: words, then the tail byte by byte.
    static func reference(_ bytes: [UInt8]) -> UInt64 {
        func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let p = a.multipliedFullWidth(by: b)
            return p.high ^ p.low
        }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(bytes[i + k]) << UInt64(8 * k) }
            h = mix(h ^ word, 0xA076_1D64_78BD_642F)
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            for k in i..<bytes.count { tail |= UInt64(bytes[k]) << UInt64(8 * (k - i)) }
            h = mix(h ^ tail, 0xE703_7ED1_A0B4_28DB)
        }
        return mix(mix(h, 0x8EBC_6AF0_9C88_C6E3), 0x1D8E_4E27_C47D_124F)
    }

    @Test("every length from 0 to 40 (each tail length, short and long inputs) hashes as the plain algorithm")
    func tails() {
        var wrong: [Int] = []
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length &* 11 &+ 200) }
            if Hash64.hash(bytes) != Self.reference(bytes) { wrong.append(length) }
        }
        #expect(wrong.isEmpty, "lengths \(wrong)")
    }

    @Test("runs of zero bytes of different lengths all hash differently")
    func lengthsDiffer() {
        let hashes = (0...64).map { Hash64.hash(Array(repeating: 0, count: $0)) }
        #expect(Set(hashes).count == 65)
    }

    @Test("one flipped bit anywhere changes the hash")
    func bitFlips() {
        let base = Array("the quick brown fox jumps over the lazy dog".utf8)
        let h = Hash64.hash(base)
        var same: [Int] = []
        for i in 0..<base.count {
            for bit in 0..<8 {
                var copy = base
                copy[i] ^= UInt8(1 << bit)
                if Hash64.hash(copy) == h { same.append(i * 8 + bit) }
            }
        }
        #expect(same.isEmpty)
    }

    @Test("string parts are length-delimited: (\"ab\",\"c\") differs from (\"a\",\"bc\")")
    func delimited() {
        var a = Hash64()
        a.combine("ab")
        a.combine("c")
        var b = Hash64()
        b.combine("a")
        b.combine("bc")
        var c = Hash64()
        c.combine("abc")
        #expect(a.finalize() != b.finalize())
        #expect(a.finalize() != c.finalize())
        #expect(b.finalize() != c.finalize())
    }

    @Test("order of parts matters, and a single byte differs from a one-byte array")
    func orderMatters() {
        var a = Hash64()
        a.combine("x")
        a.combine("y")
        var b = Hash64()
        b.combine("y")
        b.combine("x")
        #expect(a.finalize() != b.finalize())

        var byte = Hash64()
        byte.combine(UInt8(7))
        var array = Hash64()
        array.combine([UInt8(7)])
        #expect(byte.finalize() != array.finalize())
    }
}
