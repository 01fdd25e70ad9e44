#if canImport(Glibc)
import Glibc
#endif

/// What a bearer token may do. `write` implies `read`.
public enum TokenScope: String, Sendable, Comparable {
    case read
    case write

    public static func < (a: TokenScope, b: TokenScope) -> Bool { a == .read && b == .write }
}

/// The tokens of `--token-file`: one `TOKEN SCOPE` a line (scope `read` or `write`), `#`
/// comments and blank lines ignored. Tokens are compared in constant time.
public struct TokenFile: Sendable {
    private var entries: [(token: [UInt8], scope: TokenScope)]

    /// A token file that cannot be used, naming the file and line.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses the text of a token file; `path` names it in errors.
    public init(parsing text: String, path: String) throws(Failure) {
        entries = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            guard words.count == 2, let scope = TokenScope(rawValue: String(words[1])) else {
                throw Failure(
                    description: "cannot read the token file \(path):\(number + 1): expected \"TOKEN read\" or \"TOKEN write\", found \(words.count) word(s)")
            }
            guard words[0].utf8.count >= 16 else {
                throw Failure(description: "cannot use the token on \(path):\(number + 1): it has \(words[0].utf8.count) bytes, at least 16 are needed")
            }
            entries.append((Array(words[0].utf8), scope))
        }
        guard !entries.isEmpty else { throw Failure(description: "cannot use the token file \(path): it holds no token") }
    }

    /// Reads and parses the token file at `path`.
    public init(path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open the token file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw Failure(description: "cannot read the token file \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        try self.init(parsing: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The scope of `token`, or nil when it is none of the file's. Every entry is compared in
    /// full whatever matches, so the time taken does not tell how much of a guess was right.
    public func scope(of token: some Collection<UInt8>) -> TokenScope? {
        let candidate = Array(token)
        var found: TokenScope?
        for entry in entries {
            var difference: UInt8 = entry.token.count == candidate.count ? 0 : 1
            for k in 0..<entry.token.count {
                difference |= entry.token[k] ^ (k < candidate.count ? candidate[k] : 0)
            }
            if difference == 0 { found = max(found ?? entry.scope, entry.scope) }
        }
        return found
    }
}
