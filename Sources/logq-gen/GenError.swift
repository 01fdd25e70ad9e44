#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the generator stopped: a command-line mistake or a failure to write the output.
struct GenError: Error, Sendable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        /// The arguments cannot be used; the message says what to pass instead (exit 64).
        case usage
        /// A file or directory could not be written (exit 1).
        case io
        /// zlib refused to compress (exit 1).
        case zlib
    }

    var code: Code
    var message: String

    var description: String { message }

    /// The process exit status for this error (64 = EX_USAGE, as ArgumentParser uses).
    var exitStatus: Int32 { code == .usage ? 64 : 1 }

    static func usage(_ message: String) -> GenError {
        GenError(code: .usage, message: message)
    }

    static func io(_ verb: String, _ path: String, errno code: Int32) -> GenError {
        let cause = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return GenError(code: .io, message: "cannot \(verb) \(path): \(cause)")
    }

    static func zlib(_ verb: String, _ path: String, status: Int32) -> GenError {
        GenError(code: .zlib, message: "cannot \(verb) \(path): zlib status \(status)")
    }
}
