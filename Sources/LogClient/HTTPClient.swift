import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// logq's HTTP/1.1 client (the CLI's `--server URL`, pushes to other services): one request per connection on
/// a blocking socket (``RemoteConnection``), the response handed over in pieces as it arrives,
/// so a large answer streams to stdout. NIO's HTTP types are used as values only: no event
/// loop runs in the CLI.
/// https runs the same HTTP over a TLS session (swift-nio-ssl, ``TLSStream``).
public struct RemoteClient: Sendable {
    /// The server as given, for messages: `http://127.0.0.1:9420`.
    public let url: String
    public let host: String
    public let port: Int
    /// A path prefix of the URL (a server behind a proxy under `/logq`), without a trailing `/`.
    public let basePath: String
    /// Sent as `Authorization: Bearer …`.
    public let token: String?
    /// Sent as `User-Agent`.
    public let userAgent: String
    /// Set for an `https://` URL: how the server's certificate is checked.
    public let tls: TLSClientSettings?

    /// Reads `http://host[:port][/path]` or `https://…` (checked with `tls`).
    public init(url: String, token: String?, userAgent: String = "logq", tls: TLSClientSettings = TLSClientSettings()) throws(RemoteError) {
        self.url = url
        self.userAgent = userAgent
        self.token = token
        var rest = Substring(url)
        let secure = rest.hasPrefix("https://")
        guard secure || rest.hasPrefix("http://") else {
            throw RemoteError("cannot use --server \(url): pass a URL like http://127.0.0.1:9420 or https://logq.example:9420")
        }
        self.tls = secure ? tls : nil
        rest = rest.dropFirst(secure ? "https://".count : "http://".count)
        let authority = rest.prefix { $0 != "/" }
        basePath = String(rest.dropFirst(authority.count)).trimmingSuffix("/")
        var hostPart = authority
        var port = secure ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw RemoteError("cannot use --server \(url): the port is not a number between 1 and 65535")
            }
            port = p
            hostPart = authority[..<colon]
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") { hostPart = hostPart.dropFirst().dropLast() }
        guard !hostPart.isEmpty else { throw RemoteError("cannot use --server \(url): it names no host") }
        host = String(hostPart)
        self.port = port
    }

    /// One request on a blocking socket of this thread (no event loop threads to start: the
    /// fixed cost of a query is a connect and a write). `exchange` receives the head and the
    /// body as they arrive (chunked bodies decoded); returns the trailers, if any. Throws a
    /// ``RemoteError`` that names the URL when the server cannot be reached or the connection
    /// drops before the response ends.
    public func send(
        method: HTTPMethod, path: String, headers extra: [(String, String)] = [], body: [UInt8]? = nil, exchange: RemoteExchange
    ) throws(RemoteError) -> HTTPHeaders? {
        let connection: RemoteConnection
        do {
            connection = try RemoteConnection(host: host, port: port, timeoutSeconds: 10, tls: tls)
        } catch {
            throw RemoteError("cannot connect to \(url): \(error.message)\(error.message.contains("TLS") ? "" : " (is 'logq serve' running there?)")")
        }
        defer { connection.close() }
        guard exchange.attach(connection) else { throw RemoteError("the connection to \(url) was stopped") }
        defer { exchange.detach() }
        var head = "\(method.rawValue) \(basePath + path) HTTP/1.1\r\n"
        let defaultPort = tls == nil ? 80 : 443
        let hostName = host.contains(":") ? "[\(host)]" : host
        head += "Host: \(port == defaultPort ? hostName : "\(hostName):\(port)")\r\n"
        head += "User-Agent: \(userAgent)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in extra { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        do {
            try connection.write(Array(head.utf8) + (body ?? []))
            let response = try connection.readHead()
            exchange.onHead(response)
            return try connection.readBody(of: response) { exchange.onBody(ByteBuffer(bytes: $0)) }
        } catch {
            throw RemoteError("the connection to \(url) \(error.message)")
        }
    }

    /// `path?name=value&…`, each value percent-encoded.
    public static func path(_ path: String, _ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + parameters.map { "\($0.0)=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Every byte but unreserved ones (RFC 3986) as `%XX`.
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

/// A failure to talk to the server, in words that name the URL and say what to do.
public struct RemoteError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One response as it arrives: the callbacks run on the thread that sends, in order. The
/// exchange can be stopped from another thread (Ctrl-C of `logq --server -f`): ``abort()``
/// shuts the connection down, and the waiting read returns.
public final class RemoteExchange: @unchecked Sendable {
    // Sendable by hand: the callbacks run only on the sending thread.
    public let onHead: (HTTPResponseHead) -> Void
    public let onBody: (ByteBuffer) -> Void
    private let state = Mutex<(connection: RemoteConnection?, aborted: Bool)>((nil, false))

    public init(onHead: @escaping (HTTPResponseHead) -> Void, onBody: @escaping (ByteBuffer) -> Void) {
        self.onHead = onHead
        self.onBody = onBody
    }

    /// Makes `connection` the one ``abort()`` stops; false when the exchange was aborted already.
    public func attach(_ connection: RemoteConnection) -> Bool {
        state.withLock {
            $0.connection = connection
            return !$0.aborted
        }
    }

    public func detach() { state.withLock { $0.connection = nil } }

    /// Stops the exchange: its connection is shut down (a read in progress returns).
    public func abort() {
        state.withLock {
            $0.aborted = true
            $0.connection?.shutdown()
        }
    }
}

extension String {
    /// The string without trailing `character`s.
    public func trimmingSuffix(_ character: Character) -> String {
        var s = Substring(self)
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}
