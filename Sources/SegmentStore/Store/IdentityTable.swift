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

    /// Slot keys; 0 marks an empty slot (an identity 0 is stored as ``zeroIdentity``).
    private var ids: [UInt64]
    private var contents: [UInt64]
    private(set) var count = 0

    /// What an identity of 0 is stored as: an empty slot is 0. Taking one for the other is a 2⁻⁶⁴ chance.
    static let zeroIdentity: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// 16 bytes a slot, at most 70% of the slots used (a long-running writer holds millions).
    /// An empty table of `capacity` slots (a power of two).
    init(capacity: Int = 1024) {
        precondition(capacity >= 2 && capacity & (capacity - 1) == 0, "a power of two")
        ids = Array(repeating: 0, count: capacity)
        contents = Array(repeating: 0, count: capacity)
    }

    /// Adds the pair unless it is there; says what was found.
    @discardableResult
    mutating func insert(id given: UInt64, content: UInt64) -> Outcome {
        let id = given == 0 ? Self.zeroIdentity : given
        let mask = ids.count - 1
        var slot = Int(truncatingIfNeeded: id) & mask
        var conflict = false
        while ids[slot] != 0 {
            if ids[slot] == id {
                if contents[slot] == content || contents[slot] == Self.anyContent { return .duplicate }
                conflict = true
            }
            slot = (slot + 1) & mask
        }
        ids[slot] = id
        contents[slot] = content
        count += 1
        if count * 10 > ids.count * 7 { grow() }
        return conflict ? .conflict : .new
    }

    /// Doubles the table.
    private mutating func grow() {
        let (oldIds, oldContents) = (ids, contents)
        let size = ids.count * 2
        ids = Array(repeating: 0, count: size)
        contents = Array(repeating: 0, count: size)
        let mask = size - 1
        for k in oldIds.indices where oldIds[k] != 0 {
            var slot = Int(truncatingIfNeeded: oldIds[k]) & mask
            while ids[slot] != 0 { slot = (slot + 1) & mask }
            ids[slot] = oldIds[k]
            contents[slot] = oldContents[k]
        }
    }
}
