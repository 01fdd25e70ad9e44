/// The normalized field values of one event, indexed by ``Field``; absent fields are "".
public struct FieldValues: Sendable, Equatable, Hashable {
    @usableFromInline var storage: [String]

    /// All fields absent.
    public init() {
        storage = Array(repeating: "", count: Field.allCases.count)
    }

    /// The value of `field`, or "" when absent.
    @inlinable public subscript(field: Field) -> String {
        get { storage[field.rawValue] }
        set { storage[field.rawValue] = newValue }
    }
}
