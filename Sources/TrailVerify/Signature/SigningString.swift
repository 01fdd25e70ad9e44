import Crypto

/// The string CloudTrail signs for a digest (AWS "Custom implementations of CloudTrail log file
/// integrity validation"; the AWS CLI's `_create_string_to_sign` builds the same):
///
///     <digestEndTime>\n<digestS3Bucket>/<digestS3Object>\n<hex SHA-256 of the uncompressed digest>\n<previousDigestSignature or "null">
///
/// CloudTrail signs it with SHA256withRSA (PKCS#1 v1.5 over its SHA-256).
public enum SigningString {
    /// The signed string of `digest`, whose uncompressed bytes hash to `digestSHA256Hex`.
    public static func make(for digest: DigestFile, digestSHA256Hex: String) -> String {
        // A starting digest has no previous signature; the AWS CLI writes "null" to match the
        // Java implementation that CloudTrail itself uses.
        let previous = digest.previousDigestSignature ?? "null"
        return "\(digest.digestEndTime)\n\(digest.digestS3Bucket)/\(digest.digestS3Object)\n\(digestSHA256Hex)\n\(previous)"
    }
}
