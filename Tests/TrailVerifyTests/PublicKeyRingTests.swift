import Foundation
import TestSupport
import Testing
import TrailVerify
import _CryptoExtras

@Suite struct PublicKeyRingTests {
    /// The example key of the AWS CLI's `list-public-keys` documentation and the fingerprint AWS
    /// printed for it: a real CloudTrail key, so this pins how fingerprints are computed.
    static let awsExampleValue =
        "MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB"
    static let awsExampleFingerprint = "7f3f401420072e50a65a141430817ab3"

    @Test func theFingerprintOfAnAWSKeyIsTheOneAWSPrints() throws {
        let dir = TemporaryDirectory("keyring")
        let path = dir.write("aws.b64", text: Self.awsExampleValue + "\n")
        var ring = PublicKeyRing()
        try ring.load(path: path)
        #expect(ring.keys.map(\.fingerprint) == [Self.awsExampleFingerprint])
        #expect(ring.key(fingerprint: Self.awsExampleFingerprint.uppercased()) != nil)
    }

    @Test func pemDerAndBase64OfOneKeyHaveOneFingerprint() throws {
        let dir = TemporaryDirectory("keyring")
        let key = TestKeys.signing.publicKey
        var ring = PublicKeyRing()
        try ring.load(path: dir.write("spki.pem", text: key.pemRepresentation))
        try ring.load(path: dir.write("pkcs1.pem", text: key.pkcs1PEMRepresentation))
        try ring.load(path: dir.write("spki.der", [UInt8](key.derRepresentation)))
        try ring.load(path: dir.write("pkcs1.der", [UInt8](key.pkcs1DERRepresentation)))
        try ring.load(path: dir.write("pkcs1.b64", text: key.pkcs1DERRepresentation.base64EncodedString()))
        #expect(Set(ring.keys.map(\.fingerprint)) == [TestKeys.fingerprint(TestKeys.signing)])
        #expect(ring.keys.count == 5)
    }

    @Test func aFileWithoutAKeyIsAClearError() throws {
        let dir = TemporaryDirectory("keyring")
        var ring = PublicKeyRing()
        let path = dir.write("notakey.txt", text: "hello, not a key!")
        do {
            try ring.load(path: path)
            Issue.record("loaded a key from text")
        } catch let error as TrailVerifyError {
            #expect(error.code == .badKey)
            #expect(error.message.contains(path))
        }
        #expect(throws: TrailVerifyError.self) { try ring.load(path: dir.path + "/missing.pem") }
    }
}
