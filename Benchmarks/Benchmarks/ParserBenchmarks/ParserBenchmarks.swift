// Parser throughput: input bytes in memory → JSONValueReader → EventDecoder → AuditEvent,
// as `logq ingest` does for each input (minus the disk and the store). One iteration is
// 1,000 events (scalingFactor .kilo), so the scaled throughput reads as events/s.

import AuditCore
import AuditIngest
import BenchSupport
import Benchmark

/// Input bytes per second of the measured work (not scaled).
let bytesPerSecondMetric = BenchmarkMetric.custom("Bytes/s", polarity: .prefersLarger, useScalingFactor: false)

/// A k8s audit log (JSON lines) read as one long stream: each step reads and decodes the next
/// line; at the end the stream starts over with a new reader, as the next hourly file would.
final class K8sStream {
    let bytes: [UInt8]
    var reader: JSONValueReader
    let decoder = EventDecoder(file: "audit.jsonl", fallbackTime: 0)

    init(lines: [[UInt8]]) {
        bytes = Inputs.jsonl(lines)
        reader = JSONValueReader(source: InMemorySource(bytes))
    }

    /// Reads and decodes one value (one event); returns the value's size in bytes.
    @inline(__always)
    func step() -> Int {
        var item = reader.next()
        if item == nil {
            reader = JSONValueReader(source: InMemorySource(bytes))
            item = reader.next()
        }
        guard case .value(let range, let line, let offset) = item else { fatalError("unexpected \(String(describing: item))") }
        do {
            try reader.buffer.withUnsafeBufferPointer { b in
                try decoder.decode(b, range, line: line, offset: offset, emit: { blackHole($0) }) { rejection in
                    fatalError("rejected: \(rejection)")
                }
            }
        } catch {
            fatalError("decode failed: \(error)")
        }
        return range.count
    }
}

/// CloudTrail delivery files of 1,000 records each; each step reads one whole file with a new
/// reader (as ingest does per file) and decodes its records.
final class CloudTrailFiles {
    let files: [[UInt8]]
    var next = 0
    let decoder = EventDecoder(file: "CloudTrail.json", fallbackTime: 0)

    init(records: [[UInt8]], perFile: Int) {
        files = stride(from: 0, to: records.count, by: perFile).map {
            Inputs.recordsFile(records[$0..<min($0 + perFile, records.count)])
        }
    }

    /// Reads and decodes the next file; returns (events, bytes).
    func step() -> (events: Int, bytes: Int) {
        let bytes = files[next]
        next = (next + 1) % files.count
        var reader = JSONValueReader(source: InMemorySource(bytes))
        var events = 0
        while let item = reader.next() {
            guard case .value(let range, let line, let offset) = item else { fatalError("malformed CloudTrail input") }
            do {
                try reader.buffer.withUnsafeBufferPointer { b in
                    try decoder.decode(
                        b, range, line: line, offset: offset,
                        emit: {
                            events += 1
                            blackHole($0)
                        }
                    ) { rejection in
                        fatalError("rejected: \(rejection)")
                    }
                }
            } catch {
                fatalError("decode failed: \(error)")
            }
        }
        return (events, bytes.count)
    }
}

/// The k8s lines as one buffer and where each line starts, for the raw scanner.
final class ScanLines {
    let bytes: [UInt8]
    let starts: [Int]
    var cursor = 0

    init(lines: [[UInt8]]) {
        bytes = Inputs.jsonl(lines)
        var starts: [Int] = []
        var offset = 0
        for line in lines {
            starts.append(offset)
            offset += line.count + 1
        }
        self.starts = starts
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, bytesPerSecondMetric],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    // ~10k k8s audit events (~1.1 KB each, ~11 MB), read as one stream.
    Benchmark("k8s audit JSONL: JSONValueReader + EventDecoder (events)") { benchmark, stream in
        let t0 = monotonicNanos()
        var bytes = 0
        for _ in benchmark.scaledIterations {
            bytes += stream.step()
        }
        benchmark.measurement(bytesPerSecondMetric, bytesPerSecond(bytes, nanos: monotonicNanos() - t0))
    } setup: {
        K8sStream(lines: Inputs.k8sLines(count: 10_000))
    }

    // 10 CloudTrail files of 1,000 records (~1.4 MB each); one iteration = one file = 1,000 events.
    Benchmark("CloudTrail Records file: JSONValueReader + EventDecoder (events)") { benchmark, files in
        let t0 = monotonicNanos()
        let (events, bytes) = files.step()
        benchmark.measurement(bytesPerSecondMetric, bytesPerSecond(bytes, nanos: monotonicNanos() - t0))
        precondition(events == benchmark.scaledIterations.count, "a file must hold scalingFactor records")
    } setup: {
        CloudTrailFiles(records: Inputs.cloudTrailRecords(count: 10_000), perFile: 1_000)
    }

    // Raw scan: JSONScanner.skipValue over each k8s line, no decoding (1,000 lines per iteration).
    Benchmark(
        "JSONScanner.skipValue over k8s lines (lines)",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, bytesPerSecondMetric],
            warmupIterations: 3, scalingFactor: .kilo, maxDuration: .seconds(1), maxIterations: 20_000)
    ) { benchmark, lines in
        let t0 = monotonicNanos()
        var bytes = 0
        lines.bytes.withUnsafeBufferPointer { b in
            var cursor = lines.cursor
            for _ in benchmark.scaledIterations {
                let start = lines.starts[cursor]
                do {
                    bytes += try JSONScanner.skipValue(b, start) - start
                } catch {
                    fatalError("scan failed: \(error)")
                }
                cursor += 1
                if cursor == lines.starts.count { cursor = 0 }
            }
            lines.cursor = cursor
        }
        benchmark.measurement(bytesPerSecondMetric, bytesPerSecond(bytes, nanos: monotonicNanos() - t0))
        blackHole(bytes)
    } setup: {
        ScanLines(lines: Inputs.k8sLines(count: 10_000))
    }
}
