import Foundation
import Testing
import TestSupport

/// Issue 13 ("Hardening") through the built binary: global options anywhere, misspelled
/// subcommands, --version, --timeout, regex limits, deep nesting, --port.
@Suite(
    "logq hardening",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct HardeningTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    @Test("--data before the subcommand ingests and reports stats instead of running a query")
    func dataBeforeSubcommand() {
        let dir = TemporaryDirectory("logq-e2e-global")
        let data = dir.path + "/data"
        let ingest = Shell.run(logq, ["--data", data, "ingest", TestPaths.fixtures + "/k8s-audit"])
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        #expect(ingest.stderr.contains("300 stored") || ingest.stdout.contains("300 stored"), "\(ingest.stdout) \(ingest.stderr)")
        let stats = Shell.run(logq, ["--data=" + data, "stats"])
        #expect(stats.status == 0)
        #expect(stats.stdout.contains("events       300"), "\(stats.stdout)")
        let count = Shell.run(logq, ["--data", data, "| count"])
        #expect(count.stdout == "count\n  300\n")
    }

    @Test("a misspelled subcommand is an error with a hint, not a search", arguments: [("injest", "ingest"), ("stat", "stats")])
    func misspelledSubcommand(word: String, hint: String) {
        let result = Shell.run(logq, [word, "x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("logq: unknown command '\(word)' (did you mean '\(hint)'?); to search for the word, quote it: logq '\"\(word)\"'"))
    }

    @Test("--version and version print the version")
    func version() {
        for argument in ["--version", "version"] {
            let result = Shell.run(logq, [argument])
            #expect(result.status == 0)
            #expect(result.stdout.split(separator: ".").count == 3, "\(result.stdout)")
        }
    }

    @Test("serve --port 99999 is a usage error")
    func badPort() {
        let result = Shell.run(logq, ["serve", "--port", "99999"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("pass --port between 1 and 65535"))
    }

    @Test("a catastrophic regex fails fast with a warning; --timeout stops a query with status 124")
    func regexLimitsAndTimeout() {
        let dir = TemporaryDirectory("logq-e2e-regex")
        let data = dir.path + "/data"
        #expect(Shell.run(logq, ["ingest", "--data", data, TestPaths.fixtures + "/k8s-audit"]).status == 0)
        let start = Date()
        let regex = Shell.run(logq, ["--data", data, #"uri~"^(.+)+[!#]$""#])
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(regex.status == 1)
        #expect(regex.stderr.contains("backtracked past PCRE2's limit"), "\(regex.stderr)")
        let timedOut = Shell.run(logq, ["--data", data, "--timeout", "1ms", #"uri~"^(.+)+[!#]$""#])
        #expect(timedOut.status == 124)
        #expect(timedOut.stderr.contains("cannot finish the query in the --timeout given"))
        let badTimeout = Shell.run(logq, ["--data", data, "--timeout", "soon", ""])
        #expect(badTimeout.status == 64)
    }

    @Test("10,000 nested parentheses are a bad query with a caret, not a crash")
    func deepNesting() {
        let dir = TemporaryDirectory("logq-e2e-deep")
        let query = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        let result = Shell.run(logq, ["--data", dir.path, query])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nested more than 256 deep"))
    }
}

extension HardeningTests {
    @Test("ingest --region that skips every file says how many paths it skipped")
    func ingestPrunedEverything() {
        let dir = TemporaryDirectory("logq-e2e-prune")
        let result = Shell.run(logq, ["ingest", "--data", dir.path + "/data", "--region", "mars-north-9", TestPaths.fixtures + "/cloudtrail"])
        #expect(result.stdout.contains("skipped by --region/--since/--until"), "stdout: \(result.stdout) stderr: \(result.stderr)")
    }
}

extension HardeningTests {
    @Test("an empty result outside the stored range says which range the store spans")
    func emptyResultOutsideStoredRange() {
        let dir = TemporaryDirectory("logq-e2e-empty")
        let data = dir.path + "/data"
        #expect(Shell.run(logq, ["ingest", "--data", data, TestPaths.fixtures + "/k8s-audit"]).status == 0)
        let result = Shell.run(logq, ["--data", data, "since=2020-01-01 until=2020-01-02"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no events stored in the time range asked; the store spans 2026-"), "\(result.stderr)")
    }

    @Test("an empty result names a value no block holds and the nearest one stored")
    func emptyResultNearestValue() {
        let dir = TemporaryDirectory("logq-e2e-empty")
        let data = dir.path + "/data"
        #expect(Shell.run(logq, ["ingest", "--data", data, TestPaths.fixtures + "/k8s-audit"]).status == 0)
        let typo = Shell.run(logq, ["--data", data, "verb=delet"])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("has verb=delet (did you mean verb=delete?)"), "\(typo.stderr)")
        let absent = Shell.run(logq, ["--data", data, "verb=frobnicate"])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("no event in the range asked has verb=frobnicate"), "\(absent.stderr)")
        #expect(!absent.stderr.contains("did you mean"))
    }
}
