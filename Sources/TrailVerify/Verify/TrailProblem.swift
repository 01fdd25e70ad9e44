/// One way the local copy fails validation: which file, and what was expected and found.
public struct TrailProblem: Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, for callers and tests that act on it.
    public enum Kind: Sendable, Equatable {
        /// No digest file under the folder: nothing to validate against.
        case noDigests
        /// A log file's uncompressed SHA-256 differs from its digest entry.
        case logHashMismatch
        /// A digest lists a log file that is not in the copy.
        case logMissing
        /// A log file delivered inside the digests' windows that no digest lists.
        case logUnlisted
        /// A log or digest file that does not decompress, or a digest that does not parse.
        case unreadable
        /// A digest found at another key than the one it records (`digestS3Object`).
        case digestMoved
        /// A digest's uncompressed SHA-256 differs from `previousDigestHashValue` of its successor.
        case digestHashMismatch
        /// A digest named as previous by a later one is not in the copy, though older digests of
        /// the same chain are: a digest was removed from the middle.
        case digestMissing
        /// A digest's RSA signature does not verify.
        case signatureInvalid
        /// No supplied key has the fingerprint a digest names, or its signature is not hex.
        case signatureUncheckable
        /// Two digests name the same previous digest, or a digest sits between two linked ones.
        case chainBroken
        /// A digest or log entry names another bucket than `--bucket`.
        case wrongBucket
        /// A hash or signature algorithm other than SHA-256 / SHA256withRSA.
        case unsupportedAlgorithm
        /// Two local files hold the same S3 key.
        case duplicate
    }

    public var kind: Kind
    /// The local file (or, for a file that is missing, `s3://bucket/key`).
    public var path: String
    /// What was expected and what was found, in words.
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
