import AuditIngest

/// The answer to an ingest request:
/// `{"stored":N,"duplicates":N,"rejected":N,"first_problem":{"index":…,"path":…,"offset":…,"kind":…,"reason":…}}`
/// (`first_problem` null when every value was stored; `index` and `path` null when the
/// problem is in no element of the batch).
struct IngestAnswer: Equatable {
    /// Events new to the store.
    var stored = 0
    /// Events already stored (a re-sent batch): skipped, and acknowledged all the same.
    var duplicates = 0
    /// Values not stored (kept in the quarantine, listed by `logq rejects`).
    var rejected = 0
    /// The first of them.
    var firstProblem: BatchProblem?

    var json: String {
        var out = "{\"stored\":\(stored),\"duplicates\":\(duplicates),\"rejected\":\(rejected),\"first_problem\":"
        if let p = firstProblem {
            out += "{\"index\":\(p.index.map(String.init) ?? "null"),\"path\":\(p.path.map(JSONAnswer.string) ?? "null")"
            out += ",\"offset\":\(p.offset),\"kind\":\(JSONAnswer.string(p.kind.rawValue)),\"reason\":\(JSONAnswer.string(p.reason))}"
        } else {
            out += "null"
        }
        return out + "}"
    }

    static func == (a: IngestAnswer, b: IngestAnswer) -> Bool { a.json == b.json }
}
