import AuditCore
import LogQuery
import Testing

@Suite("CountPipe")
struct CountPipeTests {
    static let events: [AuditEvent] = {
        var out: [AuditEvent] = []
        for _ in 0..<3 { out.append(makeEvent([.user: "alice", .verb: "get"])) }
        for _ in 0..<2 { out.append(makeEvent([.user: "bob", .verb: "delete"])) }
        for _ in 0..<2 { out.append(makeEvent([.user: "alice", .verb: "delete"])) }
        out.append(makeEvent([.verb: "get"]))  // no user
        out.append(makeEvent([.user: "carol", .verb: "list"]))
        return out
    }()

    @Test("counts per group, ordered by count descending, then by key")
    func rowsByUserAndVerb() {
        var state = CountPipe.State(pipe: CountPipe(by: [.field(.user), .field(.verb)]))
        for event in Self.events { state.add(event) }
        let rows = state.rows
        #expect(rows.map(\.key) == [["alice", "get"], ["alice", "delete"], ["bob", "delete"], ["", "get"], ["carol", "list"]])
        #expect(rows.map(\.count) == [3, 2, 2, 1, 1])
        #expect(state.counts[["bob", "delete"]] == 2)
        #expect(state.counts.count == 5)
    }

    @Test("without by there is one total")
    func total() {
        var state = CountPipe.State(pipe: CountPipe(by: []))
        for event in Self.events { state.add(event) }
        #expect(state.rows.count == 1)
        #expect(state.rows.first?.key == [])
        #expect(state.rows.first?.count == 9)
    }

    @Test("count by source groups by the source name")
    func bySource() {
        var state = CountPipe.State(pipe: CountPipe(by: [.source]))
        state.add(makeEvent(source: .cloudtrail))
        state.add(makeEvent(source: .k8sAudit))
        state.add(makeEvent(source: .cloudtrail))
        #expect(state.rows.map(\.key) == [["cloudtrail"], ["k8s-audit"]])
        #expect(state.rows.map(\.count) == [2, 1])
    }

    @Test("no events, no rows")
    func empty() {
        #expect(CountPipe.State(pipe: CountPipe(by: [.field(.user)])).rows.isEmpty)
    }

    @Test("description prints the pipe back")
    func description() throws {
        #expect(CountPipe(by: []).description == "count")
        #expect(CountPipe(by: [.field(.user), .source]).description == "count by user,source")
        #expect(Pipe.count(CountPipe(by: [.field(.ns)])).description == "count by ns")
        // parse then print: commas and spaces both separate fields
        #expect(try parse("| count by user verb,ns").get().pipes.map(\.description) == ["count by user,verb,ns"])
    }
}
