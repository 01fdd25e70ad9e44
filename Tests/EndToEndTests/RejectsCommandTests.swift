import Foundation
import Testing
import TestSupport

/// `logq rejects` and the quarantine, run through the built binary.
@Suite(
    "logq rejects",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct RejectsCommandTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    @Test("ingest quarantines the bad lines; logq rejects lists them with their bytes")
    func listsRejects() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let huge = #"{"kind":"Event","auditID":"big","requestObject":""# + String(repeating: "z", count: 4096) + #""}"#
        let input = dir.write("in.jsonl", text: #"{"kind":"Event","auditID":"ok","stageTimestamp":"2025-03-02T10:00:00Z"}"# + "\n" + huge + "\n" + #"{"eventVersion":"1.0","eventTime":"...","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"# + "\n")
        let ingest = Shell.run(logq, ["ingest", "--data", data, "--max-line", "2K", input])
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        #expect(ingest.stdout.contains("1 stored"), "stdout: \(ingest.stdout)")
        #expect(ingest.stdout.contains("2 rejected (see logq rejects)"), "stdout: \(ingest.stdout)")
        let list = Shell.run(logq, ["rejects", "--data", data])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].contains("in.jsonl:2: malformed JSON: expected an event of at most 2048 bytes (--max-line)"))
        #expect(lines[1].contains("in.jsonl:3: expected an RFC 3339 time in \"eventTime\", found \"...\""))
        let raw = Shell.run(logq, ["rejects", "--data", data, "--raw"])
        #expect(raw.stdout.contains(#""eventTime":"...""#))
        let bad = Shell.run(logq, ["ingest", "--data", data, "--format", "yaml", input])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--format yaml is not a format"))
    }
}
