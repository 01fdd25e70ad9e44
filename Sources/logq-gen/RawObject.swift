/// A JSON object split into its members as encoded byte slices: the varied profile edits
/// events after the encoders wrote them (adds, drops, replaces and reorders members) without a
/// full JSON tree. It reads only what `JSONWriter` writes (compact, valid JSON), plus spaces.
struct RawObject {
    /// One `"key":value` member.
    struct Member {
        /// The key as written between the quotes (escapes kept).
        var key: [UInt8]
        /// The encoded value.
        var value: [UInt8]
    }

    var members: [Member]

    /// Splits an encoded object; nil when `json` is no object.
    init?(_ json: ArraySlice<UInt8>) {
        var i = RawJSON.skipSpace(json, json.startIndex)
        guard i < json.endIndex, json[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var members: [Member] = []
        while true {
            i = RawJSON.skipSpace(json, i)
            guard i < json.endIndex else { return nil }
            if json[i] == UInt8(ascii: "}") { break }
            if json[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard json[i] == UInt8(ascii: "\"") else { return nil }
            let keyEnd = RawJSON.valueEnd(json, i)
            let key = Array(json[(i + 1)..<(keyEnd - 1)])
            i = RawJSON.skipSpace(json, keyEnd)
            guard i < json.endIndex, json[i] == UInt8(ascii: ":") else { return nil }
            let start = RawJSON.skipSpace(json, i + 1)
            let end = RawJSON.valueEnd(json, start)
            guard end <= json.endIndex, end > start else { return nil }
            members.append(Member(key: key, value: Array(json[start..<end])))
            i = end
        }
        self.members = members
    }

    /// Splits an encoded object; nil when `json` is no object.
    init?(_ json: [UInt8]) {
        self.init(json[...])
    }

    init(members: [Member] = []) {
        self.members = members
    }

    /// Index of the member named `key`.
    func index(of key: String) -> Int? {
        members.firstIndex { $0.key.elementsEqual(key.utf8) }
    }

    /// The encoded value of `key`.
    subscript(key: String) -> [UInt8]? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: Array(key.utf8), value: newValue))
            }
        }
    }

    /// The text of a string member without escapes to undo (nil for other values).
    func string(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        return RawJSON.plainString(value)
    }

    /// Inserts (or moves) `key` right after `anchor`, or at the end when `anchor` is absent.
    mutating func insert(_ key: String, _ value: [UInt8], after anchor: String) {
        if let i = index(of: key) { members.remove(at: i) }
        let member = Member(key: Array(key.utf8), value: value)
        if let a = index(of: anchor) {
            members.insert(member, at: a + 1)
        } else {
            members.append(member)
        }
    }

    /// Orders the members by key bytes, as Go writes map keys.
    mutating func sortKeys() {
        members.sort { $0.key.lexicographicallyPrecedes($1.key) }
    }

    /// Appends the encoded object.
    func encode(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (n, member) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: member.key)
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.value)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The encoded object.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(members.reduce(2) { $0 + $1.key.count + $1.value.count + 4 })
        encode(into: &out)
        return out
    }
}

/// Byte-level helpers over compact JSON for the varied profile.
enum RawJSON {
    static func skipSpace(_ json: ArraySlice<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < json.endIndex, json[i] == 0x20 || json[i] == 0x0A || json[i] == 0x0D || json[i] == 0x09 { i += 1 }
        return i
    }

    /// The index just after the value that starts at `start`.
    static func valueEnd(_ json: ArraySlice<UInt8>, _ start: Int) -> Int {
        guard start < json.endIndex else { return start }
        var i = start
        switch json[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < json.endIndex {
                if json[i] == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if json[i] == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            return json.endIndex
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < json.endIndex {
                switch json[i] {
                case UInt8(ascii: "\""):
                    i = valueEnd(json, i)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default:
                    break
                }
                i += 1
            }
            return json.endIndex
        default:
            while i < json.endIndex {
                switch json[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
                    return i
                default:
                    i += 1
                }
            }
            return i
        }
    }

    /// The elements of an encoded array (nil when `json` is no array).
    static func elements(_ json: [UInt8]) -> [[UInt8]]? {
        let slice = json[...]
        var i = skipSpace(slice, 0)
        guard i < slice.endIndex, slice[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var out: [[UInt8]] = []
        while true {
            i = skipSpace(slice, i)
            guard i < slice.endIndex else { return nil }
            if slice[i] == UInt8(ascii: "]") { return out }
            if slice[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            let end = valueEnd(slice, i)
            out.append(Array(slice[i..<end]))
            i = end
        }
    }

    /// Encodes an array of encoded values.
    static func array(_ elements: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (n, element) in elements.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: element)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Encodes a string value.
    static func string(_ text: String) -> [UInt8] {
        var w = JSONWriter(capacity: text.utf8.count + 8)
        w.string(text)
        return w.bytes
    }

    /// The text of an encoded string that holds no escapes; nil otherwise.
    static func plainString(_ value: [UInt8]) -> String? {
        guard value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\""),
              !value.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: value[1..<(value.count - 1)], as: UTF8.self)
    }

    /// Appends `json` with the keys of every object in it sorted (a log shipper that decodes
    /// events into maps and encodes them again writes them so).
    static func appendSorted(_ json: ArraySlice<UInt8>, into out: inout [UInt8]) {
        let start = skipSpace(json, json.startIndex)
        guard start < json.endIndex else { return }
        switch json[start] {
        case UInt8(ascii: "{"):
            guard var object = RawObject(json[start...]) else {
                out.append(contentsOf: json[start...])
                return
            }
            object.sortKeys()
            out.append(UInt8(ascii: "{"))
            for (n, member) in object.members.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: member.key)
                out.append(UInt8(ascii: "\""))
                out.append(UInt8(ascii: ":"))
                appendSorted(member.value[...], into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            guard let items = elements(Array(json[start...])) else {
                out.append(contentsOf: json[start...])
                return
            }
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                appendSorted(item[...], into: &out)
            }
            out.append(UInt8(ascii: "]"))
        default:
            out.append(contentsOf: json[start...])
        }
    }

    /// Replaces every occurrence of `old` with `new` in `bytes`.
    static func replaceAll(in bytes: inout [UInt8], _ old: [UInt8], with new: [UInt8]) {
        guard !old.isEmpty, bytes.count >= old.count else { return }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var i = 0
        var changed = false
        let first = old[0]
        while i < bytes.count {
            if bytes[i] == first, i + old.count <= bytes.count, bytes[i..<(i + old.count)].elementsEqual(old) {
                out.append(contentsOf: new)
                i += old.count
                changed = true
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        if changed { bytes = out }
    }
}
