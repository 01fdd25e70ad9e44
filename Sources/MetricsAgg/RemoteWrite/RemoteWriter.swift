import Foundation
import LogClient
import NIOCore
import NIOHTTP1

/// How ``RemoteWriter`` pushes: where, how often, how much it keeps while the receiver is down.
public struct RemoteWriteOptions: Sendable {
    /// The receiver, `http://host:port/api/v1/write` or `https://…` (Prometheus with
    /// `--web.enable-remote-write-receiver`, Mimir, Cortex, Thanos Receive, VictoriaMetrics).
    public var url: String
    /// Sent as `Authorization: Bearer …`.
    public var token: String?
    /// For an `https://` receiver: PEM certificates trusted besides the system's (a private CA).
    public var caFile: String?
    /// Seconds between snapshots.
    public var interval: Double = 15
    /// Snapshots kept while the receiver cannot take them; when full, the oldest is dropped.
    public var bufferSnapshots = RemoteWriteOptions.defaultBuffer
    /// Series per request: Prometheus' own remote write sends 2,000 samples per request by default.
    public var maxSeriesPerRequest = 2_000
    /// First wait before a retry, seconds; doubled on each failure up to ``maxBackoff``.
    public var minBackoff = 0.1
    /// Longest wait between retries, seconds (Prometheus' default `max_backoff` is 5 s).
    public var maxBackoff = 5.0
    /// A request not answered within this many seconds is given up and retried.
    public var requestTimeout = 30.0

    /// 30 minutes of snapshots at the default 15 s interval.
    public static let defaultBuffer = 120

    public init(url: String, token: String? = nil) {
        self.url = url
        self.token = token
    }
}

/// What a ``RemoteWriter`` has done since it started, for its summary line and for benchmarks.
public struct RemoteWriteStatistics: Sendable {
    /// Samples the receiver accepted, and in how many requests.
    public var samplesSent = 0
    public var requests = 0
    /// Seconds spent in accepted requests (connect, send, answer).
    public var sendingSeconds = 0.0
    /// Snapshots taken and seconds spent taking them (encode under the registries' locks, then compress).
    public var snapshots = 0
    public var snapshotSeconds = 0.0
    /// Bytes sent in accepted requests (snappy) and their size before compression.
    public var bytesSent = 0
    public var bytesUncompressed = 0
    /// Samples per second of each accepted request, and seconds of each snapshot (the last 10,000 of each).
    public var requestRates: [Double] = []
    public var snapshotTimes: [Double] = []
    /// CPU seconds of the snapshotting thread for each snapshot: its cost whatever else the machine runs.
    public var snapshotCPUTimes: [Double] = []

    /// The median of `values` (0 when empty).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// One line for the log when the writer stops.
    public var summary: String {
        let overall = sendingSeconds + snapshotSeconds > 0 ? Double(samplesSent) / (sendingSeconds + snapshotSeconds) : 0
        return "\(samplesSent) samples sent in \(requests) requests (\(bytesSent) bytes snappy, \(bytesUncompressed) protobuf); "
            + "median \(Int(Self.median(requestRates))) samples/s per request, median snapshot \(String(format: "%.1f", Self.median(snapshotTimes) * 1000)) ms "
            + "(\(String(format: "%.1f", Self.median(snapshotCPUTimes) * 1000)) ms CPU; encode and compress, \(snapshots) snapshots); "
            + "\(Int(overall)) samples/s over snapshot and send time"
    }

    mutating func keep(_ value: Double, in list: WritableKeyPath<RemoteWriteStatistics, [Double]>) {
        if self[keyPath: list].count >= 10_000 { self[keyPath: list].removeFirst() }
        self[keyPath: list].append(value)
    }
}

