import AuditCore
import SegmentStore

/// A bare word or quoted phrase: matches events whose original bytes contain it
/// (case-sensitive, as written in the raw JSON).
public struct TextFilter: Sendable, CustomStringConvertible {
    public var text: String
    private let needle: [UInt8]

    public init(text: String) {
        self.text = text
        needle = Array(text.utf8)
    }

    public func matches(_ event: AuditEvent) -> Bool {
        event.raw.withUnsafeBytes { ByteSearch.find(needle, in: $0, from: 0, to: $0.count) != nil }
    }

    /// Whether row `row` of a block passes, searching its raw bytes in place.
    @inline(__always)
    public func matches(_ view: BlockView, _ row: Int) -> Bool {
        view.withRaw(row) { ByteSearch.find(needle, in: $0, from: 0, to: $0.count) != nil }
    }

    public var description: String { "\"\(text)\"" }
}
