/// Decodes standard base64 (RFC 4648, `+/`, padding optional, whitespace ignored): the
/// transport of CloudWatch Logs subscription payloads.
enum Base64 {
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        t[Int(UInt8(ascii: "-"))] = 62  // URL-safe alphabet too
        t[Int(UInt8(ascii: "_"))] = 63
        return t
    }()

    /// The bytes of `text[range]`, or nil when it holds a character that is not base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(range.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for k in range {
            let c = text[k]
            if c == UInt8(ascii: "=") { break }
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
            let v = table[Int(c)]
            guard v != 0xFF else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    /// Whether the value starts like base64 of gzip (`H4sI`: the bytes 1f 8b 08).
    static func looksLikeGzip(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.count >= 4 && b[range.lowerBound] == UInt8(ascii: "H") && b[range.lowerBound + 1] == UInt8(ascii: "4")
            && b[range.lowerBound + 2] == UInt8(ascii: "s") && b[range.lowerBound + 3] == UInt8(ascii: "I")
    }
}
