import Dispatch
import Synchronization

/// A bounded hand-off from a blocking producer (a query's scan, on a thread of its own) to the
/// async task that writes the HTTP response: the producer waits while `capacity` chunks are
/// unread, so a slow client slows the scan instead of growing memory.
final class QueryChannel<Message: Sendable>: Sendable {
    private struct State {
        var queue: [Message] = []
        var waiter: CheckedContinuation<Message?, Never>?
        var cancelled = false
        /// The producer is done: `next` answers nil once the queue is empty.
        var finished = false
    }

    private let state = Mutex(State())
    /// Free places in the queue: the producer takes one per message, the consumer returns it.
    private let space: DispatchSemaphore

    init(capacity: Int) {
        space = DispatchSemaphore(value: capacity)
    }

    /// Whether the consumer went away (the client disconnected, the request was cancelled).
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Producer: hands `message` on, waiting for room; false when the consumer went away
    /// (the producer should stop).
    func send(_ message: Message) -> Bool {
        if isCancelled { return false }
        space.wait()
        let (waiter, delivered) = state.withLock { state -> (CheckedContinuation<Message?, Never>?, Bool) in
            if state.cancelled { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, true)
            }
            state.queue.append(message)
            return (nil, true)
        }
        if let waiter {
            // Taken at once: the place is free again.
            space.signal()
            waiter.resume(returning: message)
        }
        return delivered
    }

    /// Consumer: the next message, waiting for one; nil once cancelled.
    func next() async -> Message? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Message?, Never>) in
                let (message, cancelled) = state.withLock { state -> (Message?, Bool) in
                    if state.cancelled { return (nil, true) }
                    if !state.queue.isEmpty { return (state.queue.removeFirst(), false) }
                    if state.finished { return (nil, true) }
                    state.waiter = continuation
                    return (nil, false)
                }
                if cancelled {
                    continuation.resume(returning: nil)
                } else if let message {
                    space.signal()
                    continuation.resume(returning: message)
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Producer: no more messages; a waiting `next` answers nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Message?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Consumer: stops the producer (its next `send` returns false) and wakes a waiting `next`.
    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<Message?, Never>? in
            guard !state.cancelled else { return nil }
            state.cancelled = true
            state.queue.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        // A producer waiting for room wakes and sees the cancellation.
        space.signal()
        waiter?.resume(returning: nil)
    }
}
