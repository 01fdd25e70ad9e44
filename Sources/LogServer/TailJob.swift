import AuditCore
import LogQuery
import SegmentStore
import Synchronization

/// One live tail: history (`n=`), then every match of each commit as it becomes durable, read
/// in the store's arrival order (``ArrivalReader``, ``LiveQuery``), on a thread of its own.
/// It ends when the client goes away (the next write — an event or a heartbeat — fails).
struct TailJob: Sendable {
    /// How the stream is framed.
    enum Framing: Sendable {
        /// One JSON object per line; a blank line as keep-alive.
        case ndjson
        /// Server-sent events: one event per commit record, its lines as `data:` lines, its
        /// `id:` the cursor after it; `: keep-alive` comments.
        case serverSentEvents
    }

    var text: String
    var query: Query
    var framing: Framing
    /// How events print: ndjson (default), text, csv or raw, as `logq -f -o …`.
    var format: OutputFormat
    /// Where to start (a cursor or `Last-Event-ID`): no history then.
    var resume: JournalCursor?
    /// History: the last `n` matches before live.
    var history: Int
    var directory: DataDirectory
    /// Interval of keep-alives when nothing else is sent, ms.
    var heartbeatMilliseconds: Int
    /// `format=ui`: the web page's rows (``WebUIRowPrinter``) instead of `format`.
    var forPage = false
    /// For a windowed aggregate: how long after its end a window waits for late commits, ns.
    var grace: Int64 = 2_000_000_000

