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
