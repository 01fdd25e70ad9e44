import AuditCore

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
        guard !needle.isEmpty else { return true }
        let raw = event.raw
        guard raw.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = raw.count - needle.count
        while i <= last {
            if raw[i] == first {
                var k = 1
                while k < needle.count, raw[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    public var description: String { "\"\(text)\"" }
}
