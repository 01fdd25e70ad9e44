import Crypto
import Testing
import TrailVerify

/// The verifier against a small signed chain (3 hourly digests, 2 log files each) made by
/// ``TrailFixture``, clean and damaged the ways a trail copy gets damaged.
@Suite struct TrailVerifierTests {
    func kinds(_ report: TrailReport) -> [TrailProblem.Kind] { report.problems.map(\.kind) }

    @Test func aCleanSignedChainPasses() throws {
        let trail = TrailFixture()
        let report = try trail.verify()
        #expect(report.problems == [])
        #expect(report.isClean)
        #expect(report.digests == 3)
        #expect(report.logFilesChecked == 6)
        // Digests 1 and 2 are vouched for by their successors; the newest one's signature is in S3 metadata.
        #expect(report.signaturesVerified == 2)
        #expect(report.signaturesUnavailable == 1)
        #expect(report.summary.hasSuffix(": OK"))
    }

    @Test func aCleanChainPassesWithoutKeysAndSaysSignaturesWereNotChecked() throws {
        let report = try TrailFixture().verify(keys: PublicKeyRing())
        #expect(report.isClean)
        #expect(report.signaturesVerified == 0)
        #expect(report.summary.contains("signatures not checked"))
    }

    @Test func anEditedLogFileFailsItsHash() throws {
        let trail = TrailFixture()
        let key = trail.logKeys[1][0]
        trail.rewriteLog(key: key) { $0.replacingOccurrences(of: "DeleteObject", with: "GetObject") }
        let report = try trail.verify()
        #expect(kinds(report) == [.logHashMismatch])
        #expect(report.problems[0].path == trail.path(key))
        let expected = Hex.encode(SHA256.hash(data: trail.logContent[key]!))
        #expect(report.problems[0].message.contains(expected))
    }

    @Test func aFlippedBitInACompressedLogFileIsReported() throws {
        let trail = TrailFixture()
        let key = trail.logKeys[0][1]
        // 6 bytes from the end: inside the gzip trailer's CRC-32.
        trail.flipBit(key: key, fromEnd: 6)
        let report = try trail.verify()
        #expect(kinds(report) == [.unreadable])
        #expect(report.problems[0].path == trail.path(key))
        #expect(report.problems[0].message.contains("cannot decompress"))
    }

    @Test func aFlippedBitInCompressedDataIsReported() throws {
        let trail = TrailFixture()
        let key = trail.logKeys[2][0]
        trail.flipBit(key: key, fromEnd: 20)
        let report = try trail.verify()
        // Either zlib rejects the stream or the CRC/hash catches it: never a pass.
        #expect(!report.isClean)
        #expect(report.problems.allSatisfy { $0.path == trail.path(key) })
    }

    @Test func aDeletedLogFileIsMissing() throws {
        let trail = TrailFixture()
        let key = trail.logKeys[1][1]
        trail.remove(key: key)
        let report = try trail.verify()
        #expect(kinds(report) == [.logMissing])
        #expect(report.problems[0].path == "s3://\(TrailFixture.bucket)/\(key)")
        #expect(report.problems[0].message.contains(trail.path(trail.digestKeys[1])))
    }

    @Test func aLogFileAddedInsideTheDigestWindowsIsUnlisted() throws {
        let trail = TrailFixture()
        let delivered = TrailFixture.firstStart + TrailFixture.hour + 30 * TrailFixture.minute
        let key = TrailFixture.logKey(delivered: delivered, unique: "FORGEDforged1234")
        trail.write(key: key, Gzip.compress(TrailFixture.logRecords(eventTime: delivered, id: "forged")))
        let report = try trail.verify()
        #expect(kinds(report) == [.logUnlisted])
        #expect(report.problems[0].path == trail.path(key))
    }

