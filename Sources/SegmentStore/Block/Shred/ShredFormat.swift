/// The shredded form of a block's original event bytes ("raw" column, encoding
/// ``ColumnEncoding/shredded``): each JSON event split into a template and typed value columns,
/// one per key path, so that DEFLATE sees like next to like. Decoding gives every event back
/// byte-identical; events that are not strict JSON are stored verbatim.
///
/// Stream layout (before DEFLATE; varints are unsigned LEB128):
///
///     u8      version (``version``)
///     varint  events
///     varint  total size of the events' original bytes (B)
///     varint  templates; per template: varint size (B), the template bytes (each scalar value
///             replaced by ``slotMarker``), then per marker a varint column number
///     per event: varint template number + 1, or 0 when the event is stored verbatim
///     per verbatim event: varint size (B), its bytes
///     varint  columns; per column: u8 ``ShredColumnKind``, varint values, varint payload size (B),
///             payload (see ``ShredColumnKind``); values are in event order, then slot order
///
/// Decoding needs the block's field columns (``ShredColumnKind/field``).
enum ShredFormat {
    /// Stream layout version written and read.
    static let version: UInt8 = 1
    /// Stands for a value in a template. NUL cannot occur in strict JSON (control characters
    /// must be escaped inside strings and are not whitespace), so it is unambiguous.
    static let slotMarker: UInt8 = 0
    /// Events larger than this are stored verbatim (B).
    static let maxEventBytes = Limits.shredEventBytes
}

/// How one value column is stored.
enum ShredColumnKind: UInt8 {
    /// Per value its varint size (B), then every value's bytes concatenated.
    case plain = 0
    /// varint distinct values, their varint sizes (B), their bytes; u8 index width (1, 2 or 4 B);
    /// per value its little-endian index: for repetitive columns (verbs, names, codes).
    case dictionary = 1
    /// Every value is a canonical decimal integer of at most 18 digits (no leading zeros, no
    /// `-0`): per value the zigzag varint of its difference from the previous one (first: from 0).
    case integer = 2
    /// Every value is an RFC 3339 UTC time (``ShredTimestamp``): u8 `unit` = most fraction digits
    /// of the column; per value u8 its fraction digits; per value the zigzag varint of the
    /// difference, in units of 10^−unit s, from the previous value (first: from 0).
    case timestamp = 3
    /// (Nearly) every value equals the event's value of a normalized field column of the block
    /// (``Field``), such as the audit ID or the URI: u8 field raw value, varint exceptions, per
    /// exception the varint number of its value (counted from the previous exception + 1), its
    /// varint size (B) and bytes. The field columns are kept for queries anyway, so the raw
    /// column then stores those values once instead of twice.
    case field = 4
}

@inline(__always) func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
@inline(__always) func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }
