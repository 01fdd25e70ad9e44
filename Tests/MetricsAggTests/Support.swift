import AuditCore
import AuditIngest
import Foundation
@testable import MetricsAgg
import SegmentStore
import TestSupport

/// 2026-11-24T12:00:00Z, ns.
let fixedNow: Int64 = 1_795_521_600_000_000_000

/// A writer on `directory`, retried while another test's writer still holds its lock.
func openWriter(_ directory: DataDirectory) throws -> StoreWriter {
    var attempts = 0
    while true {
        do {
            return try StoreWriter(directory: directory)
        } catch let error as StoreError where error.message.contains("another logq writer") && attempts < 500 {
            attempts += 1
            usleep(10_000)
        }
    }
}

/// A temporary store holding the events of `lines` (JSON lines, any source), ingested by the
/// real ingestor, plus the files of `paths`.
func store(lines: [String] = [], paths: [String] = [], label: String = "logq-metrics") throws -> (TemporaryDirectory, DataDirectory) {
    let temp = TemporaryDirectory(label)
    let directory = DataDirectory(path: temp.path + "/data")
    try ingest(lines: lines, paths: paths, into: directory, temp: temp)
    return (temp, directory)
}

/// Ingests `lines` and `paths` into `directory` (one commit per call).
func ingest(lines: [String], paths: [String] = [], into directory: DataDirectory, temp: TemporaryDirectory) throws {
    let writer = try openWriter(directory)
    let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
    var all = paths
    if !lines.isEmpty {
        all.append(temp.write("input-\(UInt64.random(in: 0...UInt64.max)).jsonl", text: lines.joined(separator: "\n") + "\n"))
    }
    try ingestor.ingest(paths: all)
    try writer.close()
}

/// An aggregator restored from `directory` (every stored block folded).
func aggregate(_ directory: DataDirectory, rules: [MetricRule] = [], configuration: MetricsConfiguration = MetricsConfiguration()) throws -> MetricsAggregator {
    let aggregator = MetricsAggregator(configuration: configuration, rules: rules)
    let reader = StoreReader(directory: directory)
    for partition in try reader.partitions() {
        for body in try reader.collectBlocks(partition: partition).bodies {
            guard let view = BlockView(body: body) else { throw MetricsError(code: .io, message: "damaged block in test store") }
            _ = aggregator.fold(view: view)
        }
    }
    return aggregator
}

/// The value of the series of family `id` with exactly `labels`, nil when there is none.
func value(_ aggregator: MetricsAggregator, _ id: String, _ labels: [String]) -> Double? {
    aggregator.samples(id).first(where: { $0.labels == labels })?.value
}

/// The real Container Insights sample (awsdocs), when the real data is present.
var containerInsightsSample: String? {
    TestPaths.realdata.map { $0 + "/container-insights-emf-awsdocs/container_insights_performance_events.jsonl" }
}

/// `promtool` on PATH (or at /usr/bin/promtool), if installed.
let promtool: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let candidates = path.split(separator: ":").map { $0 + "/promtool" } + ["/usr/bin/promtool"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Whether two doubles agree to 1e-12 relative.
func close(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= 1e-12 * max(1, abs(b))
}
