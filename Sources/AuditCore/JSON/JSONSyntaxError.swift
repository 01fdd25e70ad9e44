/// A JSON text that does not parse: where (byte offset into the scanned buffer) and what was
/// expected there.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset, from the start of the scanned buffer, where the problem was found.
    public var offset: Int
    /// What the scanner expected, e.g. "a string key", "',' or '}'".
    public var expected: String
    /// What it found instead, e.g. "end of input", "'x'".
    public var found: String

    public init(offset: Int, expected: String, found: String) {
        self.offset = offset
        self.expected = expected
        self.found = found
    }

    public var description: String { "expected \(expected), found \(found)" }
}
