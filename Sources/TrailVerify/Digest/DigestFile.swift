import AuditCore

/// A parsed CloudTrail digest file (FORMATS.md §1.4): the hourly, signed list of the log files
/// delivered, and the link to the digest before it.
///
/// Only the fields validation needs are kept; times stay the exact strings CloudTrail wrote,
/// since `digestEndTime` enters the signed string verbatim.
public struct DigestFile: Sendable, Equatable {
    /// Start of the delivery window this digest covers, as written (`2015-08-17T14:01:31Z`).
    public var digestStartTime: String
    /// End of the delivery window, as written; the first line of the signed string.
    public var digestEndTime: String
    /// The bucket CloudTrail wrote this digest to; part of the signed string.
    public var digestS3Bucket: String
    /// The key CloudTrail wrote this digest to; part of the signed string.
    public var digestS3Object: String
    /// Hex MD5 of the PKCS#1 DER public key whose private key signed this digest.
    public var digestPublicKeyFingerprint: String
    /// `SHA256withRSA` on every digest CloudTrail writes.
    public var digestSignatureAlgorithm: String?
    /// The previous digest's bucket; nil on a starting digest (validation enabled or logging restarted).
    public var previousDigestS3Bucket: String?
    /// The previous digest's key; nil on a starting digest.
    public var previousDigestS3Object: String?
    /// Hex SHA-256 of the previous digest's *uncompressed* bytes; nil on a starting digest.
    public var previousDigestHashValue: String?
    /// `SHA-256` when a previous digest is named.
    public var previousDigestHashAlgorithm: String?
    /// Hex RSA signature of the previous digest (its S3 metadata signature, copied here), or nil.
    /// It is also the last line of *this* digest's signed string (`null` when nil).
    public var previousDigestSignature: String?
    /// The log files delivered in the window, possibly none.
    public var logFiles: [LogFileEntry]

    /// Parses the uncompressed JSON of a digest. `path` only names the file in errors.
    /// Throws ``TrailVerifyError`` (`.badJSON`) with the byte offset of a syntax error or the name
    /// of a missing required field.
    public static func parse(_ json: [UInt8], path: String) throws -> DigestFile {
        try json.withUnsafeBufferPointer { b in
            do {
                return try parse(b, path: path)
            } catch let error as JSONSyntaxError {
                throw TrailVerifyError.badJSON(path, "at byte \(error.offset): \(error.description)")
            }
        }
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>, path: String) throws -> DigestFile {
        var fields: [String: String] = [:]
        var logFilesRange: Range<Int>?
        let end = try JSONScanner.walkObject(b, 0) { key, value throws(JSONSyntaxError) in
            guard let name = JSONScanner.string(b, key) else { return }
            if name == "logFiles" {
                logFilesRange = value
            } else if let text = JSONScanner.scalarText(b, value) {
                fields[name] = text
            }
        }
        let trailing = JSONScanner.skipWhitespace(b, end)
        guard trailing == b.count else {
            throw TrailVerifyError.badJSON(path, "at byte \(trailing): expected end of input after the digest object")
        }
        func required(_ name: String) throws -> String {
            guard let value = fields[name] else {
                throw TrailVerifyError.badJSON(path, "missing field \"\(name)\" (expected a string)")
            }
            return value
        }
        guard let logFilesRange, b[logFilesRange.lowerBound] == UInt8(ascii: "[") else {
            throw TrailVerifyError.badJSON(path, "missing field \"logFiles\" (expected an array)")
        }
        var logFiles: [LogFileEntry] = []
        var entryError: TrailVerifyError?
        try JSONScanner.walkArray(b, logFilesRange.lowerBound) { element throws(JSONSyntaxError) in
            var entry: [String: String] = [:]
            if b[element.lowerBound] == UInt8(ascii: "{") {
                try JSONScanner.walkObject(b, element.lowerBound) { key, value throws(JSONSyntaxError) in
                    if let name = JSONScanner.string(b, key), let text = JSONScanner.scalarText(b, value) {
                        entry[name] = text
                    }
                }
            }
            guard let bucket = entry["s3Bucket"], let object = entry["s3Object"], let hash = entry["hashValue"]
            else {
                if entryError == nil {
                    entryError = TrailVerifyError.badJSON(
                        path,
                        "logFiles[\(logFiles.count)] at byte \(element.lowerBound): expected an object with s3Bucket, s3Object and hashValue")
                }
                return
            }
            logFiles.append(
                LogFileEntry(
                    s3Bucket: bucket, s3Object: object, hashValue: hash,
                    hashAlgorithm: entry["hashAlgorithm"] ?? "SHA-256"))
        }
        if let entryError { throw entryError }
        return DigestFile(
            digestStartTime: try required("digestStartTime"),
            digestEndTime: try required("digestEndTime"),
            digestS3Bucket: try required("digestS3Bucket"),
            digestS3Object: try required("digestS3Object"),
            digestPublicKeyFingerprint: try required("digestPublicKeyFingerprint"),
            digestSignatureAlgorithm: fields["digestSignatureAlgorithm"],
            previousDigestS3Bucket: fields["previousDigestS3Bucket"],
            previousDigestS3Object: fields["previousDigestS3Object"],
            previousDigestHashValue: fields["previousDigestHashValue"],
            previousDigestHashAlgorithm: fields["previousDigestHashAlgorithm"],
            previousDigestSignature: fields["previousDigestSignature"],
            logFiles: logFiles)
    }
}
