/// Splits the `key=value key="quoted value"` pairs of klog structured messages and logrus
/// lines. Quoted values are Go-quoted (`\"`, `\\`, `\n`, `\t` escapes).
enum LogfmtScanner {
    /// Calls `body` for each pair in `bytes[from..<to]`; text that is not a pair is skipped.
    static func pairs(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, _ body: (_ key: String, _ value: String) -> Void) {
        var i = from
        while i < to {
            while i < to, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            let keyStart = i
            while i < to, bytes[i] != UInt8(ascii: "="), bytes[i] != 0x20 { i += 1 }
            guard i < to, bytes[i] == UInt8(ascii: "="), i > keyStart else {
                // A bare word: skip it.
                while i < to, bytes[i] != 0x20 { i += 1 }
                continue
            }
            let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[keyStart..<i]), as: UTF8.self)
            i += 1
            if i < to, bytes[i] == UInt8(ascii: "\"") {
                let (value, end) = quoted(bytes, from: i, to: to)
                body(key, value)
                i = end
            } else {
                let valueStart = i
                while i < to, bytes[i] != 0x20 { i += 1 }
                body(key, String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<i]), as: UTF8.self))
            }
        }
    }

    /// Decodes the Go-quoted string starting at `bytes[from]` (a `"`): its text and the index
    /// after the closing quote (or `to` when it is not closed).
    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (String, Int) {
        var out: [UInt8] = []
        var i = from + 1
        while i < to {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), i + 1) }
            if c == UInt8(ascii: "\\"), i + 1 < to {
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                default: out.append(e)
                }
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return (String(decoding: out, as: UTF8.self), to)
    }
}
