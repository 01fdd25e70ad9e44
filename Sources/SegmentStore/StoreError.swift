/// An error of the store: a code, a message naming the file and what went wrong, the cause.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable {
        case io
        case locked
        case corrupt
        case unsupportedVersion
        case fsyncFailed
    }

    public var code: Code
    public var message: String
    /// The system's error number when a system call failed (`ENOSPC`, `EIO`, …), else nil.
    public var systemError: Int32?

    public init(code: Code, message: String, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }

    /// Whether the disk (or the user's quota) is full.
    public var isNoSpace: Bool { systemError == SystemError.noSpace }

    public var description: String { message }

    static func io(_ verb: String, _ path: String, errno: Int32) -> StoreError {
        StoreError(code: .io, message: "cannot \(verb) \(path): \(SystemError.describe(errno))", systemError: errno)
    }

    static func locked(_ path: String) -> StoreError {
        StoreError(
            code: .locked,
            message: "cannot lock \(path): another logq writer is using this data directory; wait for it to finish or use another --data"
        )
    }

    static func fsyncFailed(_ path: String, errno: Int32) -> StoreError {
        StoreError(
            code: .fsyncFailed,
            message: "cannot fsync \(path): \(SystemError.describe(errno)); the writer stopped and acknowledged nothing further (data after the last successful commit may be lost)"
        )
    }
}
