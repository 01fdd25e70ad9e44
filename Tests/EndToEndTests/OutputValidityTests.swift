import Foundation
import Testing
import TestSupport

/// Whatever the store holds — invalid UTF-8 from a damaged input, numbers past Double, text
/// events — `-o json`, `-o ndjson` and `-o csv` print what a strict parser reads back, and
/// `-o raw` prints the original bytes.
@Suite(
    "Output validity",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct OutputValidityTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// Python's json module, strict: UTF-8 decoding fails on invalid bytes, and NaN/Infinity
    /// (which JSON does not have) are refused. `lines`: one document per line.
    static func validJSON(_ bytes: [UInt8], lines: Bool) -> Shell.Result {
        let script = """
            import json, sys
            def refuse(c): raise ValueError("not JSON: " + c)
            text = sys.stdin.buffer.read().decode("utf-8")
            docs = [l for l in text.splitlines() if l.strip()] if \(lines ? "True" : "False") else [text]
            for d in docs: json.loads(d, parse_constant=refuse)
            print(len(docs))
            """
        return Shell.run("/usr/bin/env", ["python3", "-c", script], stdin: bytes)
    }

    static func k8s(_ id: String, user: [UInt8], extra: String = "") -> [UInt8] {
        Array(#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"\#(id)","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods/p","verb":"get","user":{"username":""#.utf8)
            + user
            + Array(#"","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"pods","namespace":"shop","name":"p"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-11-24T10:00:0\#(id)Z","stageTimestamp":"2026-11-24T10:00:0\#(id)Z"\#(extra)}"#.utf8)
            + [0x0A]
    }

    @Test("invalid UTF-8 is reported at ingest, kept byte for byte in -o raw, and never breaks -o json, ndjson or csv")
    func invalidUTF8() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let garbled = Self.k8s("2", user: Array("al".utf8) + [0xFF, 0xC3, 0x28] + Array("ice".utf8))
        let input = Self.k8s("1", user: Array("bob".utf8), extra: #","annotations":{"n":1e999999}"#) + garbled
            + Self.k8s("3", user: Array("carol".utf8), extra: #","annotations":{"n":-1e999999}"#)
        let file = dir.write("audit.jsonl", input)
        let klog = dir.write("kube-apiserver.log", text: "I1124 10:00:04.000000       1 x.go:1] \"tab\there\" quote=\"\\\"\"\n")
        let ingest = Shell.run(logq, ["ingest", "--data", data, file, klog])
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        #expect(ingest.stdout.contains("4 stored"), "\(ingest.stdout)")
        #expect(ingest.stdout.contains("1 event with invalid UTF-8 stored as is"), "\(ingest.stdout)")
        #expect(ingest.stderr.contains("\(file):2: invalid UTF-8"), "stderr: \(ingest.stderr)")
        let offset = Self.k8s("1", user: Array("bob".utf8), extra: #","annotations":{"n":1e999999}"#).count
            + garbled.firstIndex(of: 0xFF)!
        #expect(ingest.stderr.contains("(byte \(offset))"), "stderr: \(ingest.stderr)")

        let raw = Shell.run(logq, ["--data", data, "-o", "raw", "user=*ice"])
        #expect(raw.stdoutBytes == garbled, "raw: \(raw.stdout)")
        for (format, lines) in [("json", false), ("ndjson", true)] {
            let out = Shell.run(logq, ["--data", data, "-o", format, "until=2100-01-01"])
            #expect(out.status == 0)
            let check = Self.validJSON(out.stdoutBytes, lines: lines)
            #expect(check.status == 0, "-o \(format): \(check.stderr)\n\(out.stdout)")
            let fields = Shell.run(logq, ["--data", data, "-o", format, "until=2100-01-01 | fields user user.username"])
            #expect(Self.validJSON(fields.stdoutBytes, lines: lines).status == 0, "-o \(format) fields: \(fields.stdout)")
            let stats = Shell.run(logq, ["--data", data, "-o", format, "until=2100-01-01 | stats sum(annotations.n) max(annotations.n) min(annotations.n)"])
            #expect(stats.status == 0)
            let statsCheck = Self.validJSON(stats.stdoutBytes, lines: lines)
            #expect(statsCheck.status == 0, "-o \(format) stats: \(statsCheck.stderr)\n\(stats.stdout)")
        }
        let csv = Shell.run(logq, ["--data", data, "-o", "csv", "until=2100-01-01 | fields user.username"])
        #expect(String(validatingUTF8: csv.stdout) != nil)
        #expect(String(bytes: csv.stdoutBytes, encoding: .utf8) != nil, "csv is not UTF-8")
        // A bad sequence matches no character, so `.` cannot cross it (exit 1: no match), but
        // the pattern still finds the valid text around it.
        let regex = Shell.run(logq, ["--data", data, "-o", "raw", #"user.username~"^al.*ice$""#])
        #expect(regex.status == 1, "stderr: \(regex.stderr)")
        let regexAny = Shell.run(logq, ["--data", data, "-o", "raw", #"user.username~"ice$""#])
        #expect(regexAny.status == 0, "stderr: \(regexAny.stderr)")
        #expect(regexAny.stdoutBytes == garbled)
    }
}
