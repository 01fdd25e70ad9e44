import AuditCore
import SegmentStore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import AuditIngest

/// Follow mode: growing files, rotation, restarts, each event stored exactly once.
@Suite("Follow mode")
struct FollowerTests {
    static func line(_ n: Int) -> String {
        EventBuilder.k8sLine(auditID: "f-\(n)", verb: "get", user: "u", resource: "pods", namespace: "n", name: "p\(n)", time: "2025-03-02T10:00:00Z")
    }

    static func append(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        precondition(fd >= 0)
        Array(text.utf8).withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func stored(_ data: DataDirectory) throws -> [String] {
        var ids: [String] = []
        let reader = StoreReader(directory: data)
        for partition in try reader.partitions() {
            try reader.scan(partition: partition) { ids.append($0.fields[.id]); return true }
        }
        return ids.sorted { Int($0.dropFirst(2))! < Int($1.dropFirst(2))! }
    }

    @Test("appended lines, a half-written line, rotation by rename and by copytruncate: every event once")
    func rotation() throws {
        let dir = TemporaryDirectory()
        let data = DataDirectory(path: dir.path + "/data")
        let log = dir.path + "/audit.log"
        let writer = try StoreWriter(directory: data)
        let follower = Follower(paths: [log], writer: writer, directory: data, onRejection: { Issue.record("rejected: \($0)") })
        #expect(try follower.poll() == 0)  // not there yet
        Self.append(log, Self.line(0) + "\n" + Self.line(1) + "\n")
        #expect(try follower.poll() == 2)
        // Half a line: kept back until its newline arrives.
        let half = Self.line(2)
        Self.append(log, String(half.prefix(40)))
        #expect(try follower.poll() == 0)
        Self.append(log, String(half.dropFirst(40)) + "\n" + Self.line(3))
        #expect(try follower.poll() == 1)
        // Rename + create: line 3 (no newline) is finished from the old file, then the new one.
        #expect(rename(log, log + ".1") == 0)
        Self.append(log, Self.line(4) + "\n")
        #expect(try follower.poll() == 2)
        // copytruncate: the file is copied away and emptied in place, then written again.
        #expect(truncate(log, 0) == 0)
        #expect(try follower.poll() == 0)
        Self.append(log, Self.line(5) + "\n")
        #expect(try follower.poll() == 1)
        try writer.close()
        #expect(try Self.stored(data) == (0...5).map { "f-\($0)" })
    }

    @Test("a restart resumes at the checkpoint: nothing lost, nothing twice")
    func restart() throws {
        let dir = TemporaryDirectory()
        let data = DataDirectory(path: dir.path + "/data")
        let log = dir.path + "/audit.log"
        Self.append(log, (0..<3).map { Self.line($0) + "\n" }.joined())
        do {
            let writer = try StoreWriter(directory: data)
            let follower = Follower(paths: [log], writer: writer, directory: data, onRejection: { _ in })
            #expect(try follower.poll() == 3)
            try writer.close()
        }
        // Written while logq was stopped.
        Self.append(log, (3..<5).map { Self.line($0) + "\n" }.joined())
        let writer = try StoreWriter(directory: data)
        let follower = Follower(paths: [log], writer: writer, directory: data, onRejection: { _ in })
        #expect(try follower.poll() == 2)
        #expect(follower.summary.duplicates == 0)
        try writer.close()
        #expect(try Self.stored(data) == (0..<5).map { "f-\($0)" })
        // A lost checkpoint re-reads the file; dedupe stores nothing twice.
        let writer2 = try StoreWriter(directory: data)
        let checkpoints = data.path + "/" + FileNames.checkpoints
        #expect(Shell.run("/bin/rm", ["-rf", checkpoints]).status == 0)
        let again = Follower(paths: [log], writer: writer2, directory: data, onRejection: { _ in })
        #expect(try again.poll() == 5)
        #expect(again.summary.duplicates == 5)
        try writer2.close()
        #expect(try Self.stored(data) == (0..<5).map { "f-\($0)" })
    }
}
