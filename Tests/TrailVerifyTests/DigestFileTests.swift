import Testing
import TrailVerify

@Suite struct DigestFileTests {
    @Test func parsesAStartingDigestWithNullLinks() throws {
        let json = #"""
            {"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z",
             "digestS3Bucket":"b","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/x_20150817T150131Z.json.gz",
             "digestPublicKeyFingerprint":"31e8b5433410dfb61a9dc45cc65b22ff","digestSignatureAlgorithm":"SHA256withRSA",
             "newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,
             "previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}
            """#
        let digest = try DigestFile.parse(Array(json.utf8), path: "d.json.gz")
        #expect(digest.digestEndTime == "2015-08-17T15:01:31Z")
        #expect(digest.previousDigestSignature == nil)
        #expect(digest.logFiles.isEmpty)
        #expect(
            SigningString.make(for: digest, digestSHA256Hex: "ab")
                == "2015-08-17T15:01:31Z\nb/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/x_20150817T150131Z.json.gz\nab\nnull")
    }

    @Test func aSyntaxErrorNamesTheFileAndByteOffset() {
        do {
            _ = try DigestFile.parse(Array(#"{"digestEndTime": "x" "logFiles":[]}"#.utf8), path: "d.json.gz")
            Issue.record("parsed broken JSON")
        } catch let error as TrailVerifyError {
            #expect(error.code == .badJSON)
            #expect(error.message.contains("d.json.gz"))
            #expect(error.message.contains("at byte 22"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aMissingRequiredFieldIsNamed() {
        let json = #"{"digestStartTime":"a","digestEndTime":"b","digestS3Bucket":"c","digestS3Object":"d","logFiles":[]}"#
        do {
            _ = try DigestFile.parse(Array(json.utf8), path: "d.json.gz")
            Issue.record("parsed a digest without a fingerprint")
        } catch let error as TrailVerifyError {
            #expect(error.message.contains("digestPublicKeyFingerprint"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aLogEntryWithoutAHashIsRejected() {
        let json = #"{"digestStartTime":"a","digestEndTime":"b","digestS3Bucket":"c","digestS3Object":"d","digestPublicKeyFingerprint":"e","logFiles":[{"s3Bucket":"c","s3Object":"k"}]}"#
        #expect(throws: TrailVerifyError.self) { try DigestFile.parse(Array(json.utf8), path: "d.json.gz") }
    }
}
