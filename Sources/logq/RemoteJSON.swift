import LogClient
/// Reads the few members the CLI needs from the server's small JSON answers (`{"error": …}`,
/// the ingest summary) without a JSON library: top-level members only, by name.
enum RemoteJSON {
    /// The string member `name` of `text`, unescaped; nil when absent or not a string.
    static func string(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        guard var i = valueStart(name, in: bytes), i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                i += 1
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u") where i + 4 < bytes.count:
                    let hex = String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self)
                    if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                        out += Array(String(Character(scalar)).utf8)
                    }
                    i += 4
                default: out.append(bytes[i])
                }
            } else {
                out.append(byte)
            }
            i += 1
        }
        return nil
    }

    /// The integer member `name`; nil when absent or not an integer.
    static func int(_ name: String, in text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard let start = valueStart(name, in: bytes) else { return nil }
        let digits = bytes[start...].prefix { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// The member `name` as its JSON text (an object, a number, null…); nil when absent.
    static func raw(_ name: String, in text: String) -> String? {
        let bytes = Array(text.utf8)
        guard let start = valueStart(name, in: bytes) else { return nil }
        var depth = 0
        var inString = false
        var i = start
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                if byte == UInt8(ascii: "\\") { i += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return String(decoding: bytes[start..<i], as: UTF8.self) }
                    depth -= 1
                    if depth == 0 { return String(decoding: bytes[start...i], as: UTF8.self) }
                case UInt8(ascii: ","):
                    if depth == 0 { return String(decoding: bytes[start..<i], as: UTF8.self) }
                default: break
                }
            }
            i += 1
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// Where the value of the top-level member `name` starts (after `"name":` and blanks).
    private static func valueStart(_ name: String, in bytes: [UInt8]) -> Int? {
        let key = Array("\"\(name)\"".utf8)
        var depth = 0
        var inString = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                if byte == UInt8(ascii: "\\") { i += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
            } else if byte == UInt8(ascii: "\""), depth == 1, bytes[i...].starts(with: key) {
                var j = i + key.count
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x09 { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x0A || bytes[j] == 0x09 { j += 1 }
                    return j
                }
                inString = true
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
            i += 1
        }
        return nil
    }
}
