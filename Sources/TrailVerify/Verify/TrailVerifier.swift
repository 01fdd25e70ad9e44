import Crypto

/// Validates a local copy of a CloudTrail trail against its digest files, offline:
///
/// - every log file a digest lists: present, and the SHA-256 of its uncompressed bytes equal to
///   the digest's `hashValue` (``TrailVerifier/checkLogFiles()``);
/// - log files in the copy that no digest lists, though digests cover their delivery minute;
/// - the chain: each digest's `previousDigestHashValue` equals the SHA-256 of the previous
///   digest's uncompressed bytes, no digest missing from the middle, no fork
///   (``TrailVerifier/checkChain()``);
/// - with public keys: the SHA256withRSA signature of every digest that a later digest names,
///   since the later one carries it in `previousDigestSignature`. The newest digest's own
///   signature lives in S3 object metadata, which a local copy does not hold.
///
/// What this proves and what it does not: docs/cloudtrail-verify.md.
public struct TrailVerifier {
    /// What to verify and with which keys.
    public struct Options: Sendable {
        /// The local copy: a folder holding `AWSLogs/` somewhere below it.
        public var root: String
        /// Keys to check signatures with; empty to skip signatures.
        public var keys: PublicKeyRing
        /// The bucket the copy was made from; when set, digests and entries naming another fail.
        public var bucket: String?

        public init(root: String, keys: PublicKeyRing = PublicKeyRing(), bucket: String? = nil) {
            self.root = root
            self.keys = keys
            self.bucket = bucket
        }
    }

    /// A digest file of the copy as read.
    struct LoadedDigest {
        var file: LocalTrail.File
        /// Hex SHA-256 of the uncompressed bytes; nil when the file does not decompress.
        var sha256: String?
        /// Nil when the file does not decompress or parse (already reported).
        var digest: DigestFile?
        /// Keys of the digests that name this one as previous.
        var successors: [String] = []
        /// Found at another key than it records: reported, and then left out of the chain and
        /// of the log checks, since it is not the digest CloudTrail wrote there.
        var moved = false

        /// The parsed digest when it is usable as a link and as a list of log files.
        var usable: DigestFile? { moved ? nil : digest }
    }

    /// Slack when deciding that a log file's delivery minute lies inside a digest window: a file is
    /// named when CloudTrail writes it and may reach S3 a little later, into the next window.
    static let windowMargin: Int64 = 5 * 60 * 1_000_000_000

    let options: Options
    var trail = LocalTrail()
    var loaded: [String: LoadedDigest] = [:]
    var report = TrailReport()

    /// Validates the copy at `options.root`. Throws only when the folder cannot be read at all;
    /// everything wrong inside the copy is a problem in the returned report.
    public static func verify(_ options: Options) throws -> TrailReport {
        var verifier = TrailVerifier(options: options)
        try verifier.run()
        return verifier.report
    }

    init(options: Options) {
        self.options = options
    }

    mutating func run() throws {
        report.keysSupplied = options.keys.keys.count
        trail = try LocalTrail.scan(root: options.root)
        for duplicate in trail.duplicates {
            fail(.duplicate, duplicate.ignored, "holds the same S3 key as \(duplicate.kept); only that one was checked")
        }
        report.digests = trail.digests.count
        if trail.digests.isEmpty {
            fail(
                .noDigests, options.root,
                "expected digest files under AWSLogs/<account>/CloudTrail-Digest/<region>/; found none (is log file validation enabled on the trail?)"
            )
        }
        loadDigests()
        checkChain()
        checkLogFiles()
        report.problems.sort { ($0.path, $0.message) < ($1.path, $1.message) }
    }

    /// Reads, hashes and parses every digest, and checks it sits where it says it was written.
    mutating func loadDigests() {
        for key in trail.digests.keys.sorted() {
            let file = trail.digests[key]!
            var entry = LoadedDigest(file: file)
            do {
                let bytes = try GzipFileReader.readAll(path: file.path)
                entry.sha256 = Hex.encode(SHA256.hash(data: bytes))
                let digest = try DigestFile.parse(bytes, path: file.path)
                entry.digest = digest
                let recorded = Self.awsLogsKey(digest.digestS3Object)
                if recorded != key {
                    entry.moved = true
                    fail(
                        .digestMoved, file.path,
                        "digest records that it was written to \(digest.digestS3Object); found at \(key) instead")
                }
                checkBucket(digest.digestS3Bucket, named: "digestS3Bucket", at: file.path)
                if let algorithm = digest.digestSignatureAlgorithm, algorithm != "SHA256withRSA" {
                    fail(.unsupportedAlgorithm, file.path, "digestSignatureAlgorithm expected SHA256withRSA, found \(algorithm)")
                }
            } catch let error as TrailVerifyError {
                fail(.unreadable, file.path, error.message)
            } catch {
                fail(.unreadable, file.path, "\(error)")
            }
            loaded[key] = entry
        }
    }

    /// Records a failure.
    mutating func fail(_ kind: TrailProblem.Kind, _ path: String, _ message: String) {
        report.problems.append(TrailProblem(kind, path: path, message))
    }

    /// Fails when `--bucket` was given and `bucket` is another.
    mutating func checkBucket(_ bucket: String?, named field: String, at path: String) {
        guard let expected = options.bucket, let bucket, bucket != expected else { return }
        fail(.wrongBucket, path, "\(field) expected \(expected) (--bucket), found \(bucket)")
    }

    /// The `AWSLogs/…` part of an S3 key, or the key itself when it has none.
    static func awsLogsKey(_ s3Object: String) -> String {
        TrailKey(path: s3Object)?.awsLogsKey ?? s3Object
    }
}
