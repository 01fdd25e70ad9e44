/// Writes Prometheus remote write 1.0's `prometheus.WriteRequest` in protobuf wire format,
/// one series at a time, without a message tree in between:
///
/// ```proto
/// message WriteRequest { repeated TimeSeries timeseries = 1; }
/// message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
/// message Label        { string name = 1; string value = 2; }
/// message Sample       { double value = 1; int64 timestamp = 2; }  // timestamp: ms since the epoch
/// ```
///
/// Every message is length-delimited (wire type 2) inside its parent, so a series' size is
/// computed from its label bytes before it is written. Fields at their proto3 default (an
/// empty string, a 0 value or timestamp) are left out, as protobuf's own encoders do.
struct RemoteWriteEncoder {
    /// The encoded `WriteRequest` so far.
    private(set) var bytes: [UInt8] = []
    /// Series written so far.
    private(set) var seriesCount = 0

    /// Field keys: field number << 3 | wire type.
    static let timeseriesKey: UInt8 = 1 << 3 | 2
    static let labelKey: UInt8 = 1 << 3 | 2
    static let sampleKey: UInt8 = 2 << 3 | 2
    static let nameKey: UInt8 = 1 << 3 | 2
    static let valueKey: UInt8 = 2 << 3 | 2
    static let sampleValueKey: UInt8 = 1 << 3 | 1
    static let timestampKey: UInt8 = 2 << 3 | 0

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends one `TimeSeries` with `labels` (already sorted by name, empty values left out by
    /// the caller) and one sample.
    mutating func append(labels: [(name: String, value: String)], value: Double, timestamp: Int64) {
        var labelsSize = 0
        for label in labels { labelsSize += Self.fieldSize(Self.labelSize(label.name, label.value)) }
        let sampleSize = Self.sampleSize(value, timestamp)
        let seriesSize = labelsSize + Self.fieldSize(sampleSize)
        bytes.append(Self.timeseriesKey)
        Self.appendVarint(UInt64(seriesSize), into: &bytes)
        for label in labels {
            bytes.append(Self.labelKey)
            Self.appendVarint(UInt64(Self.labelSize(label.name, label.value)), into: &bytes)
            Self.appendString(Self.nameKey, label.name, into: &bytes)
            Self.appendString(Self.valueKey, label.value, into: &bytes)
        }
        bytes.append(Self.sampleKey)
        Self.appendVarint(UInt64(sampleSize), into: &bytes)
        if value.bitPattern != 0 {
            bytes.append(Self.sampleValueKey)
            var bits = value.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }
        if timestamp != 0 {
            bytes.append(Self.timestampKey)
            Self.appendVarint(UInt64(bitPattern: timestamp), into: &bytes)
        }
        seriesCount += 1
    }

    /// Size of a field's key and length prefix plus its `size` bytes of content.
    static func fieldSize(_ size: Int) -> Int { 1 + varintSize(UInt64(size)) + size }

    /// Size of a `Label` message's content.
    static func labelSize(_ name: String, _ value: String) -> Int {
        stringFieldSize(name.utf8.count) + stringFieldSize(value.utf8.count)
    }

    /// A string field's size: none when empty (the proto3 default).
    static func stringFieldSize(_ count: Int) -> Int { count == 0 ? 0 : fieldSize(count) }

    /// Size of a `Sample` message's content.
    static func sampleSize(_ value: Double, _ timestamp: Int64) -> Int {
        (value.bitPattern != 0 ? 9 : 0) + (timestamp != 0 ? 1 + varintSize(UInt64(bitPattern: timestamp)) : 0)
    }

    static func appendString(_ key: UInt8, _ text: String, into out: inout [UInt8]) {
        let count = text.utf8.count
        guard count > 0 else { return }
        out.append(key)
        appendVarint(UInt64(count), into: &out)
        out.append(contentsOf: text.utf8)
    }

    /// Base-128 varint, low groups first (an `int64` below 0 takes 10 bytes, as protobuf writes it).
    static func appendVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func varintSize(_ value: UInt64) -> Int {
        var n = 1
        var v = value >> 7
        while v > 0 {
            n += 1
            v >>= 7
        }
        return n
    }
}
