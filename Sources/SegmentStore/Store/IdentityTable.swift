/// The events stored in one partition, for dedupe: (identity key, content hash) pairs in one
/// open-addressing table. One probe answers both questions an append asks, "this event
/// already?" (same identity and content: a duplicate) and "this identity with other content?"
/// (an ID conflict, kept and counted), where two `Set`s took four SipHash lookups.
/// The keys are ``AuditCore/Hash64`` values, already well mixed: their low bits pick the slot.
struct IdentityTable {
    /// What ``insert(id:content:)`` found.
    enum Outcome: Equatable {
        /// New identity.
        case new
        /// The same identity and content is stored: nothing was added.
        case duplicate
        /// The identity is stored with other content: added beside it.
        case conflict
    }

    /// The content of an identity whose stored bytes are unreadable (a damaged raw column):
    /// any event with that identity is a duplicate. A real content hash equal to it is a 2⁻⁶⁴ chance.
    static let anyContent: UInt64 = 0xA11C_0476_E47D_0FF0

    private var ids: [UInt64]
    private var contents: [UInt64]
    private var used: [Bool]
    private(set) var count = 0

    init() {
        ids = Array(repeating: 0, count: 1024)
        contents = Array(repeating: 0, count: 1024)
        used = Array(repeating: false, count: 1024)
    }

    /// Adds the pair unless it is there; says what was found.
    @discardableResult
    mutating func insert(id: UInt64, content: UInt64) -> Outcome {
        let mask = used.count - 1
        var slot = Int(truncatingIfNeeded: id) & mask
        var conflict = false
        while used[slot] {
            if ids[slot] == id {
                if contents[slot] == content || contents[slot] == Self.anyContent { return .duplicate }
                conflict = true
            }
            slot = (slot + 1) & mask
        }
        used[slot] = true
        ids[slot] = id
        contents[slot] = content
        count += 1
        if count * 2 > used.count { grow() }
        return conflict ? .conflict : .new
    }

    /// Doubles the table, keeping at most half of it used.
    private mutating func grow() {
        let (oldIds, oldContents, oldUsed) = (ids, contents, used)
        let size = used.count * 2
        ids = Array(repeating: 0, count: size)
        contents = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
        let mask = size - 1
        for k in oldUsed.indices where oldUsed[k] {
            var slot = Int(truncatingIfNeeded: oldIds[k]) & mask
            while used[slot] { slot = (slot + 1) & mask }
            used[slot] = true
            ids[slot] = oldIds[k]
            contents[slot] = oldContents[k]
        }
    }
}
