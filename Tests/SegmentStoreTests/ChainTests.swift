import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import SegmentStore

@Suite("Hash chain and logq verify")
struct ChainTests {
    /// A store written by three writers: three segments in the first hour, one in the second.
    func store(_ dir: TemporaryDirectory) throws -> DataDirectory {
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 21)
        let start: Int64 = 1_794_999_600_000_000_000
        for hours in [1, 1, 2] {
            let writer = try StoreWriter(directory: directory)
            for _ in 0..<200 { _ = try writer.append(EventBuilder.random(using: &rng, start: start, hours: hours)) }
            try writer.close()
        }
        return directory
    }

    func segmentPaths(_ directory: DataDirectory) throws -> [String] {
        let reader = StoreReader(directory: directory)
        return try reader.partitions().flatMap { try reader.segments(of: $0) }
    }

    @Test("a store written normally verifies clean, and its chain has one seal per segment")
    func clean() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.isClean, "\(report.problems)")
        let paths = try segmentPaths(directory)
        #expect(report.segments == paths.count)
        #expect(report.chainEntries == paths.count)
        #expect(report.events == 600)
        let ledger = try ChainLedger(path: directory.chainPath)
        #expect(ledger.entries.map(\.sequence) == Array(1...UInt64(paths.count)))
        #expect(ledger.head == report.head)
        #expect(report.head != .zero)
    }

    @Test("one byte edited in a sealed segment is reported as altered, with the segment's name")
    func editedByte() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let victim = try segmentPaths(directory)[1]
        // Flip a byte inside the first block's compressed payload.
        let fd = open(victim, O_RDWR)
        var byte: UInt8 = 0
        pread(fd, &byte, 1, 200)
        byte ^= 0x20
        pwrite(fd, &byte, 1, 200)
        close(fd)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(!report.isClean)
        let name = victim.split(separator: "/").suffix(2).joined(separator: "/")
        #expect(report.problems.contains { $0.hasPrefix(name) && $0.contains("altered") }, "\(report.problems)")
        // The other segments are not blamed.
        #expect(report.problems.allSatisfy { $0.hasPrefix(name) })
    }

    @Test("a deleted segment is reported as missing, with its chain number and events")
    func deletedSegment() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let victim = try segmentPaths(directory)[0]
        #expect(unlink(victim) == 0)
        let report = try StoreVerifier(directory: directory).verify()
        let name = victim.split(separator: "/").suffix(2).joined(separator: "/")
        #expect(report.problems.contains { $0.hasPrefix(name) && $0.contains("missing") }, "\(report.problems)")
    }

    @Test("two segments swapped by name are reported as reordered")
    func swapped() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let paths = try segmentPaths(directory)
        let (a, b) = (paths[0], paths[1])
        #expect(a.split(separator: "/").dropLast().last == b.split(separator: "/").dropLast().last, "both in one partition")
        #expect(rename(a, a + ".x") == 0 && rename(b, a) == 0 && rename(a + ".x", b) == 0)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.problems.contains { $0.contains("renamed, swapped or reordered") }, "\(report.problems)")
    }

    @Test("a segment added behind the store's back is reported")
    func addedSegment() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let source = try segmentPaths(directory)[2]
        let copy = PowerLossDisk.parent(source) + "/000099.seg"
        let bytes = try readFile(source)
        try writeFile(copy, bytes)
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.problems.contains { $0.contains("000099.seg") && $0.contains("not in the chain") }, "\(report.problems)")
    }

    @Test("an edited chain line is reported with its line number, and --expect-head catches a rewritten history")
    func editedLedger() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let clean = try StoreVerifier(directory: directory).verify()
        var text = String(decoding: try readFile(directory.chainPath), as: UTF8.self)
        text = text.replacingFirst("events=200", with: "events=199")
        try writeFile(directory.chainPath, Array(text.utf8))
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.problems.contains { $0.hasPrefix("CHAIN line 1") }, "\(report.problems)")
        let other = SHA256Digest.of(Array("elsewhere".utf8))
        let mismatch = try StoreVerifier(directory: directory).verify(expectHead: other)
        #expect(mismatch.problems.contains { $0.contains("expected \(other)") })
        #expect(clean.isClean)
    }

    @Test("retention and compaction are recorded in the chain and keep verify clean")
    func lifecycleKeepsChain() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        let before = try storedKeys(directory)
        let compactor = try StoreWriter(directory: directory)
        let result = try compactor.compact()
        try compactor.close()
        // The hour of three segments is merged into one; the other hour's one segment of small
        // blocks is rewritten with them merged.
        #expect(result.segmentsIn == 4 && result.segmentsOut == 2, "\(result)")
        #expect(try storedKeys(directory) == before)
        #expect(try StoreVerifier(directory: directory).verify().isClean)
        let ledger = try ChainLedger(path: directory.chainPath)
        #expect(ledger.entries.filter { $0.kind == .drop }.map(\.reason) == ["compaction", "compaction", "compaction", "compaction"])
    }

    @Test("a torn last chain line is not yet written: the next append replaces it")
    func tornLedgerLine() throws {
        let dir = TemporaryDirectory()
        let directory = try store(dir)
        var bytes = try readFile(directory.chainPath)
        let head = try ChainLedger(path: directory.chainPath).head
        bytes += Array("seal 4 2026-11-24T12/000009.seg sha256=00".utf8)
        try writeFile(directory.chainPath, bytes)
        let torn = try ChainLedger(path: directory.chainPath)
        #expect(torn.problems.isEmpty)
        #expect(torn.head == head)
        let writer = try StoreWriter(directory: directory)
        _ = try writer.append(AuditEvent(time: 1_794_999_600_000_000_000, source: .k8sAudit, raw: Array("{}".utf8)))
        try writer.close()
        let report = try StoreVerifier(directory: directory).verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(report.chainEntries == 5)
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    let file = try FileHandle.openForReading(path)
    var bytes: [UInt8] = []
    try file.read(into: &bytes, count: try file.size(), at: 0)
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0)
    bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
