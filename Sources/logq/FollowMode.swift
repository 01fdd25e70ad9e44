import ArgumentParser
import AuditCore
import LogQuery
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `logq -f QUERY`: the last matches, then every new match as soon as it is durable, read in
/// the store's arrival order (its commit journal) until Ctrl-C.
///
/// - History: the last `-n` matches (default 10), or every match since `--since`, among the
///   blocks durable at the start; then live, from the journal's head taken before the history
///   scan: no gap, no duplicate (``LiveQuery``).
/// - New data is noticed by inotify on `<data>/journal` (polling every 100 ms where inotify is
///   not available); an idle follower sleeps in `poll(2)`.
/// - `--cursor FILE` saves the position after each printed batch and resumes there; on Ctrl-C
///   the position is printed to stderr as a token for `--cursor-token`.
/// - Aggregates run a window at a time (`| count by user every 1m`): a window prints when the
///   clock passes its end plus `--grace`; late events for a printed window print as a late row.
struct FollowMode {
    let text: String
    let query: Query
    let directory: DataDirectory
    let format: OutputFormat
    let colour: Bool
    let last: Int
    let since: Int64?
    let cursorFile: String?
    let cursorToken: String?
    let grace: Int64
    /// Poll instead of inotify (for file systems that do not report changes).
    let polling: Bool
    /// Print what was followed and the commit → printed latency on stderr at the end.
    let stats: Bool

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        FollowSignals.install()
        let parts = QueryRunner.eventParts(query, printsRawOnly: [.raw, .ndjson, .json].contains(format) && QueryRunner.projection(query) == nil)
        let live: LiveQuery
        do {
            live = try LiveQuery(query, parts: parts)
        } catch {
            OutputStream.printError("logq: bad query for -f\n" + error.render(query: text))
            throw ExitCode(2)
        }
        let out = OutputBox(OutputStream(fd: 1))
        let printer = ResultPrinter(
            format: format, colour: colour, projection: live.window == nil ? QueryRunner.projection(query) : nil,
            write: { out.stream.write(bytes: $0) })
        printer.streaming = true

        try waitForStore()
        let watcher = JournalWatcher(directory: directory, polling: polling)
        // Where to start: a saved cursor resumes exactly (no history); else the journal's head
        // now, taken before the history scan.
        var resumed: JournalCursor?
        if let cursorToken {
            guard let cursor = JournalCursor(cursorToken) else {
                OutputStream.printError("logq: --cursor-token \(cursorToken) is not a cursor (a record number like 17 or 17.3, as logq -f prints on Ctrl-C)")
                throw ExitCode(2)
            }
            resumed = cursor
        } else if let cursorFile, let saved = try Self.loadCursor(cursorFile) {
            resumed = saved
        }
        let start = try resumed ?? JournalCursor.after(ArrivalReader.head(of: directory))
        let arrivals = try ArrivalReader(directory: directory, from: start)
        for warning in arrivals.takeWarnings() { OutputStream.printError("logq: warning: \(warning)") }

        var windows = LiveWindows(live: live, grace: grace)
        var maxPrinted = Int64.min
        var printedEvents = 0
        let limit = query.pipes.compactMap { pipe -> Int? in if case .limit(let l) = pipe { l.count } else { nil } }.min()
        func emit(_ event: AuditEvent, live isLive: Bool) -> Bool {
            if live.window != nil {
                windows.add(event)
                return true
            }
            printer.event(event, late: isLive && event.time < maxPrinted)
            maxPrinted = max(maxPrinted, event.time)
            printedEvents += 1
            return limit.map { printedEvents < $0 } ?? true
        }

        // History.
        if resumed == nil {
            let reader = StoreReader(directory: directory)
            let report: ScanReport
            if live.window != nil {
                let from = since ?? live.window!.start(Environment.now())
                report = try live.history(reader: reader, since: from) { emit($0, live: false) }
            } else if let since {
                report = try live.history(reader: reader, since: since) { emit($0, live: false) }
            } else {
                report = try live.history(reader: reader, last: last) { emit($0, live: false) }
            }
            for problem in report.problems { OutputStream.printError("logq: damaged block skipped: \(problem)") }
            windows.close(now: Environment.now()) { printer.table($0) }
            printer.flush()
            guard out.stream.flush() else { return }
            if let limit, printedEvents >= limit { return }
        }

