import AuditCore
import Foundation
import SegmentStore
import Testing
import TestSupport

/// Kills `logq ingest` and `logq compact` with SIGKILL at random instants, then checks after
/// each reopen that every acknowledged event (an ingest that exited 0) is stored exactly once and
/// `logq verify` is clean. CI runs `LOGQ_CRASH_POINTS` (default 40) kills; the full run is
///
///     LOGQ_CRASH_POINTS=1000 swift test --filter CrashTests
@Suite(
    "Crash test: SIGKILL during ingest and compaction",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct CrashTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }

    /// Batches of k8s audit lines with unique audit IDs, spread over three hours.
    func writeBatches(_ dir: String, count: Int, size: Int) throws -> [(path: String, ids: [String])] {
        var rng = SeededGenerator(seed: 77)
        let verbs = ["get", "list", "create", "update", "delete", "patch"]
        var batches: [(String, [String])] = []
        for b in 0..<count {
            var lines: [String] = []
            var ids: [String] = []
            for n in 0..<size {
                let id = "crash-\(b)-\(n)"
                let minute = Int.random(in: 0..<180, using: &rng)
                let time = String(format: "2026-11-24T%02d:%02d:%02d.%06dZ", 10 + minute / 60, minute % 60, n % 60, n)
                lines.append(
                    EventBuilder.k8sLine(
                        auditID: id, verb: verbs.randomElement(using: &rng)!, user: "user-\(b % 7)", resource: "pods",
                        namespace: "ns-\(n % 5)", name: "pod-\(n)", time: time))
                ids.append(id)
            }
            let path = "\(dir)/batch-\(b).jsonl"
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            batches.append((path, ids))
        }
        return batches
    }

    /// Starts logq with `arguments`, kills it after `delay` seconds unless it finished; returns
    /// its exit status, or nil when it was killed.
    func runKilled(_ arguments: [String], after delay: Double) throws -> Int32? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: logq)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(200) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? nil : process.terminationStatus
    }

    func storedIDs(_ data: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let reader = StoreReader(directory: DataDirectory(path: data))
        for partition in try reader.partitions() {
            try reader.scan(partition: partition) { event in
                counts[event.fields[.id], default: 0] += 1
                return true
            }
        }
        return counts
    }

    @Test("every acknowledged event survives SIGKILL at random instants exactly once, and verify stays clean")
    func killAtRandomInstants() throws {
        let points = Int(ProcessInfo.processInfo.environment["LOGQ_CRASH_POINTS"] ?? "") ?? 40
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let batches = try writeBatches(dir.path, count: 12, size: 3_000)
        let empty = dir.path + "/empty.jsonl"
        FileManager.default.createFile(atPath: empty, contents: Data())
        // How long one ingest takes here, to spread the kills over its whole run.
        let started = Date()
        #expect(try runKilled(["ingest", "--data", data, batches[0].path], after: 60) == 0)
        let window = max(0.05, Date().timeIntervalSince(started) * 1.3)
        var acknowledged = Set(batches[0].ids)
        var rng = SeededGenerator(seed: UInt64(points))
        var killed = 0
        for point in 0..<points {
            let delay = Double.random(in: 0..<window, using: &rng)
            if point % 4 == 3 {
                if try runKilled(["compact", "--data", data], after: delay) == nil { killed += 1 }
            } else {
                let batch = batches.randomElement(using: &rng)!
                let status = try runKilled(["ingest", "--data", data, batch.path], after: delay)
                if status == 0 { acknowledged.formUnion(batch.ids) } else { killed += 1 }
            }
            // Reopen (an ingest of nothing runs recovery), then check the contract.
            #expect(try runKilled(["ingest", "--data", data, empty], after: 60) == 0, "reopen after point \(point)")
            let verify = Shell.run(logq, ["verify", "--data", data])
            #expect(verify.status == 0, "verify after point \(point): \(verify.stdout)")
            let stored = try storedIDs(data)
            let missing = acknowledged.filter { stored[$0] == nil }
            let twice = stored.filter { $0.value > 1 }
            #expect(missing.isEmpty, "after point \(point): \(missing.count) acknowledged events missing, e.g. \(missing.prefix(3))")
            #expect(twice.isEmpty, "after point \(point): \(twice.count) events stored twice, e.g. \(twice.keys.prefix(3))")
            if !missing.isEmpty || !twice.isEmpty || verify.status != 0 { break }
        }
        // Most instants should land inside a run, or the test proves little.
        #expect(killed >= points / 3, "only \(killed) of \(points) runs were killed mid-way")
        print("crash test: \(points) kill points, \(killed) runs killed mid-way, \(acknowledged.count) events acknowledged")
    }
}
