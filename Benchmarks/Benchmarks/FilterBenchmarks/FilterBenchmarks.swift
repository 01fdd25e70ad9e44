// Filter evaluation: `query.filter.matches(event)` over 100k decoded events (90% k8s audit,
// 10% CloudTrail): the per-event path of a query, on materialized AuditEvents.
// One iteration tests the next 1,000 events (scalingFactor .kilo), walking through all 100k,
// so the scaled throughput reads as events/s and the wall clock per iteration in µs equals
// the cost per event in ns.

import AuditCore
import BenchSupport
import Benchmark
import LogQuery
import SegmentStore

/// Events of the iteration's 1,000 that matched (selectivity; not scaled).
let matchesMetric = BenchmarkMetric.custom("Matches /1000", polarity: .prefersLarger, useScalingFactor: false)

/// The 100k events, built once per process on first use (in setup, never measured).
enum FilterInput {
    static let events: [AuditEvent] = Inputs.mixedEvents(count: 100_000)
}

final class FilterRun {
    let events: [AuditEvent]
    let filter: FilterExpression
    var cursor = 0

    init(query: String) throws {
        events = FilterInput.events
        // `now` only matters for since=/until=, which these queries do not use.
        filter = try Query.parse(query, now: 1_795_996_800_000_000_000).filter
    }
}

/// One encoded block and a filter, for the block-mask benchmarks.
struct BlockInput {
    let body: [UInt8]
    let filter: FilterExpression
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, matchesMetric],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 20_000
    )

    let queries: [(name: String, query: String)] = [
        ("exact", "verb=delete"),
        ("wildcard", "user=system:node:*"),
        ("regex", "uri~^/api/v1/namespaces/[^/]+/secrets"),
        ("full text", "mallory"),
    ]

    for (name, query) in queries {
        Benchmark("Filter \(name): \(query) (events)") { benchmark, run in
            let events = run.events
            let filter = run.filter
            let base = run.cursor
            var matched = 0
            for i in benchmark.scaledIterations where filter.matches(events[base + i]) {
                matched += 1
            }
            run.cursor = (base + benchmark.scaledIterations.count) % events.count
            benchmark.measurement(matchesMetric, matched)
            blackHole(matched)
        } setup: {
            try FilterRun(query: query)
        }

        // The path queries take: one 4,096-event block decoded (columns on demand) and the
        // filter evaluated column-wise (once per dictionary entry). One iteration = one block.
        Benchmark(
            "Filter \(name): \(query) (block mask)",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 3, scalingFactor: .one,
                maxDuration: .seconds(1), maxIterations: 2_000)
        ) { (benchmark: Benchmark, input: BlockInput) in
            for _ in benchmark.scaledIterations {
                guard let view = BlockView(body: input.body) else { fatalError("block does not decode") }
                blackHole(input.filter.mask(view).reduce(0) { $0 + ($1 ? 1 : 0) })
            }
        } setup: {
            let run = try FilterRun(query: query)
            return BlockInput(body: Block.encode(Array(run.events.prefix(4_096))), filter: run.filter)
        }
    }
}
