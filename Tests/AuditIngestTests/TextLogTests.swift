import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

/// klog and aws-iam-authenticator lines (FORMATS.md §2.6, §2.7), and the line reader.
@Suite("Text logs")
struct TextLogTests {
    static let klog = [
        #"I0302 10:15:07.123456      10 httplog.go:132] "HTTP" verb="DELETE" URI="/api/v1/namespaces/prod/secrets/db" latency="2.345678ms" userAgent="kubectl/v1.30.1" audit-ID="7c1e" srcIP="203.0.113.9:51234" resp=200"#,
        #"E0302 10:15:08.000001       1 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \"StartContainer\"" pod="kube-system/coredns-1" podUID="u1""#,
        "W0302 10:15:09.5       7 reflector.go:535] k8s.io/client-go/informers/factory.go:150: failed to list *v1.Secret: forbidden",
        "goroutine 1 [running]:",
        "\tmain.main()",
        #"time="2025-03-02T10:15:06Z" level=info msg="access granted" arn="arn:aws:sts::111122223333:assumed-role/Deployer/ci-bot" client="127.0.0.1:51234" groups="[]" method=POST path=/authenticate stsendpoint=sts.eu-west-1.amazonaws.com uid="aws-iam-authenticator:111122223333:AROAEXAMPLE" username="deployer""#,
        #"time="2025-03-02T10:15:10Z" level=warning msg="access denied" client="127.0.0.1:51240" error="sts getCallerIdentity failed" method=POST path=/authenticate"#,
    ]

    /// A file whose mtime is in 2025, so klog lines (no year) land in 2025.
    static func file(_ text: String, name: String, in dir: TemporaryDirectory) -> String {
        let path = dir.write(name, text: text)
        #expect(Shell.run("/usr/bin/touch", ["-d", "2025-03-03T00:00:00Z", path]).status == 0)
        return path
    }

    @Test("klog and authenticator lines are normalized field by field; continuation lines stay with their event")
    func fields() throws {
        let dir = TemporaryDirectory()
        let run = try ingest([Self.file(Self.klog.joined(separator: "\n") + "\n", name: "kube-apiserver.log", in: dir)])
        #expect(run.rejections.isEmpty)
        #expect(run.events.count == 5)
        let byTime = Dictionary(uniqueKeysWithValues: run.events.map { (Timestamp.format($0.time, fractionDigits: 6), $0) })
        let http = try #require(byTime["2025-03-02T10:15:07.123456Z"])
        #expect(http.source == .apiserver)
        #expect(http.fields[.severity] == "info")
        #expect(http.fields[.location] == "httplog.go:132")
        #expect(http.fields[.message] == "HTTP")
        #expect(http.fields[.verb] == "delete")
        #expect(http.fields[.uri] == "/api/v1/namespaces/prod/secrets/db")
        #expect(http.fields[.latency] == "2.346")
        #expect(http.fields[.ip] == "203.0.113.9")
        #expect(http.fields[.code] == "200")
        #expect(http.fields[.agent] == "kubectl/v1.30.1")
        let error = try #require(byTime["2025-03-02T10:15:08.000001Z"])
        #expect(error.fields[.severity] == "error")
        #expect(error.fields[.ns] == "kube-system")
        #expect(error.fields[.name] == "coredns-1")
        #expect(error.fields[.error] == #"failed to "StartContainer""#)
        let warning = try #require(byTime["2025-03-02T10:15:09.500000Z"])
        #expect(warning.fields[.message].hasPrefix("k8s.io/client-go/informers/factory.go:150: failed"))
        #expect(String(decoding: warning.raw, as: UTF8.self) == Self.klog[2...4].joined(separator: "\n"))
        let granted = try #require(byTime["2025-03-02T10:15:06.000000Z"])
        #expect(granted.source == .authenticator)
        #expect(granted.fields[.user] == "deployer")
        #expect(granted.fields[.actor] == "arn:aws:iam::111122223333:role/Deployer")
        #expect(granted.fields[.ip] == "127.0.0.1")
        #expect(granted.fields[.message] == "access granted")
        let denied = try #require(byTime["2025-03-02T10:15:10.000000Z"])
        #expect(denied.fields[.severity] == "warning")
        #expect(denied.fields[.error] == "sts getCallerIdentity failed")
    }

    @Test("klog events with continuation lines are the same at every read size", arguments: [1, 3, 17, 1 << 20])
    func klogChunks(chunk: Int) throws {
        let text = Self.klog.joined(separator: "\n") + "\n"
        let run = try ingest(bytes: Array(text.utf8), chunk: chunk, name: "kube-apiserver.log")
        #expect(run.rejections.isEmpty)
        #expect(run.events.count == 5)
        let warning = try #require(run.events.first { $0.fields[.severity] == "warning" && $0.source == .apiserver })
        #expect(String(decoding: warning.raw, as: UTF8.self) == Self.klog[2...4].joined(separator: "\n"))
    }

