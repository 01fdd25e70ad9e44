import AuditCore
import Crypto
import Foundation
import TestSupport
import TrailVerify
import _CryptoExtras

/// Test keys, made once per test process: RSA key generation is the slow part of a fixture.
enum TestKeys {
    /// The key that signs the fixture's digests (CloudTrail's regional key, in the real world).
    static let signing = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    /// A key that signed nothing here.
    static let other = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// Hex MD5 of the PKCS#1 DER public key: CloudTrail's fingerprint.
    static func fingerprint(_ key: _RSA.Signing.PrivateKey) -> String {
        Hex.encode(Insecure.MD5.hash(data: key.publicKey.pkcs1DERRepresentation))
    }
}

/// A local copy of a trail's bucket, written the way CloudTrail delivers one: `hours` hourly
/// digests chained and signed with ``TestKeys/signing``, each listing `logsPerHour` gzip log files,
/// under the key prefix `audit/`. Tests then damage it the ways an attacker or an accident would.
final class TrailFixture {
    static let account = "111122223333"
    static let region = "us-east-2"
    static let bucket = "example-trail-bucket"
    static let prefix = "audit"
    /// Start of the first digest's delivery window: 2026-11-24T10:01:31Z.
    static let firstStart: Int64 = Timestamp.parse("2026-11-24T10:01:31Z")!
    static let hour: Int64 = 3_600 * Timestamp.nanosPerSecond
    static let minute: Int64 = 60 * Timestamp.nanosPerSecond

    let dir = TemporaryDirectory("trailverify")
    /// The folder to verify (the bucket's copy).
    var root: String { dir.path }
    /// S3 keys (with prefix) of the digests, oldest first.
    private(set) var digestKeys: [String] = []
    /// S3 keys of each hour's log files.
    private(set) var logKeys: [[String]] = []
    /// Uncompressed content of each log file, by S3 key.
    private(set) var logContent: [String: [UInt8]] = [:]
    /// Uncompressed JSON of each digest, oldest first.
    private(set) var digestJSON: [[UInt8]] = []
    /// Hex signature of each digest (what S3 metadata would hold), oldest first.
    private(set) var signatures: [String] = []

    /// `restartsAt`: hours whose digest starts a new chain (all `previousDigest*` null), as after
    /// logging or validation was turned off and on again.
    init(hours: Int = 3, logsPerHour: Int = 2, restartsAt: Set<Int> = []) {
        var previous: (key: String, sha: String, signature: String)?
        for h in 0..<hours {
            if restartsAt.contains(h) { previous = nil }
            let start = Self.firstStart + Int64(h) * Self.hour
            let end = start + Self.hour
            var entries: [String] = []
            var keys: [String] = []
            for i in 0..<logsPerHour {
                let delivered = start + (10 + Int64(i) * 15) * Self.minute
                let key = Self.logKey(delivered: delivered, unique: "H\(h)I\(i)abcdefghijklm")
                let content = Self.logRecords(eventTime: delivered - 3 * Self.minute, id: "\(h)-\(i)")
                write(key: key, Gzip.compress(content))
                logContent[key] = content
                keys.append(key)
                let sha = Hex.encode(SHA256.hash(data: content))
                entries.append(
                    #"{"s3Bucket":"\#(Self.bucket)","s3Object":"\#(key)","hashValue":"\#(sha)","hashAlgorithm":"SHA-256","newestEventTime":"\#(Self.iso(delivered - 3 * Self.minute))","oldestEventTime":"\#(Self.iso(delivered - 3 * Self.minute))"}"#
                )
            }
            let key = Self.digestKey(end: end)
            let prev = previous.map {
                #""previousDigestS3Bucket":"\#(Self.bucket)","previousDigestS3Object":"\#($0.key)","previousDigestHashValue":"\#($0.sha)","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"\#($0.signature)""#
            } ?? #""previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null"#
            let json = Array(
                #"{"awsAccountId":"\#(Self.account)","digestStartTime":"\#(Self.iso(start))","digestEndTime":"\#(Self.iso(end))","digestS3Bucket":"\#(Self.bucket)","digestS3Object":"\#(key)","digestPublicKeyFingerprint":"\#(TestKeys.fingerprint(TestKeys.signing))","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,\#(prev),"logFiles":[\#(entries.joined(separator: ","))]}"#
                    .utf8)
            write(key: key, Gzip.compress(json))
            let sha = Hex.encode(SHA256.hash(data: json))
            let signature = Self.sign(
                endTime: Self.iso(end), key: key, sha: sha, previousSignature: previous?.signature ?? "null")
            digestKeys.append(key)
            digestJSON.append(json)
            signatures.append(signature)
            logKeys.append(keys)
            previous = (key, sha, signature)
        }
    }

