import AuditCore
import AuditIngest
import SegmentStore
import Testing
import TestSupport

/// Re-ingesting the same input does not repeat its rejects in the quarantine.
@Suite("Quarantine dedupe")
struct QuarantineDedupeTests {
    @Test("the same reject (input, offset, reason, bytes) is kept once across re-ingests")
    func reingestKeepsOneCopy() throws {
        let dir = TemporaryDirectory()
        let broken = #"{"kind":"Event","auditID":"x""#
        let file = dir.write("broken.jsonl", text: broken + "\n" + broken + "\n")
        let first = try ingest([file], into: dir)
        #expect(first.summary.rejected == 2)
        _ = try ingest([file], into: dir)
        _ = try ingest([file], into: dir)
        let entries = Quarantine.read(path: dir.path + "/data/" + FileNames.rejects)
        // Two rejects at different offsets, each once.
        #expect(entries.count == 2)
        #expect(Set(entries.map(\.rejection.offset)).count == 2)
    }
}