/// Pushes every series to a Prometheus remote write receiver: every ``RemoteWriteOptions/interval``
/// a snapshot of all series with one timestamp, from the registries' own data
/// (``RemoteWriteSeries``), encoded as protobuf `WriteRequest`s and snappy-compressed, goes to a
/// bounded buffer; a sender thread posts the oldest snapshot's requests in order.
///
/// - 2xx: sent. 5xx, 429 and connection failures: retried, with exponential backoff from
///   ``RemoteWriteOptions/minBackoff`` to ``RemoteWriteOptions/maxBackoff``; samples are sent in
///   time order, so a receiver that restarts gets the buffered snapshots oldest first (Prometheus
///   refuses a sample older than the newest of its series).
/// - Any other status (a 400 for a sample Prometheus will never take): the request's samples are
///   dropped and counted as failed, with the reason logged.
/// - Buffer full: the oldest snapshot's unsent samples are dropped and counted.
///
/// Its own series, registered in the registry that ``counters`` hands over (the server's health
/// registry, so they are on `/metrics` and in the snapshots): `logq_remote_write_samples_sent_total`,
/// `…_samples_failed_total`, `…_samples_dropped_total`, `…_last_success_timestamp_seconds`.
///
/// One request per connection (``RemoteClient``): on loopback a connect costs tens of
/// microseconds against milliseconds for a request of 2,000 samples, so keep-alive would not pay.
public final class RemoteWriter: @unchecked Sendable {
    /// Runs `body` with the registries to snapshot, under whatever locks guard them.
    public typealias Registries = @Sendable (_ body: ([MetricRegistry]) -> Void) -> Void
    /// Runs `body` with the registry that holds the writer's own series, under its lock.
    public typealias Counters = @Sendable (_ body: (MetricRegistry) -> Void) -> Void

    /// One snapshot: its requests, compressed, and the first one not yet answered.
    private struct Snapshot {
        var id: UInt64
        var requests: [Request]
        var next = 0
        /// Samples of the requests from `from` on.
        func samples(from: Int) -> Int { requests[from...].reduce(0) { $0 + $1.samples } }
    }

    private struct Request {
        var body: [UInt8]
        var samples: Int
        var uncompressed: Int
    }

    /// How a request ended.
    private enum Outcome {
        case sent
        case refused(String)
        case retry(String)
    }

    public let options: RemoteWriteOptions
    private let client: RemoteClient
    private let registries: Registries
    private let counters: Counters
    private let isReady: @Sendable () -> Bool
    private let log: @Sendable (String) -> Void

    // Every member below is read and written with `condition` locked; `registries` and
    // `counters` are never called with it locked (they take other locks).
    private let condition = NSCondition()
    private var queue: [Snapshot] = []
    private var inFlight: (snapshot: UInt64, exchange: RemoteExchange, since: Double)?
    private var nextID: UInt64 = 0
    /// The ticker stops (no more snapshots); the sender drains the buffer.
    private var stopping = false
    /// The sender stops now.
    private var abandoned = false
    private var failuresInARow = 0
    private var droppedThisOutage = 0
    private var statistics = RemoteWriteStatistics()
    private let tickerDone = DispatchSemaphore(value: 0)
    private let senderDone = DispatchSemaphore(value: 0)
    private var started = false

    // The writer's own series; used only inside `counters`.
    private var sentFamily: MetricFamily?
    private var failedFamily: MetricFamily?
    private var droppedFamily: MetricFamily?
    private var lastSuccessFamily: MetricFamily?

    /// A writer to `options.url`; nothing runs until ``start()``. `isReady`: whether the
    /// registries hold what they should (a server's restore from its store has finished);
    /// snapshots wait for it. `log`: one line per event worth an operator's attention.
    public init(
        options: RemoteWriteOptions, registries: @escaping Registries, counters: @escaping Counters,
        isReady: @escaping @Sendable () -> Bool = { true }, log: @escaping @Sendable (String) -> Void
    ) throws(RemoteError) {
        self.options = options
        client = try RemoteClient(
            url: options.url, token: options.token, userAgent: "logq-remote-write", tls: TLSClientSettings(caFile: options.caFile))
        self.registries = registries
        self.counters = counters
        self.isReady = isReady
        self.log = log
        counters { registry in
            let sent = registry.family(
                "logq_remote_write_samples_sent", help: "Samples the remote write receiver accepted.", kind: .counter, labels: [])
            let failed = registry.family(
                "logq_remote_write_samples_failed",
                help: "Samples the remote write receiver refused for good (a 4xx answer other than 429); not retried.",
                kind: .counter, labels: [])
            let dropped = registry.family(
                "logq_remote_write_samples_dropped",
                help: "Samples dropped unsent because the remote write buffer was full (the receiver was unreachable) or the server stopped.",
                kind: .counter, labels: [])
            let last = registry.family(
                "logq_remote_write_last_success_timestamp_seconds",
                help: "When the remote write receiver last accepted a request, epoch seconds (0: never).", kind: .gauge, labels: [])
            for family in [sent, failed, dropped] { family.add([], 0) }
            last.set([], 0, at: Int64.min + 1)
            sentFamily = sent
            failedFamily = failed
            droppedFamily = dropped
            lastSuccessFamily = last
        }
    }

    /// Starts the ticker and the sender threads.
    public func start() {
        condition.withLock { started = true }
        let ticker = Thread { [self] in
            tick()
            tickerDone.signal()
        }
        ticker.name = "logq-remote-write-tick"
        ticker.start()
        let sender = Thread { [self] in
            sendLoop()
            senderDone.signal()
        }
        sender.name = "logq-remote-write-send"
        sender.start()
    }

