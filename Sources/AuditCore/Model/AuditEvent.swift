/// One normalized event: its time, source, normalized fields and the original bytes.
public struct AuditEvent: Sendable, Equatable {
    /// Event time in nanoseconds since the Unix epoch, UTC.
    public var time: Int64
    /// The kind of log this event came from.
    public var source: SourceKind
    /// The normalized fields (``Field``).
    public var fields: FieldValues
    /// The original event exactly as it appeared in the input (JSON object bytes).
    public var raw: [UInt8]

    public init(time: Int64, source: SourceKind, fields: FieldValues = FieldValues(), raw: [UInt8]) {
        self.time = time
        self.source = source
        self.fields = fields
        self.raw = raw
    }

    /// The key that identifies "the same event" for dedupe: source, id and stage.
    /// Two events are duplicates when this key *and* ``contentHash`` match.
    public var identityKey: UInt64 {
        var hasher = Hash64()
        hasher.combine(source.rawValue)
        hasher.combine(fields[.id])
        hasher.combine(fields[.stage])
        return hasher.finalize()
    }

    /// A hash of the original bytes: equal for byte-identical events.
    public var contentHash: UInt64 { Hash64.hash(raw) }
}
