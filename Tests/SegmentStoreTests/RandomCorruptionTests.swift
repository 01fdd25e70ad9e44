import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import SegmentStore

/// Bit flips and truncations at seeded random offsets of a sealed and of an active segment:
/// the damaged block is reported (segment, offset) and skipped, every other block reads, and
/// nothing traps. The 16-byte file header is not a target here: a segment whose magic or
/// version does not check is refused with a clear error (`RecoveryTests.versionCheck`).
@Suite("Corruption at random offsets")
struct RandomCorruptionTests {
    /// One block frame of a segment: where it is and the events it holds.
    struct Frame {
        let range: Range<Int>
        let events: [AuditEvent]
    }

    /// A store of one partition holding one segment of five blocks (five commits), sealed by
    /// `close()` when `sealed`, else left as a crashed writer leaves it (a new writer would
    /// recover it: this test reads it as a query beside a live writer does).
    func store(_ dir: TemporaryDirectory, sealed: Bool, seed: UInt64) throws -> (path: String, events: [AuditEvent], frames: [Frame]) {
        var rng = SeededGenerator(seed: seed)
        let directory = DataDirectory(path: dir.path)
        var all: [AuditEvent] = []
        if sealed {
            let writer = try StoreWriter(directory: directory)
            for b in 0..<5 {
                let batch = (0..<120).map { n -> AuditEvent in
                    let event = EventBuilder.random(using: &rng, hours: 1)
                    // One source, so each commit makes exactly one block; IDs of their own.
                    var fields = event.fields
                    fields[.id] = "event-\(b)-\(n)"
                    return AuditEvent(time: event.time, source: .k8sAudit, fields: fields, raw: event.raw)
                }
                for event in batch { #expect(try writer.append(event) == .stored) }
                try writer.commit()
                all += batch
            }
            try writer.close()
        } else {
            let batches = (0..<5).map { _ in (0..<120).map { _ in EventBuilder.random(using: &rng, hours: 1) } }
            all = batches.flatMap { $0 }
            _ = try FileHandle.makeDirectory(dir.path + "/partitions")
            let partition = dir.path + "/partitions/" + Timestamp.hourName(all.map(\.time).min()!)
            _ = try FileHandle.makeDirectory(partition)
            let writer = try SegmentWriter(creating: partition + "/000001.seg")
            for batch in batches { try writer.append(events: batch) }
            try writer.sync()
            writer.close()
        }
        let segments = try StoreReader(directory: directory).partitions().flatMap { try StoreReader(directory: directory).segments(of: $0) }
        #expect(segments.count == 1)
        let path = segments[0]
        var frames: [Frame] = []
        _ = try SegmentReader(path: path).forEachBlock(wholeFrames: true) { offset, _, body in
            frames.append(Frame(range: offset..<(offset + SegmentFormat.frameHeaderSize + body.count), events: Block.decode(body) ?? []))
            return true
        }
        #expect(frames.count == 5)
        #expect(frames.reduce(0) { $0 + $1.events.count } == all.count)
        return (path, all, frames)
    }

    /// Counts of each event (by raw bytes and time), to compare multisets.
    func tally(_ events: [AuditEvent]) -> [String: Int] {
        var out: [String: Int] = [:]
        for e in events { out["\(e.time)/\(e.source.rawValue)/\(Hash64.hash(e.raw))/\(e.raw.count)", default: 0] += 1 }
        return out
    }

    /// A seeded random offset past the file header of the segment at `path`, and the generator
    /// for further draws.
    func randomOffset(in path: String, seed: UInt64) throws -> (offset: Int, rng: SeededGenerator) {
        var rng = SeededGenerator(seed: seed)
        let size = try FileHandle.openForReading(path).size()
        return (Int.random(in: SegmentFormat.headerSize..<size, using: &rng), rng)
    }

    func flip(_ path: String, at offset: Int, bit: Int) {
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        var byte: UInt8 = 0
        #expect(pread(fd, &byte, 1, off_t(offset)) == 1)
        byte ^= UInt8(1 << bit)
        #expect(pwrite(fd, &byte, 1, off_t(offset)) == 1)
    }

    @Test("a bit flipped at a random offset loses at most the block it hit, which is reported", arguments: Array(1...24) as [UInt64])
    func randomBitFlip(seed: UInt64) throws {
        for sealed in [true, false] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let (path, written, frames) = try store(dir, sealed: sealed, seed: seed)
            let target = try randomOffset(in: path, seed: seed &* 7919 &+ (sealed ? 1 : 0))
            let offset = target.offset
            var rng = target.rng
            flip(path, at: offset, bit: Int.random(in: 0..<8, using: &rng))

            let (read, report) = try readAll(DataDirectory(path: dir.path))
            let hit = frames.first { $0.range.contains(offset) }
            var expected = tally(written)
            var got = tally(read)
            // Nothing read that was not written, nothing read twice.
            for (key, n) in got { #expect(n <= expected[key] ?? 0, "read an event that was not written (offset \(offset))") }
            // Every block but the one hit reads whole.
            for frame in frames where frame.range != hit?.range {
                for (key, n) in tally(frame.events) { #expect((got[key] ?? 0) >= n, "lost an event of an undamaged block (offset \(offset), sealed \(sealed))") }
            }
            for (key, n) in got { expected[key, default: 0] -= n }
            got = expected.filter { $0.value > 0 }
            let lost = got.values.reduce(0, +)
            if let hit, !(hit.range.lowerBound + 8..<hit.range.lowerBound + 12).contains(offset) {
                // Every byte of a block frame but the frame CRC (which queries do not read: they
                // check the block's head CRC and its column CRCs) is checked on the way in.
                #expect(lost == hit.events.count, "a flip at \(offset) inside a block lost \(lost) of its \(hit.events.count) events")
            }
            if lost > 0 {
                // What was lost is the hit block's, and the block is reported by segment and offset.
                #expect(lost <= hit?.events.count ?? 0)
                let problem = report.problems.first { $0.path == path && $0.offset == hit?.range.lowerBound }
                #expect(problem != nil, "lost \(lost) events without a report naming the block (offset \(offset), problems \(report.problems))")
            }
        }
    }

    @Test("a segment truncated at a random offset keeps every block before the cut", arguments: Array(1...12) as [UInt64])
    func randomTruncation(seed: UInt64) throws {
        for sealed in [true, false] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let (path, written, frames) = try store(dir, sealed: sealed, seed: seed)
            let size = try FileHandle.openForReading(path).size()
            let (cut, _) = try randomOffset(in: path, seed: seed &* 104_729 &+ (sealed ? 1 : 0))
            #expect(truncate(path, off_t(cut)) == 0)

            let (read, report) = try readAll(DataDirectory(path: dir.path))
            let whole = frames.filter { $0.range.upperBound <= cut }.flatMap(\.events)
            #expect(tally(read) == tally(whole), "cut at \(cut) of \(size) (sealed \(sealed)): read \(read.count) events, expected \(whole.count)")
            #expect(read.count <= written.count)
            // A cut inside a block leaves a torn tail: not yet written, not damage.
            if frames.contains(where: { $0.range.lowerBound < cut && cut < $0.range.upperBound }) {
                #expect(report.tornSegments == 1)
                #expect(report.problems.isEmpty)
            }
        }
    }
}