    // MARK: Layout

    static func iso(_ ns: Int64) -> String { Timestamp.format(ns, fractionDigits: 0) }

    /// `20261124T1101` style, from an ISO time (minute or second precision).
    static func compact(_ ns: Int64, seconds: Bool) -> String {
        let iso = iso(ns).filter { $0 != "-" && $0 != ":" }  // 20261124T110131Z
        return seconds ? iso : String(iso.dropLast(3)) + "Z"
    }

    static func datePath(_ ns: Int64) -> String {
        let c = Array(iso(ns))  // 2026-11-24T…
        return String(c[0..<4]) + "/" + String(c[5..<7]) + "/" + String(c[8..<10])
    }

    static func logKey(delivered: Int64, unique: String) -> String {
        "\(prefix)/AWSLogs/\(account)/CloudTrail/\(region)/\(datePath(delivered))/\(account)_CloudTrail_\(region)_\(compact(delivered, seconds: false))_\(unique.prefix(16)).json.gz"
    }

    static func digestKey(end: Int64) -> String {
        "\(prefix)/AWSLogs/\(account)/CloudTrail-Digest/\(region)/\(datePath(end))/\(account)_CloudTrail-Digest_\(region)_main_\(region)_\(compact(end, seconds: true)).json.gz"
    }

    static func logRecords(eventTime: Int64, id: String) -> [UInt8] {
        Array(
            #"{"Records":[{"eventVersion":"1.11","eventTime":"\#(iso(eventTime))","eventSource":"s3.amazonaws.com","eventName":"DeleteObject","awsRegion":"\#(region)","eventID":"ev-\#(id)","readOnly":false,"recipientAccountId":"\#(account)"}]}"#
                .utf8)
    }

    /// SHA256withRSA (PKCS#1 v1.5) of CloudTrail's signed string, hex.
    static func sign(
        endTime: String, key: String, sha: String, previousSignature: String,
        with privateKey: _RSA.Signing.PrivateKey = TestKeys.signing
    ) -> String {
        let message = Array("\(endTime)\n\(bucket)/\(key)\n\(sha)\n\(previousSignature)".utf8)
        let signature = try! privateKey.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        return Hex.encode(signature.rawRepresentation)
    }

    // MARK: Files

    /// The local path of an S3 key.
    func path(_ key: String) -> String { root + "/" + key }

    func write(key: String, _ bytes: [UInt8]) {
        dir.write(key, bytes)
    }

    func read(key: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path(key)) ?? Data())
    }

    func remove(key: String) {
        try! FileManager.default.removeItem(atPath: path(key))
    }

    /// Replaces a log file's content (re-gzipped: an edit made with care, not a torn file).
    func rewriteLog(key: String, _ transform: (String) -> String) {
        let text = String(decoding: logContent[key]!, as: UTF8.self)
        write(key: key, Gzip.compress(Array(transform(text).utf8)))
    }

    /// Replaces digest `index`'s JSON (re-gzipped).
    func rewriteDigest(_ index: Int, _ transform: (String) -> String) {
        let text = String(decoding: digestJSON[index], as: UTF8.self)
        write(key: digestKeys[index], Gzip.compress(Array(transform(text).utf8)))
    }

    /// Flips one bit of the stored (compressed) file at `offset` from its end.
    func flipBit(key: String, fromEnd offset: Int) {
        var bytes = read(key: key)
        bytes[bytes.count - offset] ^= 0x01
        write(key: key, bytes)
    }

    /// The key ring a user would build: the signing key's public half.
    static var signingKeys: PublicKeyRing {
        var ring = PublicKeyRing()
        ring.add(TestKeys.signing.publicKey, source: "signing.pem")
        return ring
    }

    func verify(keys: PublicKeyRing = TrailFixture.signingKeys, bucket: String? = nil) throws -> TrailReport {
        try TrailVerifier.verify(TrailVerifier.Options(root: root, keys: keys, bucket: bucket))
    }
}
