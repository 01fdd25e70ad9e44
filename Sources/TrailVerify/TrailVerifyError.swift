#if canImport(Glibc)
import Glibc
#endif

/// An error that stops a verification before it can judge the trail: the directory or a key file
/// cannot be read, or a key file holds no RSA public key. Problems *in* the trail (bad hashes,
/// missing files, broken links) are ``TrailProblem``s in the report instead, never thrown.
public struct TrailVerifyError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A file or directory could not be opened.
        case cannotOpen
        /// A read failed part-way.
        case cannotRead
        /// A gzip stream is damaged or truncated.
        case gzip
        /// JSON that does not parse, or lacks a field the format requires.
        case badJSON
        /// A public-key file that holds no usable RSA public key.
        case badKey
    }

    public var code: Code
    /// "cannot <verb> <thing> at <where>: <cause>".
    public var message: String

    public var description: String { message }

    static func cannotOpen(_ path: String, errno: Int32) -> TrailVerifyError {
        TrailVerifyError(code: .cannotOpen, message: "cannot open \(path): \(describe(errno))")
    }

    static func cannotRead(_ path: String, errno: Int32) -> TrailVerifyError {
        TrailVerifyError(code: .cannotRead, message: "cannot read \(path): \(describe(errno))")
    }

    static func gzip(_ path: String, _ what: String, compressedOffset: Int) -> TrailVerifyError {
        TrailVerifyError(
            code: .gzip, message: "cannot decompress \(path) at compressed byte \(compressedOffset): \(what)")
    }

    static func badJSON(_ path: String, _ what: String) -> TrailVerifyError {
        TrailVerifyError(code: .badJSON, message: "cannot read digest \(path): \(what)")
    }

    static func badKey(_ path: String, _ what: String) -> TrailVerifyError {
        TrailVerifyError(code: .badKey, message: "cannot load public key \(path): \(what)")
    }

    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
