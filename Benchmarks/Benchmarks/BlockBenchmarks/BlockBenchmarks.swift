// Block encode / decode: one block of Limits.eventsPerBlock (4,096) events, the unit the
// store writes and a query reads (columns, shredding, DEFLATE at Limits.compressionLevel).
// One iteration = one block.

import AuditCore
import BenchSupport
import Benchmark
import SegmentStore

/// Size of the encoded block body (bytes, header included).
let blockBytesMetric = BenchmarkMetric.custom("Block bytes", polarity: .prefersSmaller, useScalingFactor: false)

/// 4,096 decoded events (90% k8s audit, 10% CloudTrail) and their encoded block, built once
/// per process on first use (in a benchmark's setup, so never measured).
enum BlockInput {
    static let events: [AuditEvent] = Inputs.mixedEvents(count: Limits.eventsPerBlock)
    static let body: [UInt8] = Block.encode(events)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 2,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )

    Benchmark(
        "Block.encode 4096 events",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, blockBytesMetric],
            warmupIterations: 2, maxDuration: .seconds(2), maxIterations: 1_000)
    ) { benchmark, events in
        let body = Block.encode(events)
        benchmark.measurement(blockBytesMetric, body.count)
        blackHole(body)
    } setup: {
        BlockInput.events
    }

    Benchmark("Block.decode 4096 events") { benchmark, body in
        let events = body.withUnsafeBytes { Block.decode($0) }
        guard let events, events.count == Limits.eventsPerBlock else { fatalError("block did not decode") }
        blackHole(events)
    } setup: {
        BlockInput.body
    }
}
