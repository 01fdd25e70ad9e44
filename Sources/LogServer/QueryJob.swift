import AuditCore
import LogQuery
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// What a query's scan hands to the response writer: printed bytes, then how it ended.
enum QueryMessage: Sendable {
    case data([UInt8])
    case end(QueryEnd)
}

/// How a query run ended.
struct QueryEnd: Sendable {
    /// Events that passed the filter and the window.
    var matched = 0
    /// Damage the answer was computed over (skipped blocks, segments missing or cut short).
    var warnings: [String] = []
    /// Why it did not finish; nil when it did.
    var failure: QueryFailure?
}

/// Why a query run did not finish.
enum QueryFailure: Sendable {
    /// A query that parses but cannot run (`sort` of events without a field, …).
    case badQuery(QueryError)
    /// Past the server's query time limit.
    case timedOut(Duration)
    /// The client went away.
    case cancelled
    /// The store could not be read.
    case failed(String)
}

/// Runs one query on a thread of its own and prints its results into a ``QueryChannel`` in
/// chunks, as the CLI would print them to its stdout.
enum QueryJob {
    /// Bytes gathered before a chunk is handed on.
    static let chunkBytes = 64 << 10
    /// Chunks that may wait unread: with ``chunkBytes``, what a slow client can hold in memory.
    static let channelCapacity = 4

    /// Starts `request` over `directory`; its results arrive on the returned channel. Nil when
    /// no thread can be had.
    static func start(_ request: QueryRequest, directory: DataDirectory, timeout: Duration?) -> QueryChannel<QueryMessage>? {
        let channel = QueryChannel<QueryMessage>(capacity: channelCapacity)
        let deadline = timeout.map { monotonicNow() + Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000 }
        let started = BlockingThread.start {
            let end = run(request, directory: directory, deadline: deadline, timeout: timeout, channel: channel)
            _ = channel.send(.end(end))
        }
        return started ? channel : nil
    }

    /// The scan itself (blocking): prints into chunks, sends each, returns how it ended.
    static func run(
        _ request: QueryRequest, directory: DataDirectory, deadline: Int64?, timeout: Duration?, channel: QueryChannel<QueryMessage>
    ) -> QueryEnd {
        let buffer = ChunkBuffer()
        let query = request.query
        let projection = QueryRunner.projection(query)
        let write: ([UInt8]) -> Void = { buffer.bytes += $0 }
        let printer: any ResultSink =
            request.forPage
            ? WebUIRowPrinter(projection: projection, write: write)
            : ResultPrinter(format: request.format, colour: false, projection: projection, write: write)
        let stop: @Sendable () -> Bool = { channel.isCancelled || deadline.map { monotonicNow() >= $0 } ?? false }
        let runner = QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory), shouldStop: stop))
        var printed = 0
        var end = QueryEnd()
        do {
            let printsRawOnly = !request.forPage && [.raw, .ndjson, .json].contains(request.format) && projection == nil
            let outcome = try runner.run(
                query, printsRawOnly: printsRawOnly,
                onEvent: { event in
                    printer.event(event)
                    printed += 1
                    if buffer.bytes.count >= chunkBytes {
                        guard channel.send(.data(buffer.take())) else { throw QueryStopped() }
                        if stop() { throw QueryStopped() }
                    }
                    return request.limit.map { printed < $0 } ?? true
                },
                onTable: { table in
                    var table = table
                    if let limit = request.limit { table.rows = Array(table.rows.prefix(limit)) }
                    printer.table(table)
                })
            printer.finish()
            end.matched = outcome.stats.eventsMatched
            end.warnings = outcome.stats.scan.problems.map { "\($0)" }
        } catch let error as QueryError {
            end.failure = .badQuery(error)
        } catch is QueryStopped {
            end.failure = channel.isCancelled ? .cancelled : .timedOut(timeout ?? .zero)
        } catch {
            end.failure = .failed("\(error)")
        }
        if !buffer.bytes.isEmpty, !channel.send(.data(buffer.take())) { end.failure = .cancelled }
        return end
    }

    /// Monotonic time, ns.
    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// The bytes printed since the last chunk was sent (one scan thread writes it).
final class ChunkBuffer {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(QueryJob.chunkBytes + 4096) }

    /// The bytes gathered, leaving the buffer empty.
    func take() -> [UInt8] {
        defer {
            bytes = []
            bytes.reserveCapacity(QueryJob.chunkBytes + 4096)
        }
        return bytes
    }
}
