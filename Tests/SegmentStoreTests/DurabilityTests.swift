import AuditCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import SegmentStore

/// The identity of an event for exactly-once checks: its ID and its content.
struct EventKey: Hashable {
    var id: UInt64
    var content: UInt64
    init(_ event: AuditEvent) {
        id = event.identityKey
        content = event.contentHash
    }
}

/// Every event of a store, counted by identity.
func storedKeys(_ directory: DataDirectory) throws -> [EventKey: Int] {
    var counts: [EventKey: Int] = [:]
    let reader = StoreReader(directory: directory)
    for partition in try reader.partitions() {
        try reader.scan(partition: partition) { event in
            counts[EventKey(event), default: 0] += 1
            return true
        }
    }
    return counts
}

/// Tests that install the process-wide I/O seam run one at a time.
@Suite("Durability: power loss, fsync failure, I/O errors", .serialized)
struct DurabilityTests {
    /// A small store's life: two commits, a second writer with duplicates, a compaction.
    /// Returns the events of each acknowledged step with the operation count at which it was
    /// acknowledged.
    func scenario(_ directory: DataDirectory, seed: UInt64) throws -> [(events: [AuditEvent], ackedAt: Int, disk: Int)] {
        var rng = SeededGenerator(seed: seed)
        func batch(_ n: Int) -> [AuditEvent] { (0..<n).map { _ in EventBuilder.random(using: &rng, hours: 2) } }
        let disk = IOHooks.observer as! PowerLossDisk
        var acks: [(events: [AuditEvent], ackedAt: Int, disk: Int)] = []
        let first = try StoreWriter(directory: directory)
        let a = batch(120)
        for e in a { _ = try first.append(e) }
        try first.commit()
        acks.append((a, disk.count, 0))
        let b = batch(120)
        for e in b { _ = try first.append(e) }
        try first.commit()
        acks.append((b, disk.count, 0))
        try first.close()
        let second = try StoreWriter(directory: directory)
        let c = batch(60) + a.prefix(40)
        for e in c { _ = try second.append(e) }
        try second.close()
        acks.append((c, disk.count, 0))
        let third = try StoreWriter(directory: directory)
        _ = try third.compact()
        try third.close()
        return acks
    }

    @Test("after a power loss at every I/O operation, every acknowledged event is there exactly once and verify is clean", arguments: [1, 2] as [UInt64])
    func powerLossAtEveryOperation(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        let disk = PowerLossDisk(root: dir.path)
        IOHooks.observer = disk
        let acks: [(events: [AuditEvent], ackedAt: Int, disk: Int)]
        do {
            defer { IOHooks.observer = nil }
            acks = try scenario(DataDirectory(path: dir.path + "/data"), seed: seed)
        }
        let everything = Set(acks.flatMap { $0.events.map(EventKey.init) })
        #expect(disk.count > 40, "the scenario should take many I/O operations, took \(disk.count)")
        var checked = 0
        for point in 0...disk.count {
            for variant in PowerLossDisk.Variant.allCases {
                let target = TemporaryDirectory("logq-crash")
                disk.materialize(prefix: point, variant: variant, seed: seed &* 7919 &+ UInt64(point), into: target.path)
                let directory = DataDirectory(path: target.path + "/data")
                let acknowledged = Set(acks.filter { $0.ackedAt <= point }.flatMap { $0.events.map(EventKey.init) })
                // Reopening runs recovery; closing seals and chains what it recovered.
                let writer = try StoreWriter(directory: directory)
                try writer.close()
                let report = try StoreVerifier(directory: directory).verify()
                #expect(report.isClean, "crash at operation \(point) (\(variant)): \(report.problems)")
                let stored = try storedKeys(directory)
                let missing = acknowledged.filter { stored[$0] == nil }.count
                let doubled = stored.filter { $0.value > 1 }.count
                let foreign = stored.keys.filter { !everything.contains($0) }.count
                #expect(missing == 0, "crash at operation \(point) (\(variant)): \(missing) acknowledged events missing")
                #expect(doubled == 0, "crash at operation \(point) (\(variant)): \(doubled) events stored twice")
                #expect(foreign == 0, "crash at operation \(point) (\(variant)): \(foreign) events never written")
                checked += 1
            }
        }
        #expect(checked == (disk.count + 1) * PowerLossDisk.Variant.allCases.count)
    }

