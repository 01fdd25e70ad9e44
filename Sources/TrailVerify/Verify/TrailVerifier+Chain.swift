extension TrailVerifier {
    /// Follows every digest's link to its previous digest: hash, signature, missing digests, forks,
    /// and digests that no later digest links to.
    mutating func checkChain() {
        for key in loaded.keys.sorted() {
            guard let digest = loaded[key]!.usable, let previousObject = digest.previousDigestS3Object else { continue }
            let path = loaded[key]!.file.path
            checkBucket(digest.previousDigestS3Bucket, named: "previousDigestS3Bucket", at: path)
            if let algorithm = digest.previousDigestHashAlgorithm, algorithm != "SHA-256" {
                fail(.unsupportedAlgorithm, path, "previousDigestHashAlgorithm expected SHA-256, found \(algorithm)")
            }
            let previousKey = Self.awsLogsKey(previousObject)
            guard let previous = loaded[previousKey] else {
                reportMissingPrevious(of: loaded[key]!, previousObject: previousObject, digest: digest)
                continue
            }
            if let earlier = previous.successors.first {
                fail(
                    .chainBroken, previous.file.path,
                    "named as previous digest by both \(loaded[earlier]!.file.path) and \(path); expected one successor")
            }
            loaded[previousKey]!.successors.append(key)
            guard let previousSHA = previous.sha256 else { continue }
            let recorded = (digest.previousDigestHashValue ?? "null").lowercased()
            if recorded != previousSHA {
                fail(
                    .digestHashMismatch, previous.file.path,
                    "next digest \(path) records SHA-256 \(recorded) of this digest's uncompressed bytes; found \(previousSHA)")
            }
            if !options.keys.isEmpty, let previousDigest = previous.usable {
                checkSignature(of: previous, digest: previousDigest, sha256: previousSHA, recordedIn: path, signature: digest.previousDigestSignature)
            }
        }
        checkChainTips()
    }

    /// A digest names a previous one that is not in the copy: a hole when older digests of the same
    /// chain are present, else where the copy begins.
    private mutating func reportMissingPrevious(of entry: LoadedDigest, previousObject: String, digest: DigestFile) {
        let previousTime = TrailKey(path: previousObject)?.nameTime
        let olderPresent = loaded.values.contains { other in
            guard other.file.key.chain == entry.file.key.chain, let t = other.file.key.nameTime, let previousTime else {
                return false
            }
            return t < previousTime
        }
        if olderPresent {
            fail(
                .digestMissing, "s3://\(digest.previousDigestS3Bucket ?? digest.digestS3Bucket)/\(previousObject)",
                "named as previous digest by \(entry.file.path); expected in the copy (older digests of the chain are), found no file")
        } else {
            report.notes.append(
                "\(entry.file.path) is the oldest digest of its chain in this copy; its previous digest \(previousObject) is not in the copy, so the chain is checked from here on")
        }
    }

    private mutating func checkSignature(
        of previous: LoadedDigest, digest: DigestFile, sha256: String, recordedIn path: String, signature: String?
    ) {
        guard let signature else {
            fail(.signatureUncheckable, path, "names a previous digest but has no previousDigestSignature")
            return
        }
        switch DigestSignature.check(digest: digest, digestSHA256Hex: sha256, signatureHex: signature, keys: options.keys) {
        case .valid:
            report.signaturesVerified += 1
        case .invalid:
            let source = options.keys.key(fingerprint: digest.digestPublicKeyFingerprint)?.source ?? "?"
            fail(
                .signatureInvalid, previous.file.path,
                "SHA256withRSA signature (from previousDigestSignature of \(path)) does not verify with key \(digest.digestPublicKeyFingerprint) from \(source)")
        case .malformed:
            fail(.signatureUncheckable, path, "previousDigestSignature expected hex, found \(signature.prefix(16))…")
        case .noKey(let fingerprint):
            let supplied = options.keys.keys.map { "\($0.fingerprint) (\($0.source))" }.joined(separator: ", ")
            fail(
                .signatureUncheckable, previous.file.path,
                "signed with the key of fingerprint \(fingerprint); no --public-key has it (supplied: \(supplied))")
        }
    }

    /// Digests that no later digest names. The newest of each chain is expected (its signature is
    /// not in the copy); an older one is fine only where the next digest starts a new chain
    /// (validation or logging was off), else it sits outside the chain.
    private mutating func checkChainTips() {
        let chains = Dictionary(grouping: loaded.keys.filter { !loaded[$0]!.moved }, by: { loaded[$0]!.file.key.chain })
        for chainName in chains.keys.sorted() {
            let members = chains[chainName]!.sorted {
                (loaded[$0]!.file.key.nameTime ?? 0, $0) < (loaded[$1]!.file.key.nameTime ?? 0, $1)
            }
            for (index, key) in members.enumerated() where loaded[key]!.successors.isEmpty {
                let path = loaded[key]!.file.path
                guard index + 1 < members.count else {
                    if !options.keys.isEmpty { report.signaturesUnavailable += 1 }
                    report.notes.append(
                        "\(path) is the newest digest of its chain: its own signature is in S3 object metadata, not in this copy; its content and the log files it lists were checked")
                    continue
                }
                let next = loaded[members[index + 1]]!
                guard let nextDigest = next.usable else { continue }  // unreadable, already reported
                guard let nextPrevious = nextDigest.previousDigestS3Object else {
                    if !options.keys.isEmpty { report.signaturesUnavailable += 1 }
                    report.notes.append(
                        "\(path) ends a chain and \(next.file.path) starts a new one (validation or logging was off between them); the former's signature is not in this copy")
                    continue
                }
                // A link to a digest that is not in the copy is already reported as missing.
                guard loaded[Self.awsLogsKey(nextPrevious)] != nil else { continue }
                fail(
                    .chainBroken, path,
                    "no digest names it as previous; expected the next digest \(next.file.path) to, found it names \(nextPrevious)")
            }
        }
    }
}
