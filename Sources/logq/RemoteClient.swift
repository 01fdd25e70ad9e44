import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The CLI's HTTP/1.1 client of a `logq serve` (`--server URL`): one request per connection,
/// the response handed over in pieces as it arrives, so a large answer streams to stdout.
/// http only for now (TLS through swift-nio-ssl is to come).
struct RemoteClient {
    /// The server as given, for messages: `http://127.0.0.1:9420`.
    let url: String
    let host: String
    let port: Int
    /// A path prefix of the URL (a server behind a proxy under `/logq`), without a trailing `/`.
    let basePath: String
    /// Sent as `Authorization: Bearer …`.
    let token: String?

    /// Reads `http://host[:port][/path]`.
    init(url: String, token: String?) throws(RemoteError) {
        self.url = url
        self.token = token
        var rest = Substring(url)
        if rest.hasPrefix("https://") {
            throw RemoteError("cannot reach \(url): the CLI speaks http only for now; use http://, or a local TLS-terminating proxy")
        }
        guard rest.hasPrefix("http://") else {
            throw RemoteError("cannot use --server \(url): pass a URL like http://127.0.0.1:9420")
        }
        rest = rest.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        basePath = String(rest.dropFirst(authority.count)).trimmingSuffix("/")
        var hostPart = authority
        var port = 80
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

    /// One request. `exchange` receives the head and the body as they arrive (on the client's
    /// event loop thread, while this thread waits); returns the trailers, if any. Throws a
    /// ``RemoteError`` that names the URL when the server cannot be reached or the connection
    /// drops before the response ends.
    func send(
        method: HTTPMethod, path: String, headers extra: [(String, String)] = [], body: [UInt8]? = nil, exchange: RemoteExchange
    ) throws(RemoteError) -> HTTPHeaders? {
        let target = basePath + path
        let group = MultiThreadedEventLoopGroup.singleton
        let channel: any Channel
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(RemoteResponseHandler(exchange: exchange))
                    }
                }
            // An address literal skips the resolver (a getaddrinfo on a thread of its own).
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                channel = try bootstrap.connect(to: address).wait()
            } else {
                channel = try bootstrap.connect(host: host, port: port).wait()
            }
        } catch {
            let failure = RemoteError("cannot connect to \(url): \(Self.describe(error)) (is 'logq serve' running there?)")
            // No handler will complete the exchange's promise now (NIO traps on a leaked one).
            exchange.done.fail(failure)
            throw failure
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
        head.headers.add(name: "Host", value: port == 80 ? host : "\(host):\(port)")
        head.headers.add(name: "User-Agent", value: "logq/\(LogqVersion.string)")
        head.headers.add(name: "Connection", value: "close")
        if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { head.headers.add(name: name, value: value) }
        if let body { head.headers.add(name: "Content-Length", value: "\(body.count)") }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            return try exchange.done.futureResult.wait()
        } catch let error as RemoteError {
            throw RemoteError("the connection to \(url) \(error.message)")
        } catch {
            throw RemoteError("the connection to \(url) failed: \(Self.describe(error))")
        }
    }

    /// A system error as words: "connection refused" rather than a type dump.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let connect = error as? NIOConnectionError, let first = connect.connectionErrors.first {
            return describe(first.error)
        }
        if error is ChannelError, case ChannelError.connectTimeout = error { return "timed out connecting" }
        return "\(error)"
    }

    /// `path?name=value&…`, each value percent-encoded.
    static func path(_ path: String, _ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + parameters.map { "\($0.0)=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Every byte but unreserved ones (RFC 3986) as `%XX`.
    static func percentEncode(_ text: String) -> String {
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
struct RemoteError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// One response as it arrives: the caller's callbacks run on the event loop thread, one at a
/// time, while the calling thread waits in ``RemoteClient/send(method:path:headers:body:exchange:)``.
final class RemoteExchange: @unchecked Sendable {
    // Sendable by hand: the callbacks are called by the one event loop of the connection while
    // the thread that made the exchange waits for `done`, so they never run concurrently.
    let onHead: (HTTPResponseHead) -> Void
    let onBody: (ByteBuffer) -> Void
    /// Completed with the trailers at the end of the response, failed when it breaks off.
    let done: EventLoopPromise<HTTPHeaders?>
    /// The channel, once connected: ``abort()`` closes it.
    var channel: (any Channel)?

    init(onHead: @escaping (HTTPResponseHead) -> Void, onBody: @escaping (ByteBuffer) -> Void) {
        self.onHead = onHead
        self.onBody = onBody
        done = MultiThreadedEventLoopGroup.singleton.next().makePromise()
    }
}

/// Hands the parts of a response to a ``RemoteExchange``.
final class RemoteResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let exchange: RemoteExchange
    private var finished = false

    init(exchange: RemoteExchange) {
        self.exchange = exchange
    }

    func channelActive(context: ChannelHandlerContext) {
        exchange.channel = context.channel
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            exchange.onHead(head)
        case .body(let buffer):
            exchange.onBody(buffer)
        case .end(let trailers):
            guard !finished else { return }
            finished = true
            exchange.done.succeed(trailers)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            exchange.done.fail(RemoteError("broke off before the response ended"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !finished {
            finished = true
            exchange.done.fail(RemoteError("failed: \(RemoteClient.describe(error))"))
        }
        context.close(promise: nil)
    }
}

extension String {
    /// The string without trailing `character`s.
    func trimmingSuffix(_ character: Character) -> String {
        var s = Substring(self)
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}
