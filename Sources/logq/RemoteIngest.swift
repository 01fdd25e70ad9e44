import LogClient
import ArgumentParser
import CLibdeflate
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// `logq ingest --server URL FILES`: posts the inputs' bytes to the server's `/v1/ingest`
/// (the format told apart by content there, as `logq ingest` does), gzip-compressed, in chunks
/// of at most ``chunkBytes`` cut after a line break, so each request stays well under the
/// server's body limit and a failure re-sends one chunk, not a whole file (re-sent events are
/// deduplicated by the server). A `.gz` input goes as it is, whole. Prints the server's counts
/// per input and the first problem it named.
struct RemoteIngest {
    let client: RemoteClient
    let paths: [String]
    let strict: Bool

    /// Uncompressed bytes per request: cut after the last line break before it.
    static let chunkBytes = 8 << 20
    /// An input with no line break in its first chunk (one JSON document) goes whole up to this.
    static let wholeDocumentBytes = 32 << 20
    /// Attempts of a chunk the server answered 503 (busy) before giving up.
    static let attempts = 5

    /// The server's counts, summed.
    struct Counts {
        var stored = 0
        var duplicates = 0
        var rejected = 0
    }

    func run() throws {
        var total = Counts()
        var failed = false
        for path in try expand(paths) {
            do {
                let counts = try send(path)
                total.stored += counts.stored
                total.duplicates += counts.duplicates
                total.rejected += counts.rejected
            } catch {
                OutputStream.printError("logq: \(error)")
                failed = true
            }
        }
        OutputStream.printError(
            "logq: \(client.url) stored \(total.stored) events (\(total.duplicates) duplicates, \(total.rejected) rejected)")
        if failed { throw ExitCode(1) }
        if strict && total.rejected > 0 { throw ExitCode(3) }
    }

    /// Files under the paths given (directories walked), `-` for stdin.
    private func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for path in paths {
            if path == "-" {
                out.append(path)
                continue
            }
            var info = stat()
            guard stat(path, &info) == 0 else {
                OutputStream.printError("logq: cannot read \(path): \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                guard let dir = opendir(path) else { continue }
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != "." && name != ".." { names.append(path + "/" + name) }
                }
                closedir(dir)
                out += try expand(names.sorted())
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Sends one input, chunk by chunk; prints and returns the server's counts.
    private func send(_ path: String) throws(RemoteError) -> Counts {
        let bytes = try Self.read(path)
        var counts = Counts()
        var firstProblem: String?
        let isGzip = bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
        var chunks: [ArraySlice<UInt8>] = []
        if isGzip {
            chunks = [bytes[...]]
        } else {
            var start = 0
            while start < bytes.count {
                var end = min(start + Self.chunkBytes, bytes.count)
                if end < bytes.count {
                    if let newline = bytes[start..<end].lastIndex(of: 0x0A) {
                        end = newline + 1
                    } else if start == 0 && bytes.count <= Self.wholeDocumentBytes {
                        end = bytes.count
                    } else {
                        throw RemoteError(
                            "cannot send \(path): no line break in \(Self.chunkBytes >> 20) MiB at byte \(start) and the input is over \(Self.wholeDocumentBytes >> 20) MiB; split it into lines or smaller files")
                    }
                }
                chunks.append(bytes[start..<end])
                start = end
            }
        }
        for (index, chunk) in chunks.enumerated() {
            let body = isGzip ? Array(chunk) : Self.gzip(chunk)
            let answer = try post(body, what: "\(path)" + (chunks.count > 1 ? " (chunk \(index + 1) of \(chunks.count))" : ""))
            counts.stored += RemoteJSON.int("stored", in: answer) ?? 0
            counts.duplicates += RemoteJSON.int("duplicates", in: answer) ?? 0
            counts.rejected += RemoteJSON.int("rejected", in: answer) ?? 0
            if firstProblem == nil, let problem = RemoteJSON.raw("first_problem", in: answer), problem != "null" {
                firstProblem = problem
            }
        }
        var line = "logq: \(path): stored \(counts.stored), duplicates \(counts.duplicates), rejected \(counts.rejected)"
        if let firstProblem { line += "; first problem: \(firstProblem)" }
        OutputStream.printError(line)
        return counts
    }

    /// Posts one body; the answer's JSON text. Retries a 503 after its Retry-After.
    private func post(_ body: [UInt8], what: String) throws(RemoteError) -> String {
        for attempt in 1...Self.attempts {
            let response = RemoteResponse()
            let exchange = RemoteExchange(onHead: { response.head = $0 }, onBody: { response.errorBody += Array($0.readableBytesView) })
            _ = try client.send(
                method: .POST, path: "/v1/ingest",
                headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")], body: body, exchange: exchange)
            guard let head = response.head else { throw RemoteError("\(client.url) sent no answer for \(what)") }
            let text = response.errorText
            if head.status.code / 100 == 2 { return text }
            let message = RemoteJSON.string("error", in: text) ?? text.trimmingSuffix("\n")
            switch head.status.code {
            case 503 where attempt < Self.attempts:
                let wait = head.headers["Retry-After"].first.flatMap { UInt32($0) } ?? 1
                sleep(min(wait, 30))
                continue
            case 401:
                throw RemoteError("\(client.url) refused \(what): 401 Unauthorized (\(message)); pass --token-file FILE or set $LOGQ_TOKEN")
            case 403:
                throw RemoteError("\(client.url) refused \(what): 403 Forbidden (\(message)); ingest needs a token with the write scope")
            case 500...599:
                throw RemoteError("the server at \(client.url) failed \(what): \(head.status.code) \(head.status.reasonPhrase): \(message)")
            default:
                throw RemoteError("\(client.url) refused \(what): \(head.status.code) \(head.status.reasonPhrase): \(message)")
            }
        }
        throw RemoteError("\(client.url) stayed busy for \(what)")
    }

    /// The whole input (stdin for `-`).
    static func read(_ path: String) throws(RemoteError) -> [UInt8] {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RemoteError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RemoteError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// `bytes` as one gzip member (libdeflate, level 6).
    static func gzip(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(6) else {
            preconditionFailure("libdeflate cannot allocate a compressor (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, bytes.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, initialized in
            // libdeflate writes at most `bound` bytes and returns how many.
            initialized = bytes.withUnsafeBytes { src in
                libdeflate_gzip_compress(compressor, src.baseAddress, src.count, out.baseAddress, bound)
            }
        }
    }
}
