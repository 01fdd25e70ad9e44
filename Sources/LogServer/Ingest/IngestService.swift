import AuditCore
import AuditIngest
import Dispatch
import Foundation
import Logging
import SegmentStore
import ServiceLifecycle
import Synchronization

/// The one owner of the store's writer in `logq serve`: a thread of its own (the writer is not
/// `Sendable` and its fsyncs block) fed by a bounded queue of parsed batches.
///
/// **Group commit**: requests hand it a batch and wait; each round the thread appends every
/// waiting batch, commits once (one set of fsyncs), then answers every waiter. A request is
/// answered only after the commit that covers all its events has returned, so a 2xx means
/// durable. A full queue refuses at once (the caller answers 503 + Retry-After): memory stays
/// bounded whatever the clients do.
///
/// Graceful shutdown (SIGTERM/SIGINT through the service group) stops taking batches, commits
/// what is queued, answers its waiters and closes the store (segments sealed). After a failed
/// commit the writer is not used again (the kernel may have dropped dirty pages): every later
/// batch is refused and `/readyz` says why.
public final class IngestService: Service, @unchecked Sendable {
    /// What one batch became once committed.
    public struct Committed: Sendable, Equatable {
        /// Events new to the store.
        public var stored = 0
        /// Events already stored (a re-sent batch): skipped.
        public var duplicates = 0
        /// Events whose ID was stored with other content: kept, and counted.
        public var idConflicts = 0
    }

    /// Why a batch was not taken or not committed.
    public enum Refusal: Error, Sendable, Equatable {
        /// The queue holds ``ServerLimits/maxQueuedEvents`` already: try again shortly.
        case queueFull
        /// The service is shutting down.
        case stopping
        /// The writer failed (a commit or fsync error) and takes no more work.
        case writerFailed(String)
    }

    /// Whether the service takes batches, for `/readyz`.
    public enum Health: Sendable, Equatable {
        case ready
        case stopping
        case failed(String)
    }

    /// A batch waiting for its commit.
    private struct Job {
        var events: [AuditEvent]
        var rejections: [Rejection]
        var links: ActorLinks
        var reply: CheckedContinuation<Committed, any Error>
    }

    private struct State {
        var queue: [Job] = []
        var queuedEvents = 0
        var stopping = false
        var failure: String?
    }

    private let state = Mutex(State())
    /// Signalled once per queued batch and once on stop: the thread sleeps on it.
    private let wake = DispatchSemaphore(value: 0)
    private let maxQueuedEvents: Int
    /// ``ServerLimits/partitionIdleSeconds``.
    private let partitionIdleSeconds: Double
    /// ``ServerLimits/dedupeIdleSeconds``.
    private let dedupeIdleSeconds: Double
    private let logger: Logger
    /// The identity links as the service thread last saved them, for request tasks to copy.
    public let links: SharedActorLinks
    /// Where each commit is counted (`/metrics`); nil: not counted.
    private let healthMetrics: ServerHealthMetrics?

    // Touched by the service thread only (and by `run` after the thread has ended).
    private let writer: StoreWriter
    private let quarantine: Quarantine
    private let correlator: ActorCorrelator
    private let actorsPath: String
    private var closeError: (any Error)?

    /// Takes over `writer` (already open, so a locked or unreadable store fails before the
    /// server listens); nothing else may use it afterwards.
    public init(writer: StoreWriter, limits: ServerLimits, logger: Logger, health: ServerHealthMetrics? = nil) {
        self.writer = writer
        self.healthMetrics = health
        self.maxQueuedEvents = limits.maxQueuedEvents
        self.partitionIdleSeconds = limits.partitionIdleSeconds
        self.dedupeIdleSeconds = limits.dedupeIdleSeconds
        // A server holds the minutes being written, and reads older ones back when a re-sent
        // batch needs them, so a restart in a busy hour does not load the whole hour's IDs.
        writer.loadsIdentitiesByMinute = true
        self.logger = logger
        self.quarantine = Quarantine(directory: writer.directory, now: Self.now())
        self.actorsPath = writer.directory.path + "/" + FileNames.actors
        self.correlator = ActorCorrelator(loading: actorsPath)
        self.links = SharedActorLinks(ActorLinks(correlator))
    }

    /// Whether batches are taken now.
    public var health: Health {
        state.withLock { state in
            if let failure = state.failure { return .failed(failure) }
            return state.stopping ? .stopping : .ready
        }
    }

    /// Queues `events` (and `rejections`, for the quarantine, and identity `links` learned
    /// while parsing them) and returns once a commit covering all of them has returned.
    public func submit(_ events: [AuditEvent], rejections: [Rejection] = [], links: ActorLinks = ActorLinks()) async throws -> Committed {
        try await withCheckedThrowingContinuation { reply in
            let refusal: Refusal? = state.withLock { state in
                if let failure = state.failure { return .writerFailed(failure) }
                if state.stopping { return .stopping }
                // One batch larger than the whole queue is still taken when nothing waits.
                if state.queuedEvents > 0, state.queuedEvents + events.count > maxQueuedEvents { return .queueFull }
                state.queue.append(Job(events: events, rejections: rejections, links: links, reply: reply))
                state.queuedEvents += events.count
                return nil
            }
            if let refusal {
                reply.resume(throwing: refusal)
            } else {
                wake.signal()
            }
        }
    }

