import Foundation
import TestSupport
import Testing

/// `logq verify --cloudtrail` as a user runs it: output and exit status of the built binary.
@Suite(
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct VerifyCloudTrailCommandTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    @Test func aCleanCopyExitsZeroWithASummary() throws {
        let trail = TrailFixture()
        let keyFile = trail.dir.write("signing.pem", text: TestKeys.signing.publicKey.pemRepresentation)
        let result = Shell.run(logq, ["verify", "--cloudtrail", trail.root, "--public-key", keyFile])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("3 digest files, 6 log files hashed, 2 signatures verified, 1 not checkable offline"))
        #expect(result.stdout.hasSuffix(": OK\n"))
        #expect(result.stderr.contains("note: "))
    }

    @Test func aDamagedCopyExitsFourWithOneLinePerProblem() throws {
        let trail = TrailFixture()
        trail.remove(key: trail.logKeys[0][0])
        trail.rewriteLog(key: trail.logKeys[2][1]) { $0 + " " }
        let result = Shell.run(logq, ["verify", "--cloudtrail", trail.root])
        #expect(result.status == 4)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.contains { $0.contains(trail.logKeys[0][0]) && $0.contains("found no file") })
        #expect(lines.contains { $0.hasPrefix(trail.path(trail.logKeys[2][1])) && $0.contains("records SHA-256") })
        #expect(lines.last?.hasSuffix("FAILED: 2 problems") == true)
    }

    @Test func anUnreadableKeyFileExitsOne() throws {
        let trail = TrailFixture(hours: 1)
        let result = Shell.run(logq, ["verify", "--cloudtrail", trail.root, "--public-key", trail.root + "/nope.pem"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open"))
    }

    @Test func aPublicKeyWithoutATrailIsAUsageError() {
        let result = Shell.run(logq, ["verify", "--public-key", "k.pem"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--public-key and --bucket go with --cloudtrail"))
    }
}
