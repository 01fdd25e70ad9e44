import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

@Suite("Whole-file gunzip")
struct WholeGzipTests {
    func lines(_ range: Range<Int>) -> String {
        range.map {
            EventBuilder.k8sLine(auditID: "w-\($0)", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p\($0)", time: "2026-11-24T10:00:00Z")
        }.joined(separator: "\n") + "\n"
    }

    @Test("libdeflate reads every member of a multi-member gzip, the same bytes as zlib")
    func multiMember() throws {
        let dir = TemporaryDirectory()
        let a = dir.write("a", text: lines(0..<300))
        let b = dir.write("b", text: lines(300..<500))
        #expect(Shell.run("/bin/sh", ["-c", "gzip -c \(a) > \(dir.path)/x.gz && gzip -c \(b) >> \(dir.path)/x.gz"]).status == 0)
        let whole = try #require(WholeGzip.decompress(path: dir.path + "/x.gz"))
        #expect(String(decoding: whole, as: UTF8.self) == lines(0..<500))
    }

    @Test("a truncated gzip is refused whole, so ingest streams it and keeps what came before")
    func truncated() throws {
        let dir = TemporaryDirectory()
        let a = dir.write("a", text: lines(0..<3_000))
        #expect(Shell.run("/bin/sh", ["-c", "gzip -c \(a) | head -c 20000 > \(dir.path)/t.gz"]).status == 0)
        #expect(WholeGzip.decompress(path: dir.path + "/t.gz") == nil)
        let (events, _) = try decodeFile(dir.path + "/t.gz")
        #expect(events.count > 100)
    }
}
