import Foundation
import MetricsAgg
import SegmentStore

/// `logq serve`'s own health on `/metrics`, beside the event metrics of ``MetricsService``:
///
/// - `logq_ingest_events_total{source}`, `logq_ingest_duplicates_total{source}`: events stored
///   and events skipped as already stored, by event source, counted after their commit returned;
/// - `logq_ingest_rejected_total{endpoint}`: values rejected (sent to the quarantine), by route;
/// - `logq_commit_duration_seconds`: one observation per group commit (appends' fsyncs included);
/// - `logq_fsync_failures_total`: commits that failed (a write or an fsync); after one the server
///   takes no more events (`/readyz` says why);
/// - `logq_store_bytes`, `logq_store_segments`: the store's segment files, from a folder listing
///   cached for ``storeListingSeconds``;
/// - `logq_tail_subscribers`: live `/v1/tail` responses;
/// - `logq_writer_open_partitions`, `logq_dedupe_ids`: hours the writer holds open and the
///   dedupe IDs it holds in memory (after each commit); `logq_dedupe_minutes_loaded_total`:
///   minutes of IDs read back from disk for a late or re-sent event;
/// - `logq_http_requests_total{route,code}`: answered requests, by known route (`other` for the
///   rest) and status code (``HTTPMetricsMiddleware``).
///
/// Counters live in memory and start at 0 with each process. Thread-safe: one lock around the
/// registry, taken for a few microseconds per commit, request and scrape.
public final class ServerHealthMetrics: @unchecked Sendable {
    // Every member below is read and written under `lock`.
    private let lock = NSLock()
    private let registry = MetricRegistry()
    private let stored: MetricFamily
    private let duplicates: MetricFamily
    private let rejected: MetricFamily
    private let commitDuration: MetricFamily
    private let fsyncFailures: MetricFamily
    private let storeBytes: MetricFamily
    private let storeSegments: MetricFamily
    private let tailSubscribers: MetricFamily
    private let httpRequests: MetricFamily
    private let openPartitions: MetricFamily
    private let dedupeIDs: MetricFamily
    private let minutesLoaded: MetricFamily
    private var listedAt: Double = -.infinity
    private var tails: TailHub?
    /// The store whose segments are listed; nil: no store gauges.
    private let directory: DataDirectory?

    /// Seconds a store listing is reused before the folder is listed again.
    public let storeListingSeconds: Double

    /// Commit latency bucket bounds, seconds: an fsync on a quiet SSD is ~1 ms, on a busy disk 10–100 ms.
    public static let commitBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    public init(directory: DataDirectory?, storeListingSeconds: Double = 5) {
        self.directory = directory
        self.storeListingSeconds = storeListingSeconds
        stored = registry.family(
            "logq_ingest_events", help: "Events received over HTTP and stored (durable once counted), by event source.",
            kind: .counter, labels: ["source"])
        duplicates = registry.family(
            "logq_ingest_duplicates", help: "Events received over HTTP that were already stored (a re-sent batch) and skipped, by event source.",
            kind: .counter, labels: ["source"])
        rejected = registry.family(
            "logq_ingest_rejected", help: "Values received over HTTP that are not events logq reads, kept in the quarantine (logq rejects), by endpoint.",
            kind: .counter, labels: ["endpoint"])
        commitDuration = registry.family(
            "logq_commit_duration_seconds", help: "Time of one group commit of the ingest writer (appends and fsyncs), seconds.",
            kind: .histogram(buckets: Self.commitBuckets), labels: [])
        fsyncFailures = registry.family(
            "logq_fsync_failures", help: "Commits that failed to write or fsync; after one the server takes no more events until restarted.",
            kind: .counter, labels: [])
        storeBytes = registry.family(
            "logq_store_bytes", help: "Bytes of the store's segment files (listed at most every few seconds).",
            kind: .gauge, labels: [])
        storeSegments = registry.family(
            "logq_store_segments", help: "Segment files in the store (listed at most every few seconds).",
            kind: .gauge, labels: [])
        tailSubscribers = registry.family(
            "logq_tail_subscribers", help: "Live /v1/tail responses now.", kind: .gauge, labels: [])
        httpRequests = registry.family(
            "logq_http_requests", help: "HTTP requests answered, by route (other: not a route of logq) and status code.",
            kind: .counter, labels: ["route", "code"])
        openPartitions = registry.family(
            "logq_writer_open_partitions", help: "Hours the ingest writer holds open (an open segment and dedupe IDs each).",
            kind: .gauge, labels: [])
        dedupeIDs = registry.family(
            "logq_dedupe_ids", help: "Event IDs the ingest writer holds in memory for dedupe (minutes no event came for lately are let go).",
            kind: .gauge, labels: [])
        minutesLoaded = registry.family(
            "logq_dedupe_minutes_loaded", help: "Minutes of event IDs read back from disk for a late or re-sent event.",
            kind: .counter, labels: [])
        minutesLoaded.add([], 0)
        // Series without labels exist at 0 from the start, so increase() sees their first change.
        fsyncFailures.add([], 0)
    }

