import AuditCore
import Testing
import TestSupport

@testable import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

// In the durability suite: it is serialized, and these tests install the process-wide I/O hook too.
extension DurabilityTests {
    @Test("a ship cut by a power loss at every I/O operation leaves DEST a store that verifies, and a re-run completes it")
    func shipPowerLossAtEveryOperation() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        try ShipFixture.ingest(source, hours: [0, 1], first: 0, count: 30)
        try ShipFixture.ingest(source, hours: [1, 2], first: 30, count: 30)
        let everything = try ShipFixture.events(source)
        let root = TemporaryDirectory("logq-ship")
        let disk = PowerLossDisk(root: root.path)
        IOHooks.observer = disk
        do {
            defer { IOHooks.observer = nil }
            _ = try SegmentShipper(source: source, destination: DataDirectory(path: root.path + "/archive")).ship()
        }
        #expect(disk.count > 20, "a ship of 4 segments takes many I/O operations, took \(disk.count)")
        var checked = 0
        for point in 0...disk.count {
            for variant in PowerLossDisk.Variant.allCases {
                let target = TemporaryDirectory("logq-ship-crash")
                disk.materialize(prefix: point, variant: variant, seed: UInt64(point) &* 31 &+ 7, into: target.path)
                let dest = DataDirectory(path: target.path + "/archive")
                if dest.exists {
                    let report = try StoreVerifier.verify(dest)
                    #expect(report.isClean, "crash at operation \(point) (\(variant)): \(report.problems)")
                    // Whatever is there is a subset of the source, each event once.
                    let served = try ShipFixture.events(dest)
                    #expect(Set(served).isSubset(of: Set(everything)), "crash at operation \(point) (\(variant))")
                    #expect(Set(served).count == served.count, "crash at operation \(point) (\(variant)): an event served twice")
                }
                _ = try SegmentShipper(source: source, destination: dest).ship()
                let after = try StoreVerifier.verify(dest)
                #expect(after.isClean, "re-run after a crash at operation \(point) (\(variant)): \(after.problems)")
                #expect(after.notes.allSatisfy { !$0.contains("not shipped yet") }, "re-run after \(point) (\(variant)): \(after.notes)")
                #expect(try ShipFixture.events(dest) == everything, "re-run after a crash at operation \(point) (\(variant))")
                checked += 1
            }
        }
        #expect(checked == (disk.count + 1) * PowerLossDisk.Variant.allCases.count)
    }

    @Test("a ship whose rename fails (EIO) throws, leaves DEST verifying clean, and the next ship completes it")
    func shipIOErrorThenRerun() throws {
        let dir = TemporaryDirectory()
        let source = DataDirectory(path: dir.path + "/data")
        let dest = DataDirectory(path: dir.path + "/archive")
        try ShipFixture.ingest(source, hours: [0, 1, 2], first: 0, count: 10)
        let disk = PowerLossDisk(root: dir.path + "/archive")
        var renames = 0
        disk.pendingFailure = (
            EIO,
            { operation in
                guard case .rename(let from, _) = operation, from.hasSuffix(".seg.tmp") else { return false }
                renames += 1
                return renames == 2
            }
        )
        IOHooks.observer = disk
        do {
            defer { IOHooks.observer = nil }
            #expect(throws: StoreError.self) { try SegmentShipper(source: source, destination: dest).ship() }
        }
        let partial = try StoreVerifier.verify(dest)
        #expect(partial.isClean, "\(partial.problems)")
        #expect(partial.notes.contains { $0.contains("not shipped yet") })
        #expect(partial.notes.contains { $0.contains("interrupted ship") })
        #expect(try ShipFixture.events(dest).count == 10)
        let report = try SegmentShipper(source: source, destination: dest).ship()
        #expect(report.shipped.count == 2)
        #expect(report.alreadyThere == 1)
        let clean = try StoreVerifier.verify(dest)
        #expect(clean.isClean && !clean.notes.contains { $0.contains("interrupted") }, "\(clean.problems) \(clean.notes)")
        #expect(try ShipFixture.events(dest) == (try ShipFixture.events(source)))
    }
}
