import AuditCore
import LogQuery
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// 2026-11-24T12:00:00Z (`date -u -d 2026-11-24T12:00:00Z +%s` = 1795521600), the fixed "now".
let fixedNow: Int64 = 1_795_521_600_000_000_000
/// One second in nanoseconds.
let second: Int64 = 1_000_000_000

/// The structure of a filter, written independently of `description`: `and(…)`, `or(…)`,
/// `not(…)`, `text(…)`, `field<op>[v1|v2]`, `*`.
func shape(_ filter: FilterExpression) -> String {
    switch filter {
    case .all: "*"
    case .field(let f): "\(f.field)\(f.op.rawValue)[\(f.values.joined(separator: "|"))]"
    case .text(let t): "text(\(t.text))"
    case .and(let parts): "and(" + parts.map(shape).joined(separator: ", ") + ")"
    case .or(let parts): "or(" + parts.map(shape).joined(separator: ", ") + ")"
    case .not(let inner): "not(" + shape(inner) + ")"
    }
}

/// Parses `text` with the fixed now, returning the query or the error.
func parse(_ text: String) -> Result<Query, QueryError> {
    do throws(QueryError) {
        return .success(try Query.parse(text, now: fixedNow))
    } catch {
        return .failure(error)
    }
}

/// An event with the given fields (by name) and raw text.
func makeEvent(
    source: SourceKind = .k8sAudit, time: Int64 = fixedNow, raw: String = "{}", _ fields: [Field: String] = [:]
) -> AuditEvent {
    var values = FieldValues()
    for (field, value) in fields { values[field] = value }
    return AuditEvent(time: time, source: source, fields: values, raw: Array(raw.utf8))
}

/// Opens a writer on `directory`, retrying for up to 5 s while the lock is held: a process
/// that another test forks (the end-to-end tests run the binary) shares the open lock file
/// until it execs, so a writer closed just before can stay locked for a moment.
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
