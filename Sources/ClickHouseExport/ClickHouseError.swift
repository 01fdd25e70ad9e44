import Foundation

/// A failure of an export to ClickHouse, in words that name the URL (or the checkpoint file)
/// and carry ClickHouse's own message.
public struct ClickHouseError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure: decides whether a retry can help.
    public enum Code: Sendable, Equatable {
        /// The server could not be reached or the connection dropped: retry later.
        case unreachable
        /// ClickHouse answered with an error (its message is in ``message``).
        case rejected
        /// A checkpoint file cannot be read, written, or belongs to another export.
        case checkpoint
        /// A batch is in ClickHouse only in part: the export cannot tell which rows to send again.
        case partialBatch
        /// A bad argument (table name, URL).
        case usage
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func unreachable(_ url: String, _ cause: String) -> ClickHouseError {
        ClickHouseError(.unreachable, "cannot reach ClickHouse at \(url): \(cause)")
    }

    static func rejected(_ url: String, status: Int, doing what: String, answer: String) -> ClickHouseError {
        ClickHouseError(.rejected, "ClickHouse at \(url) refused to \(what) (HTTP \(status)): \(summary(answer))")
    }

    static func checkpoint(_ path: String, _ cause: String) -> ClickHouseError {
        ClickHouseError(.checkpoint, "cannot use the checkpoint \(path): \(cause)")
    }

    /// ClickHouse's error text without its C++ noise: `Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = DB::Exception`
    /// becomes `Code: 60: Table x doesn't exist.`
    static func summary(_ answer: String) -> String {
        var text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if let range = text.range(of: ", e.what() = ") { text = String(text[..<range.lowerBound]) }
        text = text.replacingOccurrences(of: ", e.displayText() = DB::Exception: ", with: ": ")
        text = text.replacingOccurrences(of: "DB::Exception: ", with: "")
        return text.count > 600 ? String(text.prefix(600)) + "…" : text
    }
}
