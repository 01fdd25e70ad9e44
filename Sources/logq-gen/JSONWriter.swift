/// Appends compact JSON to a reused byte buffer, one value at a time, with no intermediate
/// objects: the generator's hot path (a million events) builds every line here.
///
/// Commas are placed automatically: a single flag remembers whether the last thing written was a
/// complete value, so `key`, scalar values and `begin…`/`end…` calls can follow each other freely.
/// Strings are escaped byte by byte (RFC 8259: `"`, `\` and control characters); bytes ≥ 0x80
/// pass through, so UTF-8 stays UTF-8. Pre-encoded fragments (`raw`) are appended as they are.
struct JSONWriter {
    /// The JSON written so far.
    var bytes: [UInt8]
    /// True after a complete value: the next key or array element needs a comma first.
    private var needsComma = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its capacity.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    /// Ends a JSON Lines record.
    mutating func newline() {
        bytes.append(ASCII.newline)
        needsComma = false
    }

    // MARK: Structure

    mutating func beginObject() {
        separate()
        bytes.append(ASCII.openBrace)
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(ASCII.closeBrace)
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(ASCII.openBracket)
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(ASCII.closeBracket)
        needsComma = true
    }

    /// Writes `"name":`; the next call writes its value.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(ASCII.quote)
        appendEscaped(name)
        bytes.append(ASCII.quote)
        bytes.append(ASCII.colon)
        needsComma = false
    }

    /// Writes `"name":` for a key known only at run time.
    mutating func key(_ name: String) {
        separate()
        bytes.append(ASCII.quote)
        appendEscaped(name)
        bytes.append(ASCII.quote)
        bytes.append(ASCII.colon)
        needsComma = false
    }

    // MARK: Scalars

    mutating func string(_ value: StaticString) {
        beginString()
        appendEscaped(value)
        endString()
    }

    mutating func string(_ value: String) {
        beginString()
        appendEscaped(value)
        endString()
    }

    mutating func int(_ value: Int) {
        separate()
        appendDecimal(value)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        if value { append("true") } else { append("false") }
        needsComma = true
    }

    mutating func null() {
        separate()
        append("null")
        needsComma = true
    }

    /// Appends an already encoded JSON value (an object, array, string or number) as it is.
    mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    // MARK: Convenience fields

    mutating func field(_ name: StaticString, _ value: StaticString) {
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        int(value)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Writes `"name":` followed by a pre-encoded value.
    mutating func field(_ name: StaticString, raw json: [UInt8]) {
        key(name)
        raw(json)
    }

    // MARK: Strings built from parts

    /// Opens a string value; follow with `part(…)` calls and `endString()`.
    mutating func beginString() {
        separate()
        bytes.append(ASCII.quote)
    }

    mutating func endString() {
        bytes.append(ASCII.quote)
        needsComma = true
    }

    /// Appends escaped text inside an open string.
    mutating func part(_ text: StaticString) {
        appendEscaped(text)
    }

    /// Appends escaped text inside an open string.
    mutating func part(_ text: String) {
        appendEscaped(text)
    }

    /// Appends a decimal number inside an open string.
    mutating func part(_ number: Int) {
        appendDecimal(number)
    }

    /// Appends a number inside an open string, zero-padded to `width` digits.
    mutating func part(_ number: Int, width: Int) {
        appendPadded(number, width: width)
    }

    /// Appends `count` characters drawn uniformly from `alphabet` inside an open string
    /// (random IDs, name suffixes); the alphabet must need no escaping.
    mutating func part(randomFrom alphabet: StaticString, count: Int, _ rng: inout SplitMix64) {
        alphabet.withUTF8Buffer { letters in
            var bits = rng.next()
            var left = 8
            for _ in 0..<count {
                if left == 0 {
                    bits = rng.next()
                    left = 8
                }
                // 8 bits per character: the modulo bias is below 1/8 for alphabets up to 64.
                bytes.append(letters[Int(bits & 0xFF) % letters.count])
                bits >>= 8
                left -= 1
            }
        }
    }

    // MARK: Low level

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(ASCII.comma) }
    }

    /// Appends ASCII text that is known to need no escaping (literals of JSON syntax).
    @inline(__always)
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    private mutating func appendEscaped(_ text: StaticString) {
        text.withUTF8Buffer { appendEscaped($0) }
    }

    @inline(__always)
    private mutating func appendEscaped(_ text: String) {
        var text = text
        text.withUTF8 { appendEscaped($0) }
    }

    /// The byte-level escaper: clean runs are copied in one go, special bytes are escaped.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for i in 0..<text.count {
            let byte = text[i]
            guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i])) }
            runStart = i + 1
            bytes.append(ASCII.backslash)
            switch byte {
            case ASCII.quote: bytes.append(ASCII.quote)
            case ASCII.backslash: bytes.append(ASCII.backslash)
            case ASCII.newline: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                append("u00")
                bytes.append(ASCII.hexDigit(byte >> 4))
                bytes.append(ASCII.hexDigit(byte & 0xF))
            }
        }
        if runStart < text.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...])) }
    }

    /// Appends the decimal digits of `value` (with a minus sign when negative).
    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude))
        } else {
            appendDecimal(UInt64(value))
        }
    }

    private mutating func appendDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(ASCII.zero + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Appends `value` (≥ 0) zero-padded to at least `width` digits.
    @inline(__always)
    mutating func appendPadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        if value >= divisor * 10 {
            appendDecimal(value)
            return
        }
        var rest = value
        while divisor > 0 {
            bytes.append(ASCII.zero + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

/// The ASCII bytes the writers use by name.
enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let newline = UInt8(ascii: "\n")
    static let zero = UInt8(ascii: "0")

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? zero + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
