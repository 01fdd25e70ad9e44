import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import SegmentStore

@Suite("Torn tails and damaged blocks")
struct RecoveryTests {
    /// Writes two blocks to an unsealed segment, as a writer that crashed before sealing leaves it.
    func twoBlockSegment(_ dir: TemporaryDirectory) throws -> (path: String, first: [AuditEvent], second: [AuditEvent]) {
        var rng = SeededGenerator(seed: 99)
        let first = (0..<300).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        let second = (0..<300).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        _ = try FileHandle.makeDirectory(dir.path + "/partitions")
        let start = first.map(\.time).min()!
        let partition = dir.path + "/partitions/" + Timestamp.hourName(start)
        _ = try FileHandle.makeDirectory(partition)
        let path = partition + "/000001.seg"
        let writer = try SegmentWriter(creating: path)
        try writer.append(events: first)
        try writer.append(events: second)
        try writer.sync()
        writer.close()
        return (path, first, second)
    }

    func scanSegment(_ path: String) throws -> (events: [AuditEvent], result: SegmentScanResult) {
        let reader = try SegmentReader(path: path)
        var events: [AuditEvent] = []
        let result = try reader.forEachBlock { _, _, body in
            events += Block.decode(body) ?? []
            return true
        }
        return (events, result)
    }

    @Test("a torn final block is treated as not yet written", arguments: [1, 12, 100, 2_000])
    func tornTail(bytesCut: Int) throws {
        let dir = TemporaryDirectory()
        let (path, first, _) = try twoBlockSegment(dir)
        let size = try FileHandle.openForReading(path).size()
        #expect(truncate(path, off_t(size - bytesCut)) == 0)
        let (events, result) = try scanSegment(path)
        #expect(result.tornTail)
        #expect(result.problems.isEmpty)
        let same = sortedForComparison(events) == sortedForComparison(first)
        #expect(same, "events read differ from events written")
    }

    @Test("an intact unsealed segment reads completely")
    func unsealed() throws {
        let dir = TemporaryDirectory()
        let (path, first, second) = try twoBlockSegment(dir)
        let (events, result) = try scanSegment(path)
        #expect(!result.tornTail)
        #expect(!result.sealed)
        let same = sortedForComparison(events) == sortedForComparison(first + second)
        #expect(same, "events read differ from events written")
    }

    @Test("a flipped byte in the first block is reported with its offset and the second block still reads")
    func bitFlip() throws {
        let dir = TemporaryDirectory()
        let (path, _, second) = try twoBlockSegment(dir)
        let fd = open(path, O_RDWR)
        var byte: UInt8 = 0
        let target = off_t(SegmentFormat.headerSize + SegmentFormat.frameHeaderSize + 100)
        pread(fd, &byte, 1, target)
        byte ^= 0x10
        pwrite(fd, &byte, 1, target)
        close(fd)
        let (events, result) = try scanSegment(path)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.offset == SegmentFormat.headerSize)
        #expect(result.problems.first?.message.contains("checksum") == true)
        let same = sortedForComparison(events) == sortedForComparison(second)
        #expect(same, "events read differ from events written")
    }

    @Test("a flipped byte in a column of the first block passes the head check, then its column CRC reports the block (segment, offset) and the second block still reads")
    func columnBitFlip() throws {
        let dir = TemporaryDirectory()
        let (path, _, second) = try twoBlockSegment(dir)
        var secondFrame = 0
        _ = try SegmentReader(path: path).forEachBlock { offset, _, _ in
            if offset > SegmentFormat.headerSize { secondFrame = offset }
            return true
        }
        #expect(secondFrame > 0)
        // Ten bytes before the second frame: inside the first block's last (raw) column.
        let fd = open(path, O_RDWR)
        var byte: UInt8 = 0
        let target = off_t(secondFrame - 10)
        pread(fd, &byte, 1, target)
        byte ^= 0x04
        pwrite(fd, &byte, 1, target)
        close(fd)
        let (head, headResult) = try scanSegment(path)
        #expect(headResult.problems.isEmpty)  // the segment reader checks heads only
        let sameHead = sortedForComparison(head) == sortedForComparison(second)  // Block.decode failed on the first
        #expect(sameHead, "events read differ from events written")
        let (read, report) = try readAll(DataDirectory(path: dir.path))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.path == path)
        #expect(report.problems.first?.offset == SegmentFormat.headerSize)
        #expect(report.problems.first?.message.contains("checksum mismatch") == true)
        let same = sortedForComparison(read) == sortedForComparison(second)
        #expect(same, "events read differ from events written")
    }

    @Test("a store whose last segment lost its tail opens, reads the rest, and accepts new writes")
    func storeReopensAfterTornTail() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path)
        let (path, first, _) = try twoBlockSegment(dir)
        let size = try FileHandle.openForReading(path).size()
        #expect(truncate(path, off_t(size - 50)) == 0)
        let writer = try StoreWriter(directory: directory)
        // Opening recovered the crashed writer's segment: its intact block, sealed and chained.
        #expect(writer.recovery.segmentsRecovered == 1)
        #expect(writer.recovery.blocksRecovered == 1)
        // Re-appending the surviving events finds them as duplicates.
        for event in first { #expect(try writer.append(event) == .duplicate) }
        try writer.close()
        let (read, report) = try readAll(directory)
        #expect(report.tornSegments == 0)
        #expect(try StoreVerifier(directory: directory).verify().isClean)
        let same = sortedForComparison(read) == sortedForComparison(first)
        #expect(same, "events read differ from events written")
    }

    @Test("a segment of another format version is refused with a clear error")
    func versionCheck() throws {
        let dir = TemporaryDirectory()
        var header = SegmentFormat.header()
        header[8] = 99
        let path = dir.write("x.seg", header)
        #expect {
            _ = try SegmentReader(path: path)
        } throws: { error in
            (error as? StoreError)?.code == .unsupportedVersion
                && "\(error)".contains("format version 99")
        }
    }
}
