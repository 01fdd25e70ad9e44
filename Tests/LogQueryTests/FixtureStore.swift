import AuditCore
import AuditIngest
import LogQuery
import SegmentStore
import TestSupport

/// The k8s-audit and CloudTrail fixtures (300 + 133 events) ingested once into a real store on
/// disk, for evaluator tests whose answers were counted by hand from the fixture files
/// (independently, with Python's json module).
final class FixtureStore: @unchecked Sendable {
    static let shared = FixtureStore()

    let temp = TemporaryDirectory("logq-query-fixtures")
    let directory: DataDirectory

    private init() {
        directory = DataDirectory(path: temp.path + "/data")
        do {
            let writer = try openWriter(directory)
            let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
            try ingestor.ingest(paths: [TestPaths.fixtures + "/k8s-audit", TestPaths.fixtures + "/cloudtrail"])
            try writer.close()
            precondition(ingestor.summary.stored == 433, "fixtures stored \(ingestor.summary.stored) events, expected 433")
        } catch {
            preconditionFailure("cannot ingest the fixtures: \(error)")
        }
    }

    /// Runs `query` (now = 2026-11-24T12:00:00Z) and returns the events or the table.
    func run(_ query: String) throws -> (events: [AuditEvent], table: ResultTable?, outcome: QueryRunner.Outcome) {
        let parsed = try Query.parse(query, now: fixedNow)
        var events: [AuditEvent] = []
        var table: ResultTable?
        let outcome = try QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory))).run(
            parsed,
            onEvent: {
                events.append($0)
                return true
            },
            onTable: { table = $0 })
        return (events, table, outcome)
    }

    /// The table of an aggregate query.
    func table(_ query: String) throws -> ResultTable {
        guard let table = try run(query).table else { throw QueryError(column: 1, message: "no table from \(query)") }
        return table
    }

    /// The number of events a query returns.
    func count(_ query: String) throws -> Int {
        try run(query).events.count
    }
}
