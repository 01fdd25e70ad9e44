/// Splits one JSON event into its template (every byte but the scalar values, each value
/// replaced by ``ShredFormat/slotMarker``) and its values, each tagged with the id of its key
/// path in the block. Keys, punctuation, whitespace and `true`/`false`/`null` stay in the
/// template, so any spacing, key order or duplicate key is kept exactly; string values are
/// stored without their quotes, raw (escapes as written).
///
/// Strict JSON (RFC 8259) only: anything else, a nesting deeper than ``maxDepth``, or more than
/// ``maxSlots`` values makes ``scan`` fail, and the event is stored verbatim.
struct ShredScanner {
    /// Deepest nesting of objects and arrays shredded (deeper events are stored verbatim).
    static let maxDepth = Limits.shredDepth
    /// Most values per event shredded.
    static let maxSlots = Limits.shredValues

    /// A value of the event scanned last: a range of the block's input and its key path.
    struct Slot {
        var start: Int
        var length: Int
        var path: Int32
    }

    /// The template of the event scanned last.
    var template: [UInt8] = []
    /// The values of the event scanned last, in order.
    var slots: [Slot] = []
    /// Number of distinct key paths seen in the block (the next path id).
    private(set) var pathCount: Int32 = 0
    /// Key paths seen in the block: (parent path, hash of the key's raw bytes) → path id, in an
    /// open-addressing table (a `Dictionary` spent more time hashing than the scan itself).
    /// A hash collision only puts two paths in one column: still exact, slightly larger.
    private var tableParents: [Int32] = Array(repeating: 0, count: 256)
    private var tableKeys: [UInt64] = Array(repeating: 0, count: 256)
    private var tableIds: [Int32] = Array(repeating: -1, count: 256)
    /// The open containers, innermost last.
    private var stack: [Frame] = []

    /// An open container: an object's own path, or an array's element path.
    private struct Frame {
        var path: Int32
        var isArray: Bool
    }

    /// The key hash that stands for "element of an array" in a path.
    private static let arrayKey: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// The key hash of the path of a scalar event (a value at the top level).
    private static let rootKey: UInt64 = 0x5851_F42D_4C95_7F2D

    @inline(__always)
    private mutating func intern(_ parent: Int32, _ key: UInt64) -> Int32 {
        let mask = tableIds.count - 1
        var h = key ^ (UInt64(UInt32(bitPattern: parent)) &* 0x9E37_79B9_7F4A_7C15)
        h ^= h >> 29
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = tableIds[slot]
            if id < 0 { break }
            if tableKeys[slot] == key && tableParents[slot] == parent { return id }
            slot = (slot + 1) & mask
        }
        let id = pathCount
        pathCount += 1
        tableIds[slot] = id
        tableKeys[slot] = key
        tableParents[slot] = parent
        if Int(pathCount) * 2 > tableIds.count { grow() }
        return id
    }

    /// Doubles the path table, keeping at most half of it used.
    private mutating func grow() {
        let (parents, keys, ids) = (tableParents, tableKeys, tableIds)
        let size = ids.count * 2
        tableParents = Array(repeating: 0, count: size)
        tableKeys = Array(repeating: 0, count: size)
        tableIds = Array(repeating: -1, count: size)
        let mask = size - 1
        for k in ids.indices where ids[k] >= 0 {
            var h = keys[k] ^ (UInt64(UInt32(bitPattern: parents[k])) &* 0x9E37_79B9_7F4A_7C15)
            h ^= h >> 29
            var slot = Int(truncatingIfNeeded: h) & mask
            while tableIds[slot] >= 0 { slot = (slot + 1) & mask }
            tableIds[slot] = ids[k]
            tableKeys[slot] = keys[k]
            tableParents[slot] = parents[k]
        }
    }

    /// Scans the event at `start ..< start + count` of `input`; false when it is not strict JSON
    /// within the limits (then `template` and `slots` are meaningless).
    mutating func scan(_ input: UnsafeRawBufferPointer, start: Int, count: Int) -> Bool {
        template.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        guard count > 0, let base = input.baseAddress else { return false }
        var c = ShredCursor(p: base, end: start + count, i: start)
        var literal = start  // first byte not yet copied to the template
        var path: Int32 = -1  // the root

        parseValue: while true {
            c.skipSpace()
            guard !c.atEnd else { return false }
            switch c.byte {
            case UInt8(ascii: "{"):
                guard stack.count < Self.maxDepth else { return false }
                c.i += 1
                c.skipSpace()
                guard !c.atEnd else { return false }
                if c.byte == UInt8(ascii: "}") {
                    c.i += 1
                } else {
                    guard let key = c.memberKey() else { return false }
                    stack.append(Frame(path: path, isArray: false))
                    path = intern(path, key)
                    continue parseValue
                }
            case UInt8(ascii: "["):
                guard stack.count < Self.maxDepth else { return false }
                c.i += 1
                c.skipSpace()
                guard !c.atEnd else { return false }
                if c.byte == UInt8(ascii: "]") {
                    c.i += 1
                } else {
                    path = intern(path, Self.arrayKey)
                    stack.append(Frame(path: path, isArray: true))
                    continue parseValue
                }
            case UInt8(ascii: "\""):
                let from = c.i + 1
                guard c.string() else { return false }
                addSlot(base, from, c.i - 1, path, &literal)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let from = c.i
                guard c.number() else { return false }
                addSlot(base, from, c.i, path, &literal)
            case UInt8(ascii: "t"):
                guard c.word("true") else { return false }
            case UInt8(ascii: "f"):
                guard c.word("false") else { return false }
            case UInt8(ascii: "n"):
                guard c.word("null") else { return false }
            default:
                return false
            }
            guard slots.count <= Self.maxSlots else { return false }
            // After a value: close containers until one goes on with a comma.
            while true {
                c.skipSpace()
                guard let top = stack.last else {
                    guard c.atEnd else { return false }
                    template.append(contentsOf: UnsafeRawBufferPointer(start: base + literal, count: c.end - literal))
                    return true
                }
                guard !c.atEnd else { return false }
                let b = c.byte
                c.i += 1
                if b == UInt8(ascii: ",") {
                    if top.isArray {
                        path = top.path
                    } else {
                        guard let key = c.memberKey() else { return false }
                        path = intern(top.path, key)
                    }
                    continue parseValue
                }
                guard b == UInt8(ascii: top.isArray ? "]" : "}") else { return false }
                stack.removeLast()
            }
        }
    }

    @inline(__always)
    private mutating func addSlot(_ base: UnsafeRawPointer, _ from: Int, _ to: Int, _ path: Int32, _ literal: inout Int) {
        template.append(contentsOf: UnsafeRawBufferPointer(start: base + literal, count: from - literal))
        template.append(ShredFormat.slotMarker)
        // A scalar at the top level has the root path (−1): give it an id of its own.
        slots.append(Slot(start: from, length: to - from, path: path >= 0 ? path : intern(-1, Self.rootKey)))
        literal = to
    }
}