    /// The hub whose live tails ``logq_tail_subscribers`` counts.
    public func follow(tails hub: TailHub) {
        lock.withLock { tails = hub }
    }

    /// One group commit that returned after `seconds`: events stored and skipped by source,
    /// values rejected by endpoint.
    func committed(seconds: Double, stored: [String: Int], duplicates: [String: Int], rejected: [String: Int]) {
        lock.withLock {
            commitDuration.observe([], seconds)
            for (source, n) in stored where n > 0 { self.stored.add([source], Double(n)) }
            for (source, n) in duplicates where n > 0 { self.duplicates.add([source], Double(n)) }
            for (endpoint, n) in rejected where n > 0 { self.rejected.add([endpoint], Double(n)) }
        }
    }

    /// The writer after a commit: hours open, dedupe IDs in memory, minutes read back so far.
    func writer(openPartitions partitions: Int, dedupeIDs ids: Int, minutesLoaded loaded: Int) {
        let nanos = Int64(Date().timeIntervalSince1970 * 1e9)
        lock.withLock {
            openPartitions.set([], Double(partitions), at: nanos)
            dedupeIDs.set([], Double(ids), at: nanos)
            let before = minutesLoaded.value([]) ?? 0
            if Double(loaded) > before { minutesLoaded.add([], Double(loaded) - before) }
        }
    }

    /// A commit that failed (write or fsync) after `seconds`.
    func commitFailed(seconds: Double) {
        lock.withLock {
            commitDuration.observe([], seconds)
            fsyncFailures.add([])
        }
    }

    /// One answered HTTP request.
    func answered(route: String, code: Int) {
        lock.withLock { httpRequests.add([route, String(code)]) }
    }

    /// The value of a counter or gauge series, for tests: `family` is the name without `_total`.
    public func value(_ family: String, _ labels: [String] = []) -> Double? {
        lock.withLock { registry.family(id: family)?.value(labels) }
    }

    /// Brings the gauges up to date and runs `body` with the registry under the lock (to render it).
    public func withRegistry<R>(_ body: (MetricRegistry) throws -> R) rethrows -> R {
        try lock.withLock {
            refreshGauges()
            return try body(registry)
        }
    }

    /// Gauges read when scraped: tails now, the store's listing when the cached one is old.
    private func refreshGauges() {
        let now = Date().timeIntervalSince1970
        let nanos = Int64(now * 1e9)
        if let tails { tailSubscribers.set([], Double(tails.count), at: nanos) }
        guard let directory, now - listedAt >= storeListingSeconds else { return }
        listedAt = now
        let (bytes, segments) = Self.segmentFiles(under: directory.path + "/" + FileNames.partitions)
        storeBytes.set([], Double(bytes), at: nanos)
        storeSegments.set([], Double(segments), at: nanos)
    }

    /// Total size and number of `*.seg` files under `root` (partition folders one level down).
    static func segmentFiles(under root: String) -> (bytes: Int64, count: Int) {
        var bytes: Int64 = 0
        var count = 0
        let files = FileManager.default
        for partition in (try? files.contentsOfDirectory(atPath: root)) ?? [] {
            let folder = root + "/" + partition
            for name in (try? files.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(FileNames.segmentSuffix) {
                var info = stat()
                guard stat(folder + "/" + name, &info) == 0 else { continue }
                bytes += Int64(info.st_size)
                count += 1
            }
        }
        return (bytes, count)
    }
}
