import AuditCore
import SegmentStore

/// An error of ingest that stops a whole input (a file that cannot be opened or read, a gzip
/// stream that breaks). Bad events inside a readable input are ``Rejection``s instead.
public struct IngestError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case cannotOpen
        case cannotRead
        case cannotWrite
        case gzip
        case notFound
        case noMatch
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

    static func cannotWrite(_ path: String, errno: Int32) -> IngestError {
        IngestError(code: .cannotWrite, message: "cannot write \(path): \(describe(errno))")
    }

    /// A write through the store's I/O layer that failed (its message names the file).
    static func cannotWrite(_ error: StoreError) -> IngestError {
        IngestError(code: .cannotWrite, message: error.message)
    }

    static func gzip(_ path: String, _ what: String, offset: Int) -> IngestError {
        IngestError(code: .gzip, message: "cannot decompress \(path) after \(offset) uncompressed bytes: \(what); events before the damage were kept")
    }

    static func notFound(_ path: String) -> IngestError {
        IngestError(code: .notFound, message: "cannot ingest \(path): no such file or directory")
    }

    static func noMatch(_ pattern: String) -> IngestError {
        IngestError(code: .noMatch, message: "cannot ingest \(pattern): no file matches the pattern")
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
    /// The rejected bytes as they were in the input (at most ``Rejection/maxKeptBytes``; a
    /// longer value keeps its start), for the quarantine file.
    public var raw: [UInt8]
    /// The rejected value's full length in bytes (larger than `raw.count` when cut).
    public var length: Int
    /// Whether this is a value that is not an event by nature (a CloudTrail digest file),
    /// reported and counted but not quarantined.
    public var isDigest: Bool

    /// The most bytes of a rejected value kept for the quarantine: enough to read and fix a
    /// record, bounded so one huge bad line cannot fill the disk or memory.
    public static let maxKeptBytes = 64 << 10

    public init(file: String, line: Int, offset: Int, reason: String, raw: [UInt8] = [], length: Int? = nil, isDigest: Bool = false) {
        self.file = file
        self.line = line
        self.offset = offset
        self.reason = reason
        self.raw = raw.count > Self.maxKeptBytes ? Array(raw.prefix(Self.maxKeptBytes)) : raw
        self.length = length ?? raw.count
        self.isDigest = isDigest
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(reason) (byte \(offset))" : "\(file): \(reason) (byte \(offset))"
    }
}
