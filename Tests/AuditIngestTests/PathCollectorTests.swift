import AuditCore
import Foundation
import Testing
import TestSupport

@testable import AuditIngest

/// Directory walks: each directory read once, whatever symlinks lead to it.
@Suite("PathCollector")
struct PathCollectorTests {
    /// `root/logs/a.jsonl` with `logs/up -> ..` and `logs/self -> .` (loops) and
    /// `root/zz-alias -> logs` (a second way into `logs`).
    static func tree() throws -> (dir: TemporaryDirectory, root: String, file: String) {
        let dir = TemporaryDirectory()
        let file = dir.write("root/logs/a.jsonl", text: IngestorTests.lines(0..<1))
        let root = dir.path + "/root"
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: root + "/logs/up", withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: root + "/logs/self", withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: root + "/zz-alias", withDestinationPath: "logs")
        return (dir, root, file)
    }

    @Test("a directory symlink loop is followed once, and each skipped way in is reported once")
    func symlinkLoop() throws {
        let tree = try Self.tree()
        let (root, file) = (tree.root, tree.file)
        var skipped: [(String, String)] = []
        let inputs = try PathCollector.expand([root]) { skipped.append(($0, $1)) }
        #expect(inputs == [.file(file)])
        #expect(skipped.map(\.0) == [root + "/logs/self", root + "/logs/up", root + "/zz-alias"])
        #expect(skipped[0].1 == "a directory symlink loop back to \(root)/logs, already read")
        #expect(skipped[2].1 == "the same directory as \(root)/logs, already read")
        withExtendedLifetime(tree.dir) {}
    }

    @Test("ingest of a directory with symlink loops stores each event once, warns once per loop, fails nothing")
    func ingestWithLoops() throws {
        let tree = try Self.tree()
        let run = try ingest([tree.root])
        #expect(run.summary.stored == 1)
        #expect(run.summary.duplicates == 0)
        #expect(run.errors.isEmpty)
        #expect(run.summary.failedInputs == 0)
        #expect(run.summary.skippedDirectories == 3)
        #expect(run.warnings.count == 3)
        withExtendedLifetime(tree.dir) {}
    }
}
