import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Tells every live tail of a server that the store's commit journal changed: one inotify
/// watcher per server (on `<data>/journal`, or `<data>` until the journal exists), whatever the
/// number of subscribers. Subscribers sleep on a condition variable and wake at each change,
/// or after their timeout (so a missed notification costs at most one timeout).
final class TailSignal: @unchecked Sendable {
    // Sendable by hand: `generation` is read and written under `mutex` only; the watcher
    // thread alone owns the inotify descriptor.
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    /// Bumped at each change of the journal.
    private var generation: UInt64 = 0
    private var started = false
    private let directory: DataDirectory

    init(directory: DataDirectory) {
        self.directory = directory
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    /// The current generation: pass it to ``wait(after:milliseconds:)`` before reading the
    /// journal, so a change during the read is not slept through.
    func current() -> UInt64 {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        startWatcherLocked()
        return generation
    }

    /// Sleeps until the generation passes `seen` or `milliseconds` pass.
    func wait(after seen: UInt64, milliseconds: Int) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = Int(deadline.tv_nsec) + (milliseconds % 1000) * 1_000_000
        deadline.tv_sec += milliseconds / 1000 + total / 1_000_000_000
        deadline.tv_nsec = total % 1_000_000_000
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        startWatcherLocked()
        while generation == seen {
            if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { return }
        }
    }

    private func bump() {
        pthread_mutex_lock(&mutex)
        generation &+= 1
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Starts the one watcher thread on first use (called with `mutex` held).
    private func startWatcherLocked() {
        guard !started else { return }
        started = true
        let directory = directory
        BlockingThread.start { [self] in watch(directory) }
    }

    /// The watcher: inotify where it works, else a tick every 100 ms. Runs for the server's life.
    private func watch(_ directory: DataDirectory) {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        var watching = ""
        func addWatch() {
            guard fd >= 0 else { return }
            let journal = directory.journalPath
            let target = FileHandle.exists(journal) ? journal : directory.path
            guard target != watching else { return }
            let mask = UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)
            if inotify_add_watch(fd, target, mask) >= 0 { watching = target }
        }
        addWatch()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard fd >= 0, !watching.isEmpty else {
                usleep(100_000)
                addWatch()
                bump()
                continue
            }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 1_000)
            var changed = false
            while read(fd, &buffer, buffer.count) > 0 { changed = true }
            if watching != directory.journalPath {
                addWatch()
                changed = changed || watching == directory.journalPath
            }
            if ready > 0 && changed { bump() }
        }
    }
}
