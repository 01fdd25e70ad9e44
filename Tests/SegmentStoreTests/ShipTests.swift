import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Builds stores and reads them back, for the ship tests.
enum ShipFixture {
    static let hour = Timestamp.nanosPerHour
    static let start: Int64 = 1_794_999_600_000_000_000

    static func event(_ n: Int, hour h: Int) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = "ev-\(n)"
        fields[.user] = "user-\(n % 3)"
        return AuditEvent(
            time: start + Int64(h) * hour + Int64(n) * 1_000, source: .k8sAudit, fields: fields,
            raw: Array("{\"n\":\(n),\"h\":\(h)}".utf8))
    }

    /// One writer run: `count` events from `first` in each of `hours`, then closed (sealed).
    static func ingest(_ directory: DataDirectory, hours: [Int], first: Int, count: Int) throws {
        let writer = try StoreWriter(directory: directory)
        for h in hours {
            for n in first..<(first + count) { _ = try writer.append(event(n, hour: h)) }
        }
        try writer.close()
    }

    /// Every event a reader serves, as "time raw" strings, sorted.
    static func events(_ directory: DataDirectory) throws -> [String] {
        let reader = StoreReader(directory: directory)
        var out: [String] = []
        for partition in try reader.partitions() {
            try reader.scan(partition: partition) { event in
                out.append("\(event.time) \(String(decoding: event.raw, as: UTF8.self))")
                return true
            }
        }
        return out.sorted()
    }

    /// The bytes of every file under `path`, by relative path.
    static func tree(_ path: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        func walk(_ relative: String) throws {
            let full = relative.isEmpty ? path : path + "/" + relative
            // A file does not list (ENOTDIR): read it.
            guard let names = try? FileHandle.listDirectory(full) else {
                out[relative] = try SegmentShipper.readAll(full)
                return
            }
            for name in names { try walk(relative.isEmpty ? name : relative + "/" + name) }
        }
        try walk("")
        return out
    }

    /// Flips one byte of the file at `path`.
    static func flipByte(_ path: String, at offset: Int) throws {
        let file = try FileHandle.openForUpdate(path)
        defer { file.close() }
        var byte: [UInt8] = []
        try file.read(into: &byte, count: 1, at: offset)
        let flipped = [byte[0] ^ 0xFF]
        try flipped.withUnsafeBytes { try file.write($0, at: offset) }
    }
}

