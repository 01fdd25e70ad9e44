import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import AuditIngest

@Suite("gzip inputs")
struct GzipSourceTests {
    func gzip(_ text: String, in dir: TemporaryDirectory, name: String) -> [UInt8] {
        let plain = dir.write(name, text: text)
        let result = Shell.run("/bin/gzip", ["-kf", plain])
        precondition(result.status == 0, "gzip failed: \(result.stderr)")
        let fd = open(plain + ".gz", O_RDONLY)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    func lines(_ range: Range<Int>) -> String {
        range.map {
            EventBuilder.k8sLine(auditID: "id-\($0)", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p\($0)", time: "2026-11-24T10:00:00Z")
        }.joined(separator: "\n") + "\n"
    }

    @Test("concatenated gzip members are all read")
    func multiMember() throws {
        let dir = TemporaryDirectory()
        let bytes = gzip(lines(0..<50), in: dir, name: "a") + gzip(lines(50..<100), in: dir, name: "b")
        let (events, rejections) = decodeAll(try GzipSource(input: MemorySource(bytes, chunk: 777), name: "x.gz"))
        #expect(rejections.isEmpty)
        #expect(events.count == 100)
        #expect(events.last?.fields[.id] == "id-99")
    }

    @Test("a truncated gzip keeps the events before the damage and reports it")
    func truncated() throws {
        let dir = TemporaryDirectory()
        let bytes = gzip(lines(0..<2_000), in: dir, name: "big")
        let cut = Array(bytes.prefix(bytes.count / 2))
        let source = try GzipSource(input: MemorySource(cut), name: "big.gz")
        var reader = JSONValueReader(source: source)
        var values = 0
        while let item = reader.next() {
            if case .value = item { values += 1 }
        }
        #expect(values > 100)
        #expect(values < 2_000)
        let error = try #require(reader.sourceError as? IngestError)
        #expect(error.message.contains("truncated"))
        #expect(error.message.contains("big.gz"))
    }
}