    /// Runs until the client goes away (or a `| head N` is reached).
    func run(signal: TailSignal, closing: @Sendable () -> Bool, channel: QueryChannel<[UInt8]>) {
        let buffer = ChunkBuffer()
        let printer: any ResultSink
        if forPage {
            printer = WebUIRowPrinter(projection: QueryRunner.projection(query), write: { buffer.bytes += $0 })
        } else {
            let cli = ResultPrinter(format: format, colour: false, projection: QueryRunner.projection(query), write: { buffer.bytes += $0 })
            cli.streaming = true
            printer = cli
        }
        var frame: [UInt8] = []
        /// Prints `events` as one frame (an SSE event with `id`), sends it; false when the client is gone.
        func send(_ events: [AuditEvent], id: JournalCursor?, tables: [ResultTable] = []) -> Bool {
            for event in events { printer.event(event) }
            for table in tables { printer.table(table) }
            let lines = buffer.take()
            frame.removeAll(keepingCapacity: true)
            switch framing {
            case .ndjson:
                frame = lines
            case .serverSentEvents:
                if let id { frame += Array("id: \(id)\n".utf8) }
                var start = 0
                for (i, byte) in lines.enumerated() where byte == 0x0A {
                    frame += Array("data: ".utf8)
                    frame += lines[start...i]
                    start = i + 1
                }
                if events.isEmpty && tables.isEmpty { frame += Array("event: cursor\ndata: \(id.map { "\($0)" } ?? "")\n".utf8) }
                frame.append(0x0A)
            }
            return frame.isEmpty || channel.send(frame)
        }
        func problem(_ text: String) -> Bool {
            switch framing {
            case .ndjson: true  // NDJSON carries events only; problems are the store's log's
            case .serverSentEvents: channel.send(Array("event: warning\ndata: \(QueryRoutes.headerSafe(text))\n\n".utf8))
            }
        }
        do {
            let live = try LiveQuery(query, parts: QueryRunner.eventParts(query, printsRawOnly: false))
            let start = try resume ?? JournalCursor.after(ArrivalReader.head(of: directory))
            let arrivals = try ArrivalReader(directory: directory, from: start)
            // The start cursor first, so a client that drops before any event resumes without a gap.
            guard send([], id: start) else { return }
            var windows = LiveWindows(live: live, grace: grace)
            /// Sends the windows that closed by now (with the cursor `id`): nil when the client is
            /// gone, else whether anything was sent.
            func closeWindows(id: JournalCursor) -> Bool? {
                var tables: [ResultTable] = []
                windows.close(now: QueryRoutes.wallClock()) { tables.append($0) }
                if tables.isEmpty { return false }
                return send([], id: id, tables: tables) ? true : nil
            }
            if live.window != nil {
                // The windows from the current one's start (when not resuming), then live.
                if resume == nil, let window = live.window {
                    let report = try live.history(reader: StoreReader(directory: directory), since: window.start(QueryRoutes.wallClock())) {
                        windows.add($0)
                        return true
                    }
                    for found in report.problems where !problem("\(found)") { return }
                }
                guard closeWindows(id: start) != nil else { return }
            } else if resume == nil, history > 0 {
                var events: [AuditEvent] = []
                let report = try live.history(reader: StoreReader(directory: directory), last: history) { event in
                    events.append(event)
                    return true
                }
                for found in report.problems where !problem("\(found)") { return }
                guard send(events, id: start) else { return }
            }
            var limit = query.pipes.compactMap { pipe -> Int? in if case .limit(let l) = pipe { l.count } else { nil } }.min()
            var lastSent = start
            var lastWrite = QueryJob.monotonicNow()
            let heartbeat = Int64(heartbeatMilliseconds) * 1_000_000
            while !channel.isCancelled && !closing() {
                let seen = signal.current()
                let blocks = try arrivals.next(maxBlocks: 64)
                for warning in arrivals.takeWarnings() where !problem(warning) { return }
                var problems: [SegmentProblem] = []
                let matches = blocks.isEmpty ? [] : live.matches(blocks, problems: &problems)
                for found in problems where !problem("\(found)") { return }
                if live.window != nil {
                    for match in matches { windows.add(match.event) }
                    guard let sent = closeWindows(id: arrivals.cursor) else { return }
                    if sent {
                        lastSent = arrivals.cursor
                        lastWrite = QueryJob.monotonicNow()
                    }
                }
                // One frame per commit record: matches of a record share the cursor after it.
                var k = 0
                while live.window == nil && k < matches.count {
                    var end = k
                    while end < matches.count && matches[end].cursor == matches[k].cursor { end += 1 }
                    var events = matches[k..<end].map(\.event)
                    if let remaining = limit {
                        events = Array(events.prefix(remaining))
                        limit = remaining - events.count
                    }
                    guard send(events, id: matches[k].cursor) else { return }
                    lastSent = matches[k].cursor
                    lastWrite = QueryJob.monotonicNow()
                    if limit == 0 {
                        // Done by the query's own `head N`: say so, so a client does not reconnect.
                        if framing == .serverSentEvents { _ = channel.send(Array("event: end\ndata: \(lastSent)\n\n".utf8)) }
                        return
                    }
                    k = end
                }
                // Keep-alives by the time since the last write, busy or idle (a selective tail of a
                // busy store sends nothing for long); with SSE a cursor event when records without
                // matches moved the cursor on, so a resume skips them.
                let now = QueryJob.monotonicNow()
                if now - lastWrite >= heartbeat {
                    let keepAlive: Bool
                    if framing == .serverSentEvents && arrivals.cursor != lastSent {
                        lastSent = arrivals.cursor
                        keepAlive = send([], id: lastSent)
                    } else {
                        keepAlive = channel.send(Array((framing == .ndjson ? "\n" : ": keep-alive\n\n").utf8))
                    }
                    guard keepAlive else { return }
                    lastWrite = now
                }
                if blocks.isEmpty {
                    let untilHeartbeat = Int((heartbeat - (QueryJob.monotonicNow() - lastWrite)) / 1_000_000)
                    let untilClose = windows.millisecondsToNextClose(now: QueryRoutes.wallClock()) ?? 1_000
                    signal.wait(after: seen, milliseconds: max(1, min(1_000, untilHeartbeat, untilClose)))
                }
            }
        } catch {
            _ = problem("cannot follow the store: \(error)")
        }
    }
}

/// The live tails of one server: their count (capped) and the shared journal watcher.
public final class TailHub: Sendable {
    let signal: TailSignal
    private let active = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)
    /// Tails served at once.
    let limit: Int

    init(directory: DataDirectory, limit: Int) {
        signal = TailSignal(directory: directory)
        self.limit = limit
    }

    /// Live tails now.
    public var count: Int { active.load(ordering: .relaxed) }

    /// Takes a place; false when all `limit` are taken.
    func enter() -> Bool {
        while true {
            let now = active.load(ordering: .relaxed)
            guard now < limit, !isClosing else { return false }
            if active.compareExchange(expected: now, desired: now + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    func leave() { active.subtract(1, ordering: .relaxed) }

    /// Ends every live tail within a second (their responses finish cleanly) and refuses new
    /// ones: for a graceful shutdown, which waits for in-flight requests, and a tail never ends
    /// by itself.
    public func shutdown() { closing.store(true, ordering: .relaxed) }

    /// Whether ``shutdown()`` was called.
    var isClosing: Bool { closing.load(ordering: .relaxed) }
}
