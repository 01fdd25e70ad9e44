import NIOSSL

/// The server's certificate chain and key (`--tls-cert`, `--tls-key`), read and checked at
/// start, so a wrong path or a key that does not match fails before the port is bound.
public struct ServerTLS: Sendable {
    /// A TLS setting that cannot be used, in words that name the file and what to do.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    let configuration: TLSConfiguration

    /// Reads a PEM certificate chain (leaf first, then intermediates) and its PEM private key.
    public init(certificatePath: String, keyPath: String) throws(Invalid) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Invalid(description: "cannot read --tls-cert \(certificatePath): \(Self.words(error)) (expected PEM certificates, leaf first)")
        }
        guard !chain.isEmpty else {
            throw Invalid(description: "cannot read --tls-cert \(certificatePath): it holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Invalid(description: "cannot read --tls-key \(keyPath): \(Self.words(error)) (expected a PEM private key)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // Build a context once now: BoringSSL checks that the key belongs to the certificate.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Invalid(description: "cannot use --tls-key \(keyPath) with --tls-cert \(certificatePath): \(Self.words(error)) (does the key belong to the certificate?)")
        }
        self.configuration = configuration
    }

    private static func words(_ error: any Error) -> String {
        if let error = error as? NIOSSLError { return "\(error)" }
        if let error = error as? BoringSSLError { return "\(error)" }
        return "\(error)"
    }
}
