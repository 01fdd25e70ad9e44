import LogClient
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `--server URL` and `--token-file FILE`: run the command against a `logq serve` instead of
/// the local data directory (queries, tails, ingest).
struct RemoteOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Ask the logq server at this URL (http://host:port or https://…) instead of reading --data.", valueName: "url"))
    var server: String?

    @Option(
        name: .long,
        help: ArgumentHelp("With --server, the bearer token: the first token in FILE (default: $LOGQ_TOKEN).", valueName: "file"))
    var tokenFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With an https:// --server, also trust the PEM certificates in FILE (a private CA, or the server's own self-signed certificate; default: $LOGQ_CACERT).",
            valueName: "file"))
    var cacert: String?

    func validate() throws {
        if tokenFile != nil && server == nil { throw ValidationError("--token-file goes with --server URL") }
        if cacert != nil && server == nil { throw ValidationError("--cacert goes with --server https://…") }
    }

    /// The client, or nil without `--server`. Exits 1 with a message when the token file
    /// cannot be read or the URL is not one.
    func client() throws -> RemoteClient? {
        guard let server else { return nil }
        var token = Environment.current["LOGQ_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let tokenFile {
            guard let text = try? RemoteIngest.read(tokenFile) else {
                OutputStream.printError("logq: cannot read the token file \(tokenFile): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            token = Self.firstToken(String(decoding: text, as: UTF8.self))
            guard token != nil else {
                OutputStream.printError("logq: the token file \(tokenFile) holds no token (one per line, '#' starts a comment)")
                throw ExitCode(1)
            }
        }
        do {
            let caFile = cacert ?? Environment.current["LOGQ_CACERT"].flatMap { $0.isEmpty ? nil : $0 }
            return try RemoteClient(
                url: server, token: token, userAgent: "logq/\(LogqVersion.string)", tls: TLSClientSettings(caFile: caFile))
        } catch {
            OutputStream.printError("logq: \(error)")
            throw ExitCode(64)
        }
    }

    /// The first word of the first line that is not blank or a `#` comment (the server's token
    /// files hold `TOKEN SCOPE` lines; a client's may hold the token alone).
    static func firstToken(_ text: String) -> String? {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            return String(trimmed.prefix { $0 != " " && $0 != "\t" })
        }
        return nil
    }
}