    /// Runs the writer thread until graceful shutdown, then drains the queue and closes the store.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        loop()
                        done.resume()
                    }
                    thread.name = "logq-ingest"
                    thread.start()
                }
            } onCancel: {
                stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        if let closeError { throw closeError }
    }

    /// Stops taking batches; the thread commits what is queued and closes the store.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        if first { wake.signal() }
    }

    /// The writer thread: one round per wake-up, until stopped and drained.
    private func loop() {
        while true {
            wake.wait()
            while true {
                let (jobs, stopping) = state.withLock { state in
                    let jobs = state.queue
                    state.queue.removeAll()
                    state.queuedEvents = 0
                    return (jobs, state.stopping)
                }
                if !jobs.isEmpty {
                    commitRound(jobs)
                    continue
                }
                if stopping {
                    closeStore()
                    return
                }
                break
            }
        }
    }

    /// Appends every job's events, commits once, then answers each job.
    private func commitRound(_ jobs: [Job]) {
        if let failure = state.withLock({ $0.failure }) {
            for job in jobs { job.reply.resume(throwing: Refusal.writerFailed(failure)) }
            return
        }
        var results = [Committed](repeating: Committed(), count: jobs.count)
        var learned = false
        var counts = CommitCounts()
        let started = ContinuousClock.now
        do {
            for (k, job) in jobs.enumerated() {
                for event in job.events {
                    switch try writer.append(event) {
                    case .stored: results[k].stored += 1
                    case .duplicate:
                        results[k].duplicates += 1
                        counts.duplicates[event.source.name, default: 0] += 1
                        continue
                    case .idConflict:
                        results[k].stored += 1
                        results[k].idConflicts += 1
                    }
                    counts.stored[event.source.name, default: 0] += 1
                }
                for rejection in job.rejections { quarantine.add(rejection) }
                counts.reject(job.rejections)
                learned = job.links.teach(correlator) || learned
            }
            try writer.commit()
        } catch {
            // Appended events may be marked seen without being durable: a retry would be taken
            // for a duplicate. So the writer takes no more work after any failure here.
            let message = "cannot commit to the store at \(writer.directory.path): \(error)"
            logger.error("\(message); the server no longer takes events (restart it once the cause is fixed)")
            state.withLock { $0.failure = message }
            healthMetrics?.commitFailed(seconds: Self.seconds(since: started))
            for job in jobs { job.reply.resume(throwing: Refusal.writerFailed(message)) }
            return
        }
        healthMetrics?.committed(
            seconds: Self.seconds(since: started), stored: counts.stored, duplicates: counts.duplicates, rejected: counts.rejected)
        // Hours no event came for lately are sealed and their dedupe tables freed, and so are
        // the IDs of minutes no event came for. A failure here leaves the writer failed: the
        // next commit refuses, and /readyz says so.
        do {
            try writer.releaseIdlePartitions(idleSeconds: partitionIdleSeconds)
            try writer.releaseIdleIdentities(idleSeconds: dedupeIdleSeconds)
            healthMetrics?.writer(
                openPartitions: writer.openPartitions, dedupeIDs: writer.identitiesHeld, minutesLoaded: writer.stats.identityMinutesLoaded)
        } catch {
            logger.error("cannot seal an idle partition in \(writer.directory.path): \(error)")
        }
        // The events are durable; the quarantine and the links are kept best-effort after them.
        do {
            try quarantine.flush()
            if learned {
                try correlator.save(to: actorsPath)
                links.replace(with: ActorLinks(correlator))
            }
        } catch {
            logger.warning("cannot keep rejects or identity links: \(error)")
        }
        for (k, job) in jobs.enumerated() { job.reply.resume(returning: results[k]) }
    }

    private func closeStore() {
        do {
            if state.withLock({ $0.failure }) == nil {
                try writer.close()
                try quarantine.flush()
                try correlator.save(to: actorsPath)
            }
        } catch {
            logger.error("cannot close the store at \(writer.directory.path): \(error)")
            closeError = error
        }
    }

    /// Events of one commit round by source, rejections by endpoint, for ``ServerHealthMetrics``.
    private struct CommitCounts {
        var stored: [String: Int] = [:]
        var duplicates: [String: Int] = [:]
        var rejected: [String: Int] = [:]

        /// Counts rejections by the route that received them (their `file` is "POST /v1/ingest/…").
        mutating func reject(_ rejections: [Rejection]) {
            for rejection in rejections {
                let endpoint = rejection.file.hasPrefix("POST ") ? String(rejection.file.dropFirst(5)) : rejection.file
                rejected[endpoint, default: 0] += 1
            }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