    @Test("the klog component comes from the input name; klog time has the year of the file's time")
    func component() throws {
        let dir = TemporaryDirectory()
        let line = "I1231 23:59:59.000000       1 leaderelection.go:258] successfully acquired lease\n"
        // A December line in a file written on 3 March: the year before.
        let run = try ingest([Self.file(line, name: "kube-controller-manager-abc.log", in: dir)])
        #expect(run.events.map(\.source) == [.controllerManager])
        #expect(run.events.first?.time == Timestamp.parse("2024-12-31T23:59:59Z"))
        var options = IngestOptions()
        options.format = .scheduler
        let forced = try ingest([Self.file(line, name: "x.log", in: dir)], options: options)
        #expect(forced.events.map(\.source) == [.scheduler])
    }

    @Test("lines split the same way at every read size", arguments: [1, 2, 5, 64, 1 << 20])
    func chunks(chunk: Int) throws {
        let text = Self.klog.joined(separator: "\n") + "\n" + String(repeating: "x", count: 300) + "\n" + "tail-without-newline"
        var reader = LineReader(source: MemorySource(Array(text.utf8), chunk: chunk), maxLineBytes: 200)
        var lines: [String] = []
        var long: [(Int, Int)] = []
        while let item = reader.next() {
            switch item {
            case .line(let range, _, _): lines.append(String(decoding: reader.buffer[range], as: UTF8.self))
            case .tooLong(let line, _, let prefix, let length):
                long.append((line, length))
                #expect(prefix.count == length)
            }
        }
        #expect(lines == Self.klog.filter { $0.utf8.count <= 200 } + ["tail-without-newline"])
        #expect(long.map(\.1) == Self.klog.filter { $0.utf8.count > 200 }.map(\.utf8.count) + [300])
    }

    @Test("a line past --max-line is rejected, the lines around it kept")
    func maxLine() throws {
        let dir = TemporaryDirectory()
        let huge = "I0302 10:15:07.000000       1 x.go:1] " + String(repeating: "y", count: 3 << 20)
        var options = IngestOptions()
        options.maxLineBytes = 1 << 20
        let run = try ingest([Self.file([Self.klog[0], huge, Self.klog[1]].joined(separator: "\n") + "\n", name: "api.log", in: dir)], options: options)
        #expect(run.events.count == 2)
        #expect(run.rejections.map(\.line) == [2])
        #expect(run.rejections.first?.reason.contains("at most 1048576 bytes") == true)
        #expect(run.rejections.first?.length == huge.utf8.count)
        #expect(run.rejections.first?.raw.count == Rejection.maxKeptBytes)
    }

    @Test("container-runtime (CRI) prefixes are read in every RFC 3339 form, numeric offsets included; partial pieces are joined", arguments: [1, 7, 1 << 20])
    func criPrefixes(chunk: Int) throws {
        let lines = [
            "2025-03-02T10:15:07.123456789Z stdout F " + Self.klog[0],
            "2025-03-02T12:15:08.000001+02:00 stderr F " + Self.klog[1],
            "2025-03-02t05:15:09.5-05:00 stderr F " + Self.klog[2],
            "2025-03-02T10:15:10z stdout P " + #"I0302 10:15:10.000000       1 x.go:1] "partial "#,
            "2025-03-02T10:15:11Z stderr F " + Self.klog[5],
            "2025-03-02T10:15:11.1Z stdout P " + "li",
            "2025-03-02T10:15:11.2Z stdout F " + #"ne" done=true"#,
        ]
        let run = try ingest(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), chunk: chunk, name: "kube-apiserver.log")
        #expect(run.rejections.isEmpty, "\(run.rejections)")
        #expect(run.events.count == 5)
        #expect(run.events.map { Timestamp.format($0.time, fractionDigits: 1) } == [
            "2025-03-02T10:15:06.0Z", "2025-03-02T10:15:07.1Z", "2025-03-02T10:15:08.0Z", "2025-03-02T10:15:09.5Z", "2025-03-02T10:15:10.0Z",
        ])
        let http = try #require(run.events.first { $0.fields[.uri] == "/api/v1/namespaces/prod/secrets/db" })
        #expect(String(decoding: http.raw, as: UTF8.self) == Self.klog[0])
        #expect(run.events.contains { $0.fields[.user] == "deployer" })
        // The partial pieces of stdout are one line, the stderr line between them apart.
        let joined = try #require(run.events.first { $0.fields[.location] == "x.go:1" })
        #expect(joined.fields[.message] == "partial line")
        #expect(String(decoding: joined.raw, as: UTF8.self) == #"I0302 10:15:10.000000       1 x.go:1] "partial line" done=true"#)
    }
}
