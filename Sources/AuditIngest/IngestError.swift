import AuditCore

/// An error of ingest that stops a whole input (a file that cannot be opened or read, a gzip
/// stream that breaks). Bad events inside a readable input are ``Rejection``s instead.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case cannotOpen
        case cannotRead
        case gzip
        case notFound
    }

    public var code: Code
    public var message: String

    public var description: String { message }

    static func cannotOpen(_ path: String, errno: Int32) -> IngestError {
        IngestError(code: .cannotOpen, message: "cannot open \(path): \(describe(errno))")
    }

    static func cannotRead(_ path: String, errno: Int32) -> IngestError {
        IngestError(code: .cannotRead, message: "cannot read \(path): \(describe(errno))")
    }

    static func gzip(_ path: String, _ what: String, offset: Int) -> IngestError {
        IngestError(code: .gzip, message: "cannot decompress \(path) after \(offset) uncompressed bytes: \(what); events before the damage were kept")
    }

    static func notFound(_ path: String) -> IngestError {
        IngestError(code: .notFound, message: "cannot ingest \(path): no such file or directory")
    }

    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// One input that was not stored: where it was and why.
public struct Rejection: Sendable, CustomStringConvertible {
    /// The input's name (path, or `-` for stdin).
    public var file: String
    /// 1-based line where the rejected value starts (0 when unknown).
    public var line: Int
    /// Byte offset into the (decompressed) input where the problem was found.
    public var offset: Int
    /// What was expected and what was found.
    public var reason: String

    public init(file: String, line: Int, offset: Int, reason: String) {
        self.file = file
        self.line = line
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(reason) (byte \(offset))" : "\(file): \(reason) (byte \(offset))"
    }
}
