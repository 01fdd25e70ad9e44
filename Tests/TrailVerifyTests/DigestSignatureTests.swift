import Crypto
import Foundation
import TestSupport
import Testing
import TrailVerify

#if canImport(Glibc)
import Glibc
#endif

/// Signatures made by an independent implementation (the `openssl` command: SHA256withRSA is
/// `openssl dgst -sha256 -sign`, PKCS#1 v1.5) verify here, and its keys get the same fingerprint:
/// the scheme is the standard one CloudTrail's Java signer uses, not one only swift-crypto agrees with.
@Suite(.enabled(if: access("/usr/bin/openssl", X_OK) == 0, "needs the openssl command"))
struct DigestSignatureTests {
    static let digestJSON = #"{"awsAccountId":"111122223333","digestStartTime":"2026-11-24T10:01:31Z","digestEndTime":"2026-11-24T11:01:31Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2026/11/24/111122223333_CloudTrail-Digest_us-east-2_main_us-east-2_20261124T110131Z.json.gz","digestPublicKeyFingerprint":"FINGERPRINT","digestSignatureAlgorithm":"SHA256withRSA","previousDigestSignature":"00ff","logFiles":[]}"#

    func openssl(_ arguments: [String]) -> Shell.Result {
        let result = Shell.run("/usr/bin/openssl", arguments)
        #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    @Test func anOpenSSLSignatureVerifiesWithTheKeyOfTheFingerprintOpenSSLComputes() throws {
        let dir = TemporaryDirectory("opensslsig")
        let privatePath = dir.path + "/private.pem"
        _ = openssl(["genrsa", "-out", privatePath, "2048"])
        let publicPath = dir.path + "/public.pem"
        _ = openssl(["rsa", "-in", privatePath, "-pubout", "-out", publicPath])
        let pkcs1Path = dir.path + "/public-pkcs1.der"
        _ = openssl(["rsa", "-in", privatePath, "-RSAPublicKey_out", "-outform", "DER", "-out", pkcs1Path])
        let md5 = openssl(["dgst", "-md5", "-r", pkcs1Path]).stdout.prefix(32)

        var ring = PublicKeyRing()
        try ring.load(path: publicPath)
        #expect(ring.keys.first?.fingerprint == String(md5))

        let json = Self.digestJSON.replacingOccurrences(of: "FINGERPRINT", with: String(md5))
        let digest = try DigestFile.parse(Array(json.utf8), path: "digest")
        let sha = Hex.encode(SHA256.hash(data: Array(json.utf8)))
        let message = dir.write("message", text: SigningString.make(for: digest, digestSHA256Hex: sha))
        let signaturePath = dir.path + "/signature"
        _ = openssl(["dgst", "-sha256", "-sign", privatePath, "-out", signaturePath, message])
        let signature = Hex.encode(FileManager.default.contents(atPath: signaturePath)!)

        #expect(DigestSignature.check(digest: digest, digestSHA256Hex: sha, signatureHex: signature, keys: ring) == .valid)
        // The same signature over another digest hash fails.
        let other = String(repeating: "ab", count: 32)
        #expect(DigestSignature.check(digest: digest, digestSHA256Hex: other, signatureHex: signature, keys: ring) == .invalid)
        #expect(DigestSignature.check(digest: digest, digestSHA256Hex: sha, signatureHex: "zz", keys: ring) == .malformed)
    }
}
