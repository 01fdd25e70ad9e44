import AuditCore
import Foundation

/// Builds, compresses and appends blocks on background threads, so that encoding batches
/// overlaps with parsing the next ones: the parsing thread only routes events, and the
/// columns, the shredding and DEFLATE run on every core.
///
/// Blocks are appended in the order they were submitted, whichever worker finishes first, so
/// a store's bytes do not depend on thread timing. Bounded: at most ``capacity`` batches wait
/// beside the ones being encoded; ``submit(_:to:)`` blocks past that, so a slow disk or
/// compressor slows the producer instead of growing memory. The first failure is kept and
/// thrown by every later call: nothing after it is acknowledged.
final class BlockPipeline: @unchecked Sendable {
    /// One batch for one segment.
    private struct Job: @unchecked Sendable {
        // Handed over to a worker: the owner touches `segment` again only after drain().
        let segment: SegmentWriter
        let events: [AuditEvent]
        /// Submission order: blocks are appended in it.
        let sequence: Int
    }

    /// Batches that may wait beside those being encoded.
    static let capacity = 2

    /// Encoder threads: one per core (the parser shares them), at most 4.
    static let workerCount = max(1, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    private let condition = NSCondition()
    private var jobs: [Job] = []
    /// Jobs taken by a worker and not yet appended.
    private var inFlight = 0
    /// The sequence number of the next job to submit, and of the next block to append.
    private var submitted = 0
    private var appended = 0
    private var stopping = false
    private var failure: (any Error)?
    private var threads: [Thread] = []
    /// The events of blocks already encoded, released by the thread that submits the next
    /// batch (or drains): their memory was allocated there, and glibc frees a chunk of another
    /// thread's arena under that arena's lock, which stalls the parser on every free an
    /// encoder makes while it allocates.
    private var finished: [[AuditEvent]] = []

    init() {}

    /// Queues `events` to be encoded as one block and appended to `segment`.
    func submit(_ events: [AuditEvent], to segment: SegmentWriter) throws {
        let done = try enqueue(events, to: segment)
        // Released here, outside the lock, on the thread that allocated them.
        withExtendedLifetime(done) {}
    }

    private func enqueue(_ events: [AuditEvent], to segment: SegmentWriter) throws -> [[AuditEvent]] {
        condition.lock()
        defer { condition.unlock() }
        if threads.isEmpty { start() }
        while jobs.count >= Self.capacity && failure == nil { condition.wait() }
        let done = finished
        finished = []
        if let failure { throw failure }
        jobs.append(Job(segment: segment, events: events, sequence: submitted))
        submitted += 1
        condition.broadcast()
        return done
    }

    /// Waits until every queued batch is written; throws the first failure.
    func drain() throws {
        let done = try waitForAll()
        withExtendedLifetime(done) {}
    }

    private func waitForAll() throws -> [[AuditEvent]] {
        condition.lock()
        defer { condition.unlock() }
        while (!jobs.isEmpty || inFlight > 0) && failure == nil { condition.wait() }
        let done = finished
        finished = []
        if let failure { throw failure }
        return done
    }

    /// Stops the workers after the queued batches (call ``drain()`` first to see failures).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    deinit { stop() }

    private func start() {
        for k in 0..<Self.workerCount {
            let thread = Thread { [self] in work() }
            thread.name = "logq-block-encoder-\(k)"
            threads.append(thread)
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            inFlight += 1
            condition.broadcast()
            let failed = failure != nil
            condition.unlock()

            // After a failure nothing more is written (it could not be acknowledged anyway).
            let body = failed ? [] : Block.compress(Block.prepare(job.events))

            condition.lock()
            // Append in submission order: wait for the blocks submitted before this one.
            while appended != job.sequence { condition.wait() }
            if failure == nil {
                do {
                    try job.segment.append(body: body)
                } catch let e {
                    failure = e
                }
            }
            appended += 1
            inFlight -= 1
            finished.append(job.events)
            condition.broadcast()
            condition.unlock()
        }
    }
}