    /// Stops: no more ticks, one last snapshot, then up to `seconds` to deliver the buffer;
    /// what is still unsent then is dropped (and counted). Returns the statistics.
    @discardableResult
    public func stop(flushWithin seconds: Double) -> RemoteWriteStatistics {
        let wasStarted = condition.withLock {
            stopping = true
            condition.broadcast()
            return started
        }
        guard wasStarted else { return condition.withLock { self.statistics } }
        tickerDone.wait()
        takeSnapshot()
        let deadline = Date().addingTimeInterval(seconds)
        let left = condition.withLock {
            while !(queue.isEmpty && inFlight == nil), condition.wait(until: deadline) {}
            abandoned = true
            inFlight?.exchange.abort()
            condition.broadcast()
            return queue.reduce(0) { $0 + $1.samples(from: $1.next) }
        }
        senderDone.wait()
        if left > 0 {
            log("remote write to \(options.url): \(left) samples not delivered within \(seconds) s of stopping; dropped")
            counters { _ in droppedFamily?.add([], Double(left)) }
        }
        let statistics = condition.withLock { self.statistics }
        log("remote write to \(options.url) stopped: \(statistics.summary)")
        return statistics
    }

    /// What the writer has done so far.
    public var currentStatistics: RemoteWriteStatistics { condition.withLock { statistics } }

    /// Snapshots held (waiting or being sent).
    public var buffered: Int { condition.withLock { queue.count } }

    // MARK: ticker

    /// Every interval, a snapshot; in between, gives up a request that has run too long.
    private func tick() {
        var due = Date().timeIntervalSince1970 + options.interval
        while true {
            let stop: Bool = condition.withLock {
                while !stopping {
                    let now = Date().timeIntervalSince1970
                    if let inFlight, now - inFlight.since > options.requestTimeout { inFlight.exchange.abort() }
                    if now >= due { break }
                    _ = condition.wait(until: Date(timeIntervalSince1970: min(due, now + 0.5)))
                }
                return stopping
            }
            if stop { return }
            let now = Date().timeIntervalSince1970
            due += options.interval
            if due < now { due = now + options.interval }  // a stall: skip the ticks missed
            if isReady() { takeSnapshot() }
        }
    }

    /// Encodes every series now (under the registries' locks), compresses, and queues it;
    /// drops the oldest snapshot when the buffer is full.
    func takeSnapshot() {
        let start = Date()
        let cpuStart = Self.threadCPUSeconds()
        let timestamp = Int64((start.timeIntervalSince1970 * 1000).rounded(.down))
        var encoded: [(protobuf: [UInt8], samples: Int)] = []
        registries { registries in
            encoded = RemoteWriteSeries.encode(registries, timestamp: timestamp, maxSeries: options.maxSeriesPerRequest)
        }
        let requests = encoded.map { Request(body: Snappy.compress($0.protobuf), samples: $0.samples, uncompressed: $0.protobuf.count) }
        let seconds = Date().timeIntervalSince(start)
        let cpuSeconds = Self.threadCPUSeconds() - cpuStart
        var dropped = 0
        var logDrop = false
        condition.withLock {
            statistics.snapshots += 1
            statistics.snapshotSeconds += seconds
            statistics.keep(seconds, in: \.snapshotTimes)
            statistics.keep(cpuSeconds, in: \.snapshotCPUTimes)
            guard !requests.isEmpty else { return }
            while queue.count >= max(1, options.bufferSnapshots) {
                let oldest = queue.removeFirst()
                // A request in flight is counted when it ends (sent, refused, or dropped then).
                let from = inFlight?.snapshot == oldest.id ? oldest.next + 1 : oldest.next
                dropped += oldest.samples(from: min(from, oldest.requests.count))
                logDrop = droppedThisOutage == 0
                droppedThisOutage += 1
            }
            queue.append(Snapshot(id: nextID, requests: requests))
            nextID += 1
            condition.broadcast()
        }
        if dropped > 0 {
            counters { _ in droppedFamily?.add([], Double(dropped)) }
            if logDrop {
                log(
                    "remote write to \(options.url): the buffer of \(options.bufferSnapshots) snapshots is full; dropping the oldest (counted in logq_remote_write_samples_dropped_total)"
                )
            }
        }
    }

    /// CPU time of the calling thread, seconds.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: sender

