import Crypto
import _CryptoExtras

/// Checks a digest's SHA256withRSA signature (PKCS#1 v1.5), as CloudTrail makes it.
public enum DigestSignature {
    /// The outcome of one check.
    public enum Outcome: Sendable, Equatable {
        /// The signature verifies under the key the digest names.
        case valid
        /// The signature does not verify under the key the digest names.
        case invalid
        /// The signature is not hex of a plausible length.
        case malformed
        /// No supplied key has the fingerprint the digest names.
        case noKey(fingerprint: String)
    }

    /// Verifies `signatureHex` over the signed string of `digest` (uncompressed SHA-256 `digestSHA256Hex`).
    public static func check(
        digest: DigestFile, digestSHA256Hex: String, signatureHex: String, keys: PublicKeyRing
    ) -> Outcome {
        guard let key = keys.key(fingerprint: digest.digestPublicKeyFingerprint) else {
            return .noKey(fingerprint: digest.digestPublicKeyFingerprint)
        }
        guard let signature = Hex.decode(signatureHex), !signature.isEmpty else { return .malformed }
        let message = Array(SigningString.make(for: digest, digestSHA256Hex: digestSHA256Hex).utf8)
        let ok = key.key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: message),
            padding: .insecurePKCS1v1_5)
        return ok ? .valid : .invalid
    }
}
