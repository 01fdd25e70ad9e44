import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The `openssl` command, which makes the tests' certificates.
private let opensslCommand = ["/usr/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `logq serve --tls-cert/--tls-key` and the CLI over `https://`, with a certificate made by
/// the `openssl` command for the test: the answers equal the local CLI's; a client that does not
/// trust the certificate, a plain-http client and unreadable files get clear messages.
@Suite(
    "logq serve over TLS",
    .serialized,
    .enabled(
        if: (TestPaths.logqBinary != nil && opensslCommand != nil) || ProcessInfo.processInfo.environment["CI"] != nil,
        "needs the logq binary (swift build) and the openssl command (Debian 'openssl'; in CI this fails instead)"))
struct ServerTLSTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }
    let harness = ServerQueryTests()

    /// A self-signed certificate for localhost and 127.0.0.1, and its key, in `dir`.
    func certificate(in dir: String, name: String = "server") -> (cert: String, key: String) {
        let cert = dir + "/\(name).crt", key = dir + "/\(name).key"
        let made = Shell.run(opensslCommand ?? "openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        #expect(made.status == 0, "openssl: \(made.stderr)")
        return (cert, key)
    }

    @Test("over https the client's answers equal the local CLI's; ingest and -f work; an untrusted certificate is refused")
    func httpsRoundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (cert, key) = certificate(in: dir.path)
        let data = dir.path + "/data"
        let port = ServerQueryTests.freePort()
        let server = try harness.serve(data, port: port, in: dir.path, ["--tls-cert", cert, "--tls-key", key])
        defer { server.stop() }
        #expect(server.wait(seconds: 10) { server.errors.contains("listening on https://127.0.0.1:\(port)") }, "\(server.errors)")
        let url = "https://127.0.0.1:\(port)"
        var environment = ProcessInfo.processInfo.environment
        environment["LOGQ_CACERT"] = nil
        environment["LOGQ_TOKEN"] = nil

        // Events go in over https.
        let ingest = Shell.run(logq, ["ingest", "--server", url, "--cacert", cert, TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"], environment: environment)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let stored = ServerQueryTests.total("stored", in: ingest.stderr) ?? 0
        #expect(stored > 100, "\(ingest.stderr)")

        // The server holds the writer: stop it to read the store locally, then compare.
        server.stop()
        let local = ["verb=delete", "verb=delete | count by user", "source=cloudtrail | top 3 event"].map { query in
            Shell.run(logq, ["--data", data, "-o", "ndjson", query])
        }
        let again = try harness.serve(data, port: port, in: dir.path, name: "serve2", ["--tls-cert", cert, "--tls-key", key])
        defer { again.stop() }
        for (query, expected) in zip(["verb=delete", "verb=delete | count by user", "source=cloudtrail | top 3 event"], local) {
            #expect(expected.status == 0 && !expected.stdout.isEmpty)
            let remote = Shell.run(logq, ["--server", url, "--cacert", cert, "-o", "ndjson", query], environment: environment)
            #expect(remote.status == 0, "\(query): \(remote.stderr)")
            #expect(remote.stdout == expected.stdout, "\(query)")
            // The name in the certificate works as well as its address; $LOGQ_CACERT as well as --cacert.
            var named = environment
            named["LOGQ_CACERT"] = cert
            let byName = Shell.run(logq, ["--server", "https://localhost:\(port)", "-o", "ndjson", query], environment: named)
            #expect(byName.stdout == expected.stdout, "\(query) via localhost: \(byName.stderr)")
        }

        // A tail over https sees an event stored after it started.
        let tail = try ServerQueryTests.Running(logq, ["--server", url, "--cacert", cert, "-f", "-n", "0", "-o", "ndjson", "user=tls-test-user"], in: dir.path, name: "tail")
        defer { tail.stop(SIGINT) }
        usleep(500_000)
        let event = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7e0c1a52-0000-4000-8000-00000000a001","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets/db","verb":"delete","user":{"username":"tls-test-user"},"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-11-24T10:00:00.000000Z","stageTimestamp":"2026-11-24T10:00:00.100000Z"}"#
        let file = dir.path + "/one.jsonl"
        _ = FileManager.default.createFile(atPath: file, contents: Data((event + "\n").utf8))
        let sent = Shell.run(logq, ["ingest", "--server", url, "--cacert", cert, file], environment: environment)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(tail.wait(seconds: 15) { tail.output.contains("7e0c1a52-0000-4000-8000-00000000a001") }, "tail saw: \(tail.output) \(tail.errors)")

        // Without the certificate: refused, saying what to do.
        let untrusted = Shell.run(logq, ["--server", url, "verb=delete"], environment: environment)
        #expect(untrusted.status != 0)
        #expect(untrusted.stderr.contains("not trusted") && untrusted.stderr.contains("--cacert"), "\(untrusted.stderr)")
        // Another certificate is not this server's.
        let other = certificate(in: dir.path, name: "other")
        let wrongCA = Shell.run(logq, ["--server", url, "--cacert", other.cert, "verb=delete"], environment: environment)
        #expect(wrongCA.status != 0 && wrongCA.stderr.contains("not trusted"), "\(wrongCA.stderr)")
        // Plain http to the TLS port.
        let plain = Shell.run(logq, ["--server", "http://127.0.0.1:\(port)", "verb=delete"], environment: environment)
        #expect(plain.status != 0)
        #expect(plain.stderr.contains("use an https:// URL"), "\(plain.stderr)")
    }

    @Test("a certificate or key that cannot be used stops the start with a message naming the file")
    func badFiles() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (cert, key) = certificate(in: dir.path)
        let other = certificate(in: dir.path, name: "other")
        let port = "\(ServerQueryTests.freePort())"
        let data = dir.path + "/data"
        let swapped = Shell.run(logq, ["serve", "--data", data, "--port", port, "--tls-cert", key, "--tls-key", cert])
        #expect(swapped.status == 1)
        #expect(swapped.stderr.contains("cannot read --tls-cert \(key)"), "\(swapped.stderr)")
        let mismatched = Shell.run(logq, ["serve", "--data", data, "--port", port, "--tls-cert", cert, "--tls-key", other.key])
        #expect(mismatched.status == 1)
        #expect(mismatched.stderr.contains("does the key belong to the certificate?"), "\(mismatched.stderr)")
        let missing = Shell.run(logq, ["serve", "--data", data, "--port", port, "--tls-cert", cert, "--tls-key", dir.path + "/nope.key"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read --tls-key \(dir.path)/nope.key"), "\(missing.stderr)")
        let half = Shell.run(logq, ["serve", "--data", data, "--port", port, "--tls-cert", cert])
        #expect(half.status != 0 && half.stderr.contains("pass both --tls-cert and --tls-key"), "\(half.stderr)")
    }
}