    private func sendLoop() {
        while true {
            let collector = ResponseCollector()
            let exchange = collector.exchange()
            let next: (id: UInt64, request: Request)? = condition.withLock {
                // Runs until abandoned: after `stopping` comes the last snapshot, to be sent too.
                while queue.isEmpty && !abandoned { condition.wait() }
                guard !abandoned, let head = queue.first else { return nil }
                inFlight = (head.id, exchange, Date().timeIntervalSince1970)
                return (head.id, head.requests[head.next])
            }
            guard let next else { return }
            let start = Date()
            let outcome = send(next.request, collector: collector, exchange: exchange)
            let seconds = Date().timeIntervalSince(start)
            var sent = 0
            var failed = 0
            var dropped = 0
            var backoff: Double?
            var message: String?
            condition.withLock {
                inFlight = nil
                let current = queue.first?.id == next.id
                switch outcome {
                case .sent:
                    sent = next.request.samples
                    statistics.samplesSent += sent
                    statistics.requests += 1
                    statistics.sendingSeconds += seconds
                    statistics.bytesSent += next.request.body.count
                    statistics.bytesUncompressed += next.request.uncompressed
                    statistics.keep(Double(sent) / max(seconds, 1e-9), in: \.requestRates)
                    if failuresInARow > 0 || droppedThisOutage > 0 {
                        message = "remote write to \(options.url): delivering again after \(failuresInARow) failed attempts"
                            + (droppedThisOutage > 0 ? " and \(droppedThisOutage) snapshots dropped" : "")
                    }
                    failuresInARow = 0
                    droppedThisOutage = 0
                case .refused(let reason):
                    failed = next.request.samples
                    message = "remote write to \(options.url): \(failed) samples refused, not retried: \(reason)"
                case .retry(let reason):
                    if !current {
                        dropped = next.request.samples  // its snapshot left the buffer meanwhile
                    }
                    failuresInARow += 1
                    if failuresInARow == 1 {
                        message = "remote write to \(options.url) failed (\(reason)); retrying with backoff up to \(options.maxBackoff) s, buffering up to \(options.bufferSnapshots) snapshots"
                    }
                    backoff = min(options.maxBackoff, options.minBackoff * pow(2, Double(min(failuresInARow - 1, 30))))
                }
                if current, backoff == nil {
                    queue[0].next += 1
                    if queue[0].next == queue[0].requests.count { queue.removeFirst() }
                }
                condition.broadcast()
            }
            if let message { log(message) }
            if sent > 0 || failed > 0 || dropped > 0 {
                let nanos = Int64(Date().timeIntervalSince1970 * 1e9)
                counters { _ in
                    if sent > 0 {
                        sentFamily?.add([], Double(sent))
                        lastSuccessFamily?.set([], Double(nanos / 1_000_000) / 1000, at: nanos)
                    }
                    if failed > 0 { failedFamily?.add([], Double(failed)) }
                    if dropped > 0 { droppedFamily?.add([], Double(dropped)) }
                }
            }
            if let backoff {
                let until = Date().addingTimeInterval(backoff)
                condition.withLock {
                    while !abandoned, condition.wait(until: until) {}
                }
            }
        }
    }

    /// One POST of `request`: what came of it.
    private func send(_ request: Request, collector: ResponseCollector, exchange: RemoteExchange) -> Outcome {
        let headers = [
            ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ]
        do {
            // The URL's path is the client's base path; a URL without one posts to `/`.
            _ = try client.send(method: .POST, path: client.basePath.isEmpty ? "/" : "", headers: headers, body: request.body, exchange: exchange)
        } catch {
            // RemoteClient's hint is for `logq --server`; a receiver is not a logq serve.
            return .retry(error.message.replacingOccurrences(of: " (is 'logq serve' running there?)", with: ""))
        }
        let status = collector.status
        let answer = String(decoding: collector.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = "HTTP \(status)" + (answer.isEmpty ? "" : ": \(answer)")
        switch status {
        case 200..<300: return .sent
        case 429, 500..<600: return .retry(reason)
        default: return .refused(reason)
        }
    }
}

/// A response's status and the first bytes of its body (an error message), as they arrive.
final class ResponseCollector: @unchecked Sendable {
    // Sendable by hand: written by the sending thread's callbacks, read by it after the send.
    var status = 0
    var body: [UInt8] = []

    /// An exchange that fills this collector.
    func exchange() -> RemoteExchange {
        RemoteExchange(
            onHead: { self.status = Int($0.status.code) },
            onBody: { buffer in
                guard self.body.count < 512 else { return }
                self.body.append(contentsOf: buffer.readableBytesView.prefix(512 - self.body.count))
            })
    }
}
