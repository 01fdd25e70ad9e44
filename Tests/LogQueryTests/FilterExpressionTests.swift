import AuditCore
import LogQuery
import Testing

@Suite("FilterExpression")
struct FilterExpressionTests {
    private func matching(_ query: String, _ events: [AuditEvent]) throws -> [Int] {
        let filter = try parse(query).get().filter
        return events.indices.filter { filter.matches(events[$0]) }
    }

    static let events = [
        makeEvent(raw: "e0", [.verb: "get", .user: "alice"]),
        makeEvent(raw: "e1", [.verb: "delete", .user: "alice"]),
        makeEvent(raw: "e2", [.verb: "delete", .user: "bob"]),
        makeEvent(raw: "e3", [.verb: "list", .user: "carol"]),
    ]

    @Test(
        "and, or, not and parentheses select the right events",
        arguments: [
            ("", [0, 1, 2, 3]),
            ("user=alice", [0, 1]),
            ("verb=delete user=alice", [1]),
            ("verb=delete or user=carol", [1, 2, 3]),
            ("not user=alice", [2, 3]),
            ("verb=get or verb=delete user=bob", [0, 2]),
            ("(verb=get or verb=delete) user=bob", [2]),
            ("not (verb=get or verb=list)", [1, 2]),
            ("e1 or e3", [1, 3]),
            ("since=1h", [0, 1, 2, 3]),
        ] as [(String, [Int])])
    func combinations(query: String, expected: [Int]) throws {
        #expect(try matching(query, Self.events) == expected)
    }

    @Test("empty and/or follow logic: and of nothing is true, or of nothing is false")
    func emptyCombinations() {
        #expect(FilterExpression.and([]).matches(Self.events[0]))
        #expect(!FilterExpression.or([]).matches(Self.events[0]))
        #expect(!FilterExpression.not(.all).matches(Self.events[0]))
        #expect(FilterExpression.all.description == "*")
    }
}
