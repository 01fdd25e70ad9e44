/// Why one value is not a storable event: the text of a ``Rejection``.
public struct ParseFailure: Error, Sendable {
    /// What was expected and what was found.
    public var reason: String
    /// Offset in the scanned buffer where the problem is, when known.
    public var offset: Int?

    public init(_ reason: String, offset: Int? = nil) {
        self.reason = reason
        self.offset = offset
    }
}