        var cursor = start
        var latency = FollowLatency()
        let started = Environment.now()
        defer {
            if stats { OutputStream.printError(latency.summary(seconds: Double(Environment.now() - started) / 1e9)) }
        }
        while !FollowSignals.stopRequested {
            let blocks = try arrivals.next(maxBlocks: 64)
            for warning in arrivals.takeWarnings() { OutputStream.printError("logq: warning: \(warning)") }
            if blocks.isEmpty {
                windows.close(now: Environment.now()) { printer.table($0) }
                printer.flush()
                guard out.stream.flush() else { return }
                watcher.wait(milliseconds: windows.millisecondsToNextClose(now: Environment.now()) ?? 5_000)
                continue
            }
            var problems: [SegmentProblem] = []
            var committed: [Int64] = []
            for match in live.matches(blocks, problems: &problems) {
                committed.append(match.committed)
                guard emit(match.event, live: true) else {
                    printer.flush()
                    out.stream.flush()
                    try saveCursor(match.cursor)
                    return
                }
            }
            for problem in problems { OutputStream.printError("logq: damaged block skipped: \(problem)") }
            windows.close(now: Environment.now()) { printer.table($0) }
            printer.flush()
            guard out.stream.flush() else { return }
            latency.add(printed: Environment.now(), committed: committed, records: Set(blocks.map(\.record)).count)
            cursor = arrivals.cursor
            try saveCursor(cursor)
        }
        windows.close(now: Int64.max) { printer.table($0) }
        printer.flush()
        out.stream.flush()
        OutputStream.printError("logq: stopped at cursor \(cursor); resume with: logq -f --cursor-token \(cursor) '\(text)'")
    }

    /// Waits for a store that does not exist yet, saying so once.
    private func waitForStore() throws {
        guard !directory.exists else { return }
        OutputStream.printError("logq: no store at \(directory.path) yet; waiting for the first ingest (Ctrl-C to stop)")
        while !directory.exists {
            if FollowSignals.stopRequested { throw ExitCode(0) }
            usleep(200_000)
        }
    }

    private func saveCursor(_ cursor: JournalCursor) throws {
        guard let cursorFile else { return }
        let temporary = cursorFile + ".tmp"
        let bytes = Array("\(cursor)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            OutputStream.printError("logq: cannot write the cursor file \(temporary): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard rename(temporary, cursorFile) == 0 else {
            OutputStream.printError("logq: cannot rename \(temporary) to \(cursorFile): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
    }

    static func loadCursor(_ path: String) throws -> JournalCursor? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &buffer, 64)
        let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self)
        guard let cursor = JournalCursor(text) else {
            OutputStream.printError("logq: the cursor file \(path) does not hold a cursor (found '\(text.prefix(40))'); remove it to start from the history")
            throw ExitCode(2)
        }
        return cursor
    }
}

/// Ctrl-C and SIGTERM ask a follower to stop after the batch it is printing.
enum FollowSignals {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static var stopRequested: Bool { flag != 0 }

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in FollowSignals.flag = 1 }
        sigemptyset(&action.sa_mask)
        // No SA_RESTART: a follower asleep in poll(2) wakes up.
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }
}

/// Sleeps until the journal changes (inotify), a timeout passes, or a signal arrives.
final class JournalWatcher {
    private var fd: Int32 = -1
    private var watching = ""
    private let directory: DataDirectory
    private let polling: Bool

    init(directory: DataDirectory, polling: Bool) {
        self.directory = directory
        self.polling = polling
        if !polling {
            fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        }
        watch()
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Watches `<data>/journal`, or `<data>` until the journal folder exists.
    private func watch() {
        guard fd >= 0 else { return }
        let journal = directory.journalPath
        let target = FileHandle.exists(journal) ? journal : directory.path
        guard target != watching else { return }
        let mask = UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)
        if inotify_add_watch(fd, target, mask) >= 0 { watching = target }
    }

    func wait(milliseconds: Int) {
        guard fd >= 0, !watching.isEmpty else {
            usleep(UInt32(min(milliseconds, 100)) * 1000)
            return
        }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, Int32(clamping: milliseconds))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(fd, &buffer, buffer.count) > 0 {}
        if watching != directory.journalPath { watch() }
    }
}

/// What a follower printed and how long after its commit: `logq -f --stats`.
struct FollowLatency {
    private var samples: [Int64] = []
    private var events = 0
    private var records = 0

    /// Events printed at `printed` (ns UTC, after the write returned) whose commits were
    /// recorded at `committed`.
    mutating func add(printed: Int64, committed: [Int64], records: Int) {
        events += committed.count
        self.records += records
        if samples.count < 10_000_000 { samples += committed.map { printed - $0 } }
    }

    func summary(seconds: Double) -> String {
        var line = "logq: followed \(events) events from \(records) commits in \(String(format1: seconds)) s"
        guard !samples.isEmpty else { return line }
        let sorted = samples.sorted()
        func ms(_ q: Double) -> String { String(format1: Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]) / 1e6) }
        line += "; commit → printed latency p50 \(ms(0.5)) ms, p99 \(ms(0.99)) ms, max \(ms(1.0)) ms"
        line += " (from each commit's journal record, written just before the commit's last fsync)"
        return line
    }
}

extension String {
    /// `value` with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
