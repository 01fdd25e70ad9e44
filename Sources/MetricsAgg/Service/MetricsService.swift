import AuditCore
import Foundation
import LogQuery
import SegmentStore

/// The aggregator of a long-running server: restored from the store at start, then kept up
/// to date from the store's arrival order (the commit journal), and rendered on each scrape.
///
/// `start(directory:)` takes the journal's head H, folds every block stored now (remembering
/// where each was), then follows the journal from H + 1 on a thread of its own, skipping blocks
/// the restore already folded — the same no-gap, no-duplicate handover as `logq -f`
/// (docs/tail-follow.md). Scrapes render what is in memory under a lock that the follower
/// holds for one block at a time.
///
/// What resets on restart: counters start again from what the store holds then (so they stay
/// monotonic unless retention removed events in between, which Prometheus reads as a
/// counter reset); `_created` is the time a series was first seen by this process; gauges
/// come back at the latest stored sample; the overflow counts start at 0.
public final class MetricsService: @unchecked Sendable {
    // Every mutable member below is read and written under `lock`.
    private let lock = NSLock()
    private let aggregator: MetricsAggregator
    private var stopping = false
    private var restored = false
    private var problems: [String] = []
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// How long the follower sleeps when no block is new.
    public let pollInterval: Double

    public init(configuration: MetricsConfiguration = MetricsConfiguration(), rules: [MetricRule] = [], pollInterval: Double = 0.2) {
        aggregator = MetricsAggregator(configuration: configuration, rules: rules)
        self.pollInterval = pollInterval
    }

    /// Restores from the store in `directory` and follows it, on a thread of its own.
    public func start(directory: DataDirectory) {
        let thread = Thread { [self] in
            run(directory)
            done.signal()
        }
        thread.name = "logq-metrics"
        lock.withLock { self.thread = thread }
        thread.start()
    }

    /// Stops following and waits for the thread to end.
    public func stop() {
        let started = lock.withLock {
            stopping = true
            return thread != nil
        }
        if started { done.wait() }
    }

    /// Whether the restore from the store has finished (scrapes before it see part of the store).
    public var isRestored: Bool { lock.withLock { restored } }

    /// Waits up to `seconds` for the restore to finish; whether it did.
    public func waitUntilRestored(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isRestored { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return isRestored
    }

    /// What the follower met and skipped (damaged blocks, blocks removed before they were read), cleared.
    public func takeProblems() -> [String] {
        lock.withLock {
            defer { problems = [] }
            return problems
        }
    }

    /// The `/metrics` body in the format the scraper's `Accept` header asks for.
    public func render(accept: String?) -> (contentType: String, body: String) {
        render(accept: accept, also: [])
    }

    /// The `/metrics` body with the families of `others` after the aggregator's (the server's
    /// own health metrics); the caller holds whatever guards `others`.
    public func render(accept: String?, also others: [MetricRegistry]) -> (contentType: String, body: String) {
        let format = ExpositionFormat.negotiate(accept: accept)
        let bytes = lock.withLock { aggregator.render(format, also: others) }
        return (format.contentType, String(decoding: bytes, as: UTF8.self))
    }

    /// Folds events handed in directly (tests, or a server that has them in hand).
    public func fold(events: [AuditEvent]) {
        lock.withLock { aggregator.fold(events: events) }
    }

    /// Runs `body` with the aggregator under the lock.
    public func withAggregator<R>(_ body: (MetricsAggregator) throws -> R) rethrows -> R {
        try lock.withLock { try body(aggregator) }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func note(_ problem: String) {
        lock.withLock { problems.append(problem) }
    }

    private func run(_ directory: DataDirectory) {
        var visited: Set<BlockLocation> = []
        let head: UInt64
        do {
            head = try ArrivalReader.head(of: directory)
            try restore(directory, visited: &visited)
        } catch {
            note("cannot restore metrics from \(directory.path): \(error)")
            lock.withLock { restored = true }
            return
        }
        lock.withLock { restored = true }
        follow(directory, after: head, visited: visited)
    }

    /// Folds every block stored now, remembering where each was.
    private func restore(_ directory: DataDirectory, visited: inout Set<BlockLocation>) throws {
        let reader = StoreReader(directory: directory)
        for partition in try reader.partitions() {
            if isStopping { return }
            let (bodies, report) = try reader.collectBlocks(partition: partition)
            for problem in report.problems { note("\(problem)") }
            for body in bodies {
                visited.insert(body.location(in: directory))
                guard let view = BlockView(body: body) else {
                    note("block at \(body.location(in: directory)) has a damaged head; skipped")
                    continue
                }
                let folded = lock.withLock { aggregator.fold(view: view) }
                if !folded { note("block at \(body.location(in: directory)) does not decode; skipped") }
                body.dropPages()
            }
        }
    }

    /// Folds the blocks that become durable after record `head`, until stopped.
    private func follow(_ directory: DataDirectory, after head: UInt64, visited: Set<BlockLocation>) {
        let arrivals: ArrivalReader
        do {
            arrivals = try ArrivalReader(directory: directory, from: .after(head))
        } catch {
            note("cannot follow the commit journal of \(directory.path): \(error)")
            return
        }
        while !isStopping {
            let blocks: [ArrivedBlock]
            do {
                blocks = try arrivals.next()
            } catch {
                note("cannot read the commit journal: \(error)")
                Thread.sleep(forTimeInterval: pollInterval)
                continue
            }
            for warning in arrivals.takeWarnings() { note(warning) }
            if blocks.isEmpty {
                Thread.sleep(forTimeInterval: pollInterval)
                continue
            }
            for block in blocks where !block.locations.contains(where: visited.contains) {
                guard let view = BlockView(body: block.body) else {
                    note("block \(block.locations.last.map { "\($0)" } ?? "?") has a damaged head; skipped")
                    continue
                }
                let folded = lock.withLock { aggregator.fold(view: view, rows: block.rows) }
                if !folded { note("block \(block.locations.last.map { "\($0)" } ?? "?") does not decode; skipped") }
            }
        }
    }
}