@Suite("Shipping sealed segments")
struct ShipTests {
    @Test("ship copies every sealed segment and the chain; the copy serves the same events and verifies; a second ship copies nothing")
    func shipTwiceIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0, 1], first: 0, count: 50)
        try ShipFixture.ingest(source, hours: [1, 2], first: 50, count: 30)
        let first = try SegmentShipper(source: source, destination: dest).ship()
        #expect(first.shipped.count == 4)
        #expect(first.alreadyThere == 0)
        #expect(first.notShipped.isEmpty)
        #expect(first.bytesShipped > 0)
        let events = try ShipFixture.events(source)
        #expect(events.count == 50 * 2 + 30 * 2)
        #expect(try ShipFixture.events(dest) == events)
        let report = try StoreVerifier.verify(dest)
        #expect(report.isClean, "\(report.problems)")
        #expect(report.segments == 4)
        #expect(report.events == events.count)
        #expect(report.head == first.head)
        #expect(report.head == (try ChainLedger(path: source.chainPath)).head)

        let before = try ShipFixture.tree(dest.path)
        let second = try SegmentShipper(source: source, destination: dest).ship()
        #expect(second.shipped.isEmpty)
        #expect(second.alreadyThere == 4)
        #expect(try ShipFixture.tree(dest.path) == before)
    }

    @Test("after more ingest a ship copies only the new sealed segments, never the open one of a running writer")
    func shipsOnlyNewSealedSegments() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0], first: 0, count: 20)
        #expect(try SegmentShipper(source: source, destination: dest).ship().shipped == ["\(Timestamp.hourName(ShipFixture.start))/000001.seg"])
        try ShipFixture.ingest(source, hours: [0, 3], first: 20, count: 20)
        // A running writer with committed events: its segment is open, not chained.
        let writer = try StoreWriter(directory: source)
        for n in 100..<110 { _ = try writer.append(ShipFixture.event(n, hour: 3)) }
        try writer.commit()
        let report = try SegmentShipper(source: source, destination: dest).ship()
        #expect(report.shipped.count == 2)
        #expect(report.alreadyThere == 1)
        #expect(try ShipFixture.events(dest).count == 60)
        #expect(try ShipFixture.events(source).count == 70)
        try writer.close()
        let verified = try StoreVerifier.verify(dest)
        #expect(verified.isClean, "\(verified.problems)")
        let last = try SegmentShipper(source: source, destination: dest).ship()
        #expect(last.shipped.count == 1)
        #expect(try ShipFixture.events(dest) == (try ShipFixture.events(source)))
    }

    @Test("a file at DEST with other bytes is refused by name, and nothing else is written")
    func differentFileRefused() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0], first: 0, count: 20)
        _ = try SegmentShipper(source: source, destination: dest).ship()
        let shipped = dest.partitionsPath + "/" + Timestamp.hourName(ShipFixture.start) + "/000001.seg"
        try ShipFixture.flipByte(shipped, at: 40)
        #expect(!(try StoreVerifier.verify(dest)).isClean)
        try ShipFixture.ingest(source, hours: [5], first: 0, count: 5)
        let before = try ShipFixture.tree(dest.path)
        let error = try #require(throws: StoreError.self) { try SegmentShipper(source: source, destination: dest).ship() }
        #expect(error.message.contains(shipped))
        #expect(error.message.contains("differ"))
        #expect(error.message.contains("nothing was written"))
        #expect(try ShipFixture.tree(dest.path) == before)
    }

    @Test("DEST holding another store, or another store's shipped chain, is refused; a writer refuses a shipped copy")
    func foreignDestinationsRefused() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let other = DataDirectory(path: dir.path + "/other")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0], first: 0, count: 10)
        try ShipFixture.ingest(other, hours: [0], first: 500, count: 10)
        let own = try #require(throws: StoreError.self) { try SegmentShipper(source: source, destination: other).ship() }
        #expect(own.message.contains("store of its own"))
        _ = try SegmentShipper(source: other, destination: dest).ship()
        let foreign = try #require(throws: StoreError.self) { try SegmentShipper(source: source, destination: dest).ship() }
        #expect(foreign.message.contains("not a prefix"))
        let write = try #require(throws: StoreError.self) { try StoreWriter(directory: dest) }
        #expect(write.message.contains("read-only"))
        #expect(throws: StoreError.self) { try SegmentShipper(source: source, destination: source).ship() }
    }

    @Test("after compaction and retention at the source the copy keeps what it had, verifies, and readers serve each event once")
    func compactionAndRetentionAfterShip() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0, 30], first: 0, count: 20)
        try ShipFixture.ingest(source, hours: [0, 30], first: 20, count: 20)
        _ = try SegmentShipper(source: source, destination: dest).ship()
        let everything = try ShipFixture.events(source)
        let maintainer = try StoreWriter(directory: source)
        let compacted = try maintainer.compact()
        #expect(compacted.segmentsIn == 4)
        _ = try maintainer.applyRetention(try RetentionPolicy(parsing: ["1d"]), now: ShipFixture.start + 40 * ShipFixture.hour)
        try maintainer.close()
        #expect(try ShipFixture.events(source).count == 40)
        let report = try SegmentShipper(source: source, destination: dest).ship()
        #expect(report.shipped.count == 1)  // the compacted hour 30
        // The archive keeps hour 0 (dropped at the source) and both forms of hour 30; readers
        // skip the originals the compacted segment replaces.
        #expect(try ShipFixture.events(dest) == everything)
        let verified = try StoreVerifier.verify(dest)
        #expect(verified.isClean, "\(verified.problems)")
        #expect(verified.notes.contains { $0.contains("dropped at the source by compaction after it was shipped") })
        // Hour 0's compacted segment was sealed and dropped by retention between two ships.
        #expect(verified.notes.contains { $0.contains("1 segment sealed and dropped at the source before any ship") })
    }

    @Test("verify of a copy notes retention at the source before and after a ship, and names a shipped segment removed")
    func verifyNamesMissingAndGaps() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        let day = try RetentionPolicy(parsing: ["1d"])
        try ShipFixture.ingest(source, hours: [0, 30], first: 0, count: 10)
        var maintainer = try StoreWriter(directory: source)
        _ = try maintainer.applyRetention(day, now: ShipFixture.start + 40 * ShipFixture.hour)
        try maintainer.close()
        _ = try SegmentShipper(source: source, destination: dest).ship()
        try ShipFixture.ingest(source, hours: [60], first: 0, count: 10)
        maintainer = try StoreWriter(directory: source)
        _ = try maintainer.applyRetention(day, now: ShipFixture.start + 80 * ShipFixture.hour)
        try maintainer.close()
        #expect(try SegmentShipper(source: source, destination: dest).ship().shipped.count == 1)
        let clean = try StoreVerifier.verify(dest)
        #expect(clean.isClean, "\(clean.problems)")
        #expect(clean.notes.contains { $0.contains("1 segment sealed and dropped at the source before any ship (retention gaps)") })
        let kept = Timestamp.hourName(ShipFixture.start + 30 * ShipFixture.hour) + "/000001.seg"
        #expect(clean.notes.contains { $0.hasPrefix(kept) && $0.contains("dropped at the source by retention after it was shipped") })
        #expect(try ShipFixture.events(dest).count == 20)
        let key = Timestamp.hourName(ShipFixture.start + 60 * ShipFixture.hour) + "/000001.seg"
        try FileHandle.remove(dest.partitionsPath + "/" + key)
        let report = try StoreVerifier.verify(dest)
        #expect(report.problems.contains { $0.contains(key) && $0.contains("missing: shipped") })
        let problems = try StoreReader(directory: dest).anyIntegrityProblems()
        #expect(problems.contains { $0.message.contains("missing: shipped") })
    }
}
