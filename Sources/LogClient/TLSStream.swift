import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// How the client checks an https server: the system's trusted roots, plus the PEM
/// certificates of `caFile` (`--cacert`, for a private CA or a self-signed server).
public struct TLSClientSettings: Sendable {
    public var caFile: String?

    public init(caFile: String? = nil) {
        self.caFile = caFile
    }
}

/// A TLS session over TCP, driven by NIO on its shared event loop, read and written by a
/// blocking caller: what arrives is buffered (reads from the socket pause while 1 MiB waits to
/// be taken), and `receive` waits for it. Made for ``RemoteConnection``, which parses HTTP the
/// same way over this and over a plain socket.
final class TLSStream: ByteStream, @unchecked Sendable {
    // Sendable by hand: the state lives in `inbox`, a lock shared with the event loop.
    private let channel: any Channel
    private let inbox: Inbox

    init(host: String, port: Int, timeoutSeconds: Int32, settings: TLSClientSettings) throws(RemoteSocketError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile = settings.caFile {
            do {
                configuration.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw RemoteSocketError("cannot read the CA file \(caFile): \(error) (expected PEM certificates)")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw RemoteSocketError("cannot set up TLS: \(error)")
        }
        // SNI and the name check take a host name; for an address literal, BoringSSL checks the
        // certificate's IP addresses against the peer's address instead.
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let inbox = Inbox()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(Int64(timeoutSeconds)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
                    try channel.pipeline.syncOperations.addHandlers([tls, InboxHandler(inbox: inbox)])
                }
            }
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            throw RemoteSocketError(Self.words(error))
        }
        self.inbox = inbox
        // Wait for the handshake, so a certificate the client does not trust is the connect's error.
        if let failure = inbox.waitForHandshake(seconds: Int(timeoutSeconds)) {
            channel.close(promise: nil)
            throw RemoteSocketError(failure)
        }
    }

    func send(_ bytes: [UInt8]) throws(RemoteSocketError) {
        do {
            try channel.writeAndFlush(ByteBuffer(bytes: bytes)).wait()
        } catch {
            throw RemoteSocketError("failed while sending: \(Self.words(error))")
        }
    }

    func receive(appendingTo buffer: inout [UInt8]) throws(RemoteSocketError) -> Bool {
        let (bytes, failure) = inbox.take()
        if let failure { throw RemoteSocketError("failed: \(failure)") }
        guard !bytes.isEmpty else { return false }
        buffer.append(contentsOf: bytes)
        // Let the socket be read again if the buffer had filled.
        let channel = self.channel
        channel.eventLoop.execute { channel.read() }
        return true
    }

    func shutdown() {
        inbox.finish(failure: nil)
        channel.close(promise: nil)
    }

    func close() {
        channel.close(promise: nil)
    }

    /// An NIO or TLS error in words: a certificate the client does not trust says what to do.
    static func words(_ error: any Error) -> String {
        if let error = error as? NIOSSLError {
            if case .handshakeFailed = error {
                let text = "\(error)"
                if text.contains("CERTIFICATE_VERIFY_FAILED") {
                    return "the server's TLS certificate is not trusted (CERTIFICATE_VERIFY_FAILED); if it is from a private CA or self-signed, pass that certificate with --cacert FILE"
                }
                return "the TLS handshake failed (\(text))"
            }
            return "TLS: \(error)"
        }
        if case .connectTimeout? = error as? ChannelError { return "timed out connecting" }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return words(first.error)
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }
}

/// What the event loop hands to the blocking reader: bytes, the end, or a failure.
final class Inbox: @unchecked Sendable {
    // Sendable by hand: every field is read and written under `lock`.
    private struct State {
        var bytes: [UInt8] = []
        var handshakeDone = false
        /// Set once `waitForHandshake` has seen `handshakeDone`, so it no longer wakes readers.
        var handshakeSeen = false
        var ended = false
        var failure: String?
    }
    /// The lock's value: true when a waiting reader has something to look at.
    private let lock = ConditionLock(value: false)
    private var state = State()
    /// Reads from the socket pause while this much waits to be taken.
    static let highWater = 1 << 20

    private func update(_ body: (inout State) -> Void) {
        lock.lock()
        body(&state)
        lock.unlock(withValue: ready)
    }

    /// Whether a waiting reader has something to look at (called under `lock`).
    private var ready: Bool {
        !state.bytes.isEmpty || state.ended || state.failure != nil || (state.handshakeDone && !state.handshakeSeen)
    }

    func handshakeCompleted() { update { $0.handshakeDone = true } }
    func append(_ bytes: ByteBuffer) { update { $0.bytes += bytes.readableBytesView } }
    func finish(failure: String?) {
        update {
            $0.ended = true
            if $0.failure == nil { $0.failure = failure }
        }
    }
    var isFull: Bool {
        lock.lock()
        defer { lock.unlock() }
        return state.bytes.count >= Self.highWater
    }

    /// nil once the handshake is done; the failure otherwise.
    func waitForHandshake(seconds: Int) -> String? {
        guard lock.lock(whenValue: true, timeoutSeconds: Double(seconds)) else { return "timed out in the TLS handshake" }
        let failure = state.handshakeDone ? nil : state.failure ?? "closed the connection during the TLS handshake"
        state.handshakeSeen = true
        lock.unlock(withValue: ready)
        return failure
    }

    /// Waits for bytes; empty at the end of the stream.
    func take() -> (bytes: [UInt8], failure: String?) {
        lock.lock(whenValue: true)
        let bytes = state.bytes
        state.bytes = []
        let failure = bytes.isEmpty ? state.failure : nil
        lock.unlock(withValue: ready)
        return (bytes, failure)
    }
}

/// The last handler of the TLS pipeline: decrypted bytes into the ``Inbox``; holds the
/// socket's reads back while the inbox is full.
final class InboxHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let inbox: Inbox
    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            inbox.handshakeCompleted()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func read(context: ChannelHandlerContext) {
        // Paused while full; the reader calls `channel.read()` again when it has taken bytes.
        if !inbox.isFull { context.read() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.finish(failure: TLSStream.words(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish(failure: nil)
    }
}