    @Test("a failed fsync stops the writer for good: nothing after it is acknowledged, everything before it survives")
    func fsyncFailureIsFinal() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 5)
        let disk = PowerLossDisk(root: dir.path)
        IOHooks.observer = disk
        defer { IOHooks.observer = nil }
        let writer = try StoreWriter(directory: directory)
        let safe = (0..<100).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        for e in safe { _ = try writer.append(e) }
        try writer.commit()
        // Fail the next file fsync.
        let late = (0..<100).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        for e in late { _ = try writer.append(e) }
        disk.failNext { if case .sync = $0 { true } else { false } }
        let error = #expect(throws: StoreError.self) { try writer.commit() }
        #expect(error?.code == .fsyncFailed)
        #expect(error?.description.contains("acknowledged nothing further") == true)
        // Never retried, never acknowledged: every later call fails the same way.
        #expect(throws: StoreError.self) { try writer.commit() }
        #expect(throws: StoreError.self) { _ = try writer.append(late[0]) }
        #expect(throws: StoreError.self) { try writer.close() }
        IOHooks.observer = nil
        writer.abandonForTesting()  // the process exits: its lock goes with it
        let reopened = try StoreWriter(directory: directory)
        try reopened.close()
        let stored = try storedKeys(directory)
        for e in safe { #expect(stored[EventKey(e)] == 1) }
        #expect(stored.values.allSatisfy { $0 == 1 })
        #expect(try StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("a full disk (ENOSPC on write) fails the ingest with a clear error; the store reopens with everything acknowledged")
    func diskFull() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 6)
        let disk = PowerLossDisk(root: dir.path)
        IOHooks.observer = disk
        defer { IOHooks.observer = nil }
        let writer = try StoreWriter(directory: directory)
        let safe = (0..<100).map { _ in EventBuilder.random(using: &rng, hours: 1) }
        for e in safe { _ = try writer.append(e) }
        try writer.commit()
        for _ in 0..<100 { _ = try writer.append(EventBuilder.random(using: &rng, hours: 1)) }
        disk.failNext(with: ENOSPC) { if case .write = $0 { true } else { false } }
        let error = #expect(throws: StoreError.self) { try writer.commit() }
        #expect(error?.description.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(throws: StoreError.self) { try writer.close() }
        IOHooks.observer = nil
        writer.abandonForTesting()  // the process exits: its lock goes with it
        let reopened = try StoreWriter(directory: directory)
        try reopened.close()
        let stored = try storedKeys(directory)
        for e in safe { #expect(stored[EventKey(e)] == 1) }
        #expect(stored.values.allSatisfy { $0 == 1 })
        #expect(try StoreVerifier(directory: directory).verify().isClean)
    }

    @Test("a compaction that fails after its rename is finished by the next writer; readers never see an event twice")
    func interruptedCompaction() throws {
        let dir = TemporaryDirectory()
        let directory = DataDirectory(path: dir.path + "/data")
        var rng = SeededGenerator(seed: 8)
        var all: [AuditEvent] = []
        for _ in 0..<3 {
            let writer = try StoreWriter(directory: directory)
            let batch = (0..<80).map { _ in EventBuilder.random(using: &rng, start: 1_794_999_600_000_000_000, hours: 1) }
            for e in batch { _ = try writer.append(e) }
            try writer.close()
            all += batch
        }
        let disk = PowerLossDisk(root: dir.path)
        IOHooks.observer = disk
        let compactor = try StoreWriter(directory: directory)
        // The first removal of an old segment fails, as if the process died right there.
        disk.failNext(with: EIO) { if case .remove = $0 { true } else { false } }
        #expect(throws: StoreError.self) { _ = try compactor.compact() }
        IOHooks.observer = nil
        // Old and new segments are both on disk now; a reader sees each event once.
        let midway = try storedKeys(directory)
        #expect(midway.values.allSatisfy { $0 == 1 })
        #expect(Set(midway.keys) == Set(all.map(EventKey.init)))
        let partition = try #require(try StoreReader(directory: directory).partitions().first)
        #expect(try StoreReader(directory: directory).segments(of: partition).count > 1)
        _ = consume compactor
        let next = try StoreWriter(directory: directory)
        #expect(next.recovery.replacedRemoved >= 1)
        try next.close()
        #expect(try StoreReader(directory: directory).segments(of: partition).count == 1)
        #expect(try storedKeys(directory) == midway)
        #expect(try StoreVerifier(directory: directory).verify().isClean)
    }
}

extension PowerLossDisk {
    /// Makes the next operation matching `matches` fail with `errno`.
    func failNext(with errno: Int32 = EIO, _ matches: @escaping (IOOperation) -> Bool) {
        pendingFailure = (errno, matches)
    }
}
