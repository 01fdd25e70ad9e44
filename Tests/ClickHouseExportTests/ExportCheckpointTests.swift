import Foundation
import Testing
import TestSupport
@testable import ClickHouseExport

@Suite("Export checkpoint")
struct ExportCheckpointTests {
    @Test("a checkpoint with a pending batch reads back as it was written, through a real file")
    func roundTrip() throws {
        let dir = TemporaryDirectory("logq-ckpt")
        var checkpoint = ExportCheckpoint(target: "http://127.0.0.1:8123 logq.events", scope: "history since=30d until=- query=verb=delete ns=prod")
        checkpoint.done = "1796487621776977427"
        checkpoint.pending = .init(token: "\(checkpoint.id)-1796487621776977427-1796487700000000000", rows: 10_000, end: "1796487700000000000", firstSecond: 1_796_487_621, lastSecond: 1_796_487_700)
        let path = dir.path + "/export.ckpt"
        try checkpoint.save(path)
        let loaded = try #require(try ExportCheckpoint.load(path))
        #expect(loaded == checkpoint)
        checkpoint.pending = nil
        checkpoint.done = nil
        try checkpoint.save(path)
        #expect(try ExportCheckpoint.load(path) == checkpoint)
        #expect(try ExportCheckpoint.load(dir.path + "/missing") == nil)
    }

    @Test("ids are 16 hex digits and differ between checkpoints")
    func ids() {
        let ids = (0..<50).map { _ in ExportCheckpoint.randomID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test(
        "a damaged checkpoint is an error that names the file and what was expected",
        arguments: [
            ("not a checkpoint\n", "line 1"),
            ("logq-clickhouse-checkpoint 1\ntarget x t\nscope live\nid 1\n", "'done'"),
            ("logq-clickhouse-checkpoint 1\ntarget x t\nscope live\nid 1\ndone -\npending tok ten 5 1 2\n", "pending line"),
            ("logq-clickhouse-checkpoint 1\ntarget x t\nscope live\nid\ndone -\n", "line 4"),
        ])
    func damaged(text: String, expected: String) throws {
        do {
            _ = try ExportCheckpoint(text: text, path: "/tmp/x.ckpt")
            Issue.record("read a damaged checkpoint: \(text)")
        } catch {
            #expect(error.code == .checkpoint)
            #expect(error.message.contains("/tmp/x.ckpt"), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }
}
