import Crypto
import Foundation
import _CryptoExtras

#if canImport(Glibc)
import Glibc
#endif

/// The CloudTrail public keys the user supplied, found by fingerprint.
///
/// CloudTrail's `ListPublicKeys` returns each key as base64 of its PKCS#1 DER encoding with a
/// `Fingerprint`, the hex MD5 of those DER bytes (checked against the example in the AWS CLI's
/// documentation); each digest names the fingerprint of the key that signed it in
/// `digestPublicKeyFingerprint`. Keys are accepted as PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`),
/// binary DER (SubjectPublicKeyInfo or PKCS#1), or the base64 text `ListPublicKeys` prints.
public struct PublicKeyRing: Sendable {
    /// One loaded key.
    public struct Key: Sendable {
        /// Hex MD5 of the key's PKCS#1 DER encoding: what digests name in `digestPublicKeyFingerprint`.
        public var fingerprint: String
        /// The file it came from, for messages.
        public var source: String
        public var key: _RSA.Signing.PublicKey
    }

    /// The keys, in the order given.
    public private(set) var keys: [Key] = []

    public init() {}

    /// Whether no key was supplied (signatures are then not checked at all).
    public var isEmpty: Bool { keys.isEmpty }

    /// The key whose fingerprint is `fingerprint` (case-insensitive), if supplied.
    public func key(fingerprint: String) -> Key? {
        let wanted = fingerprint.lowercased()
        return keys.first { $0.fingerprint == wanted }
    }

    /// Adds a key already in memory; `source` names it in messages.
    public mutating func add(_ key: _RSA.Signing.PublicKey, source: String) {
        let der = key.pkcs1DERRepresentation
        keys.append(Key(fingerprint: Hex.encode(Insecure.MD5.hash(data: der)), source: source, key: key))
    }

    /// Loads the key file at `path` (PEM, DER, or base64 of DER) and adds it.
    public mutating func load(path: String) throws {
        let bytes = try Self.readFile(path)
        add(try Self.parse(bytes, path: path), source: path)
    }

    /// Parses the bytes of a key file.
    static func parse(_ bytes: [UInt8], path: String) throws -> _RSA.Signing.PublicKey {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN") {
            do {
                return try _RSA.Signing.PublicKey(pemRepresentation: text)
            } catch {
                throw TrailVerifyError.badKey(path, "PEM holds no RSA public key of 2048 bits or more (\(error))")
            }
        }
        // Binary DER starts with a SEQUENCE tag; anything else is tried as base64 text.
        var der = bytes
        if bytes.first != 0x30 {
            let compact = text.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else {
                throw TrailVerifyError.badKey(
                    path, "expected PEM, DER, or the base64 DER that ListPublicKeys returns; found none of these")
            }
            der = [UInt8](decoded)
        }
        do {
            return try _RSA.Signing.PublicKey(derRepresentation: der)
        } catch {
            throw TrailVerifyError.badKey(path, "DER holds no RSA public key of 2048 bits or more (\(error))")
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TrailVerifyError.cannotOpen(path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrailVerifyError.cannotRead(path, errno: errno)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
