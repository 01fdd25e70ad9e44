import AuditCore
import Foundation

/// Compresses and appends blocks on a background thread, so that compressing one batch
/// overlaps with parsing the next (the second core does the zlib work).
///
/// Bounded: at most ``capacity`` batches wait; ``submit(_:to:)`` blocks past that, so a slow
/// disk or compressor slows the producer instead of growing memory. The first failure is kept
/// and thrown by every later call: nothing after it is acknowledged.
final class BlockPipeline: @unchecked Sendable {
    /// One batch for one segment.
    private struct Job: @unchecked Sendable {
        // Handed over to the worker: the owner touches `segment` again only after drain().
        let segment: SegmentWriter
        let block: Block.Prepared
    }

    /// Batches that may wait: two keep the worker busy while the producer fills the next.
    static let capacity = 2

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var running = false
    private var stopping = false
    private var failure: (any Error)?
    private var thread: Thread?

    init() {}

    /// Queues `events` to be encoded as one block and appended to `segment`.
    func submit(_ block: Block.Prepared, to segment: SegmentWriter) throws {
        condition.lock()
        defer { condition.unlock() }
        if thread == nil { start() }
        while jobs.count >= Self.capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        jobs.append(Job(segment: segment, block: block))
        condition.broadcast()
    }

    /// Waits until every queued batch is written; throws the first failure.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (!jobs.isEmpty || running) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the worker after the queued batches (call ``drain()`` first to see failures).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    deinit { stop() }

    private func start() {
        let thread = Thread { [self] in work() }
        thread.name = "logq-block-encoder"
        self.thread = thread
        thread.start()
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
            running = true
            condition.broadcast()
            condition.unlock()

            var error: (any Error)?
            do {
                try job.segment.append(body: Block.compress(job.block))
            } catch let e {
                error = e
            }

            condition.lock()
            running = false
            if let error, failure == nil { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }
}