    @Test func aLogFileDeliveredAfterTheNewestDigestIsNotAFailure() throws {
        let trail = TrailFixture()
        // Three hours of digests end at 13:01:31; a file delivered at 13:20 awaits the next digest.
        let delivered = TrailFixture.firstStart + 3 * TrailFixture.hour + 19 * TrailFixture.minute
        let key = TrailFixture.logKey(delivered: delivered, unique: "LATElate12345678")
        trail.write(key: key, Gzip.compress(TrailFixture.logRecords(eventTime: delivered, id: "late")))
        let report = try trail.verify()
        #expect(report.isClean)
        #expect(report.logFilesUndigested == 1)
        #expect(report.notes.contains { $0.contains("outside every digest") })
    }

    @Test func aDigestEditedToMatchAnEditedLogFailsTheChainAndItsSignature() throws {
        let trail = TrailFixture()
        let key = trail.logKeys[1][0]
        let original = Hex.encode(SHA256.hash(data: trail.logContent[key]!))
        trail.rewriteLog(key: key) { $0.replacingOccurrences(of: "DeleteObject", with: "GetObject") }
        let forged = trail.logContent[key].map { String(decoding: $0, as: UTF8.self) }!
            .replacingOccurrences(of: "DeleteObject", with: "GetObject")
        let forgedHash = Hex.encode(SHA256.hash(data: Array(forged.utf8)))
        trail.rewriteDigest(1) { $0.replacingOccurrences(of: original, with: forgedHash) }
        let report = try trail.verify()
        // The log now matches its (forged) entry; the digest no longer matches its successor's
        // hash nor its signature.
        #expect(Set(kinds(report)) == [.digestHashMismatch, .signatureInvalid])
        #expect(report.problems.allSatisfy { $0.path == trail.path(trail.digestKeys[1]) })
    }

    @Test func aDigestEditedWithoutKeysStillFailsTheChain() throws {
        let trail = TrailFixture()
        trail.rewriteDigest(0) { $0.replacingOccurrences(of: "\"logFiles\":[", with: "\"logFiles\":[ ") }
        let report = try trail.verify(keys: PublicKeyRing())
        #expect(kinds(report) == [.digestHashMismatch])
        #expect(report.problems[0].path == trail.path(trail.digestKeys[0]))
    }

    @Test func aDeletedDigestInTheMiddleIsMissing() throws {
        let trail = TrailFixture()
        trail.remove(key: trail.digestKeys[1])
        let report = try trail.verify()
        #expect(kinds(report) == [.digestMissing])
        #expect(report.problems[0].path == "s3://\(TrailFixture.bucket)/\(trail.digestKeys[1])")
        // Its log files are now vouched for by no digest: counted, not failed (their window is gone).
        #expect(report.logFilesUndigested == 2)
    }

    @Test func aBrokenLinkFailsTheChain() throws {
        let trail = TrailFixture()
        // The newest digest (whose own signature is not in the copy) is rewritten to point at a
        // digest of other content: the recorded hash no longer matches digest 2.
        let recordedHash = Hex.encode(SHA256.hash(data: trail.digestJSON[1]))
        trail.rewriteDigest(2) { $0.replacingOccurrences(of: recordedHash, with: String(repeating: "0", count: 64)) }
        let report = try trail.verify()
        #expect(kinds(report) == [.digestHashMismatch])
        #expect(report.problems[0].path == trail.path(trail.digestKeys[1]))
        #expect(report.problems[0].message.contains(recordedHash))
    }

    @Test func aForgedPreviousSignatureFails() throws {
        let trail = TrailFixture()
        let real = trail.signatures[0]
        let forged = TrailFixture.sign(
            endTime: TrailFixture.iso(TrailFixture.firstStart + TrailFixture.hour), key: trail.digestKeys[0],
            sha: Hex.encode(SHA256.hash(data: trail.digestJSON[0])), previousSignature: "null", with: TestKeys.other)
        trail.rewriteDigest(1) { $0.replacingOccurrences(of: real, with: forged) }
        let report = try trail.verify()
        // Digest 1's signature (carried by digest 2) fails; digest 2 itself changed, so digest 3's
        // hash of it fails too, and so does its signature.
        #expect(kinds(report).contains(.signatureInvalid))
        #expect(report.problems.contains { $0.kind == .signatureInvalid && $0.path == trail.path(trail.digestKeys[0]) })
        #expect(report.problems.contains { $0.kind == .digestHashMismatch && $0.path == trail.path(trail.digestKeys[1]) })
    }

