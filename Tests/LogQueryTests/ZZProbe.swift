import AuditCore
@testable import LogQuery
import Testing

@Test func zzprobeQuery() {
    for q in ["code>=abc", "name!~(", "since=1h or verb=get", "-verb=get", "-x", "not since=1h", "verb=get since=1h or verb=list"] {
        do {
            let p = try Query.parse(q, now: 1_795_521_600_000_000_000)
            print("PROBE OK \(q) -> filter=\(p.filter) range=\(p.timeRange)")
        } catch {
            print("PROBE ERR \(q) -> \(error)")
        }
    }
}
@Test func zzprobeTimestamp() {
    print("PROBE TS", Timestamp.parse("2262-04-12T00:00:00Z") as Any)
    print("PROBE TS", Timestamp.parse("9999-12-31T23:59:59Z") as Any)
}