    @Test func theWrongPublicKeyChecksNothingAndSaysWhichFingerprintIsNeeded() throws {
        let trail = TrailFixture()
        var ring = PublicKeyRing()
        ring.add(TestKeys.other.publicKey, source: "other.pem")
        let report = try trail.verify(keys: ring)
        #expect(kinds(report) == [.signatureUncheckable, .signatureUncheckable])
        #expect(report.signaturesVerified == 0)
        let needed = TestKeys.fingerprint(TestKeys.signing)
        #expect(report.problems.allSatisfy { $0.message.contains(needed) && $0.message.contains("other.pem") })
    }

    @Test func aDigestCopiedToAnotherKeyIsMoved() throws {
        let trail = TrailFixture()
        let moved = trail.digestKeys[2].replacingOccurrences(of: "_main_", with: "_other_")
        trail.write(key: moved, trail.read(key: trail.digestKeys[2]))
        let report = try trail.verify()
        #expect(kinds(report) == [.digestMoved])
        #expect(report.problems[0].path == trail.path(moved))
    }

    @Test func aCopyThatBeginsMidChainPassesWithANote() throws {
        let trail = TrailFixture()
        trail.remove(key: trail.digestKeys[0])
        for key in trail.logKeys[0] { trail.remove(key: key) }
        let report = try trail.verify()
        #expect(report.isClean)
        #expect(report.signaturesVerified == 1)
        #expect(report.notes.contains { $0.contains("oldest digest of its chain") })
    }

    @Test func aForeignBucketFailsWithBucketGiven() throws {
        let trail = TrailFixture()
        #expect(try trail.verify(bucket: TrailFixture.bucket).isClean)
        let report = try trail.verify(bucket: "another-bucket")
        #expect(!report.isClean)
        #expect(report.problems.allSatisfy { $0.kind == .wrongBucket })
    }

    @Test func aFolderWithoutDigestsFails() throws {
        let trail = TrailFixture(hours: 1)
        trail.remove(key: trail.digestKeys[0])
        let report = try trail.verify()
        #expect(kinds(report) == [.noDigests])
    }

    @Test func aTruncatedDigestIsUnreadable() throws {
        let trail = TrailFixture()
        let bytes = trail.read(key: trail.digestKeys[2])
        trail.write(key: trail.digestKeys[2], Array(bytes.prefix(bytes.count / 2)))
        let report = try trail.verify()
        #expect(kinds(report) == [.unreadable])
        #expect(report.problems[0].message.contains("truncated"))
    }

    @Test func aFolderThatDoesNotExistThrows() {
        #expect(throws: TrailVerifyError.self) {
            try TrailVerifier.verify(TrailVerifier.Options(root: "/nonexistent/trail-copy"))
        }
    }

    @Test func aRestartedChainPassesAndSaysWhatCannotBeChecked() throws {
        let trail = TrailFixture(restartsAt: [2])
        let report = try trail.verify()
        #expect(report.isClean)
        // Digest 1 is vouched for by digest 2; digest 2 ends its chain and digest 3 is the newest.
        #expect(report.signaturesVerified == 1)
        #expect(report.signaturesUnavailable == 2)
        #expect(report.notes.contains { $0.contains("ends a chain") })
    }

    @Test func aDigestInsertedBetweenTwoLinkedOnesIsOutsideTheChain() throws {
        let trail = TrailFixture()
        // A digest named as if written half an hour after the first, which no digest links to.
        let end = TrailFixture.firstStart + TrailFixture.hour + 30 * TrailFixture.minute
        let forgedKey = TrailFixture.digestKey(end: end)
        let json = String(decoding: trail.digestJSON[0], as: UTF8.self)
            .replacingOccurrences(of: trail.digestKeys[0], with: forgedKey)
        trail.write(key: forgedKey, Gzip.compress(Array(json.utf8)))
        let report = try trail.verify()
        #expect(kinds(report) == [.chainBroken])
        #expect(report.problems[0].path == trail.path(forgedKey))
    }
}
