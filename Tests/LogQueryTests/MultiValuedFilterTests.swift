import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import LogQuery

/// `groups` and `actor` hold comma-separated lists: a term matches when any element does.
@Suite("Multi-valued fields")
struct MultiValuedFilterTests {
    static let actor = "arn:aws:iam::1:role/Deployer,system:serviceaccount:prod:uploader"

    func passes(_ query: String, _ fields: [Field: String]) throws -> Bool {
        try parse(query).get().filter.matches(makeEvent(fields))
    }

    @Test(
        "=, wildcards, lists and regular expressions match when any element does",
        arguments: [
            ("actor=arn:aws:iam::1:role/Deployer", true),
            ("actor=system:serviceaccount:prod:uploader", true),
            ("actor=arn:aws:iam::1:role/Admin", false),
            ("actor=*uploader", true),
            ("actor=arn:*:role/Deployer", true),
            ("actor=*Deployer,system:serviceaccount:prod:uploader", true),
            ("actor=Deployer", false),
            ("actor~uploader$", true),
            ("actor~^system:", true),
            ("actor~^Deployer", false),
            // The whole list is not an element.
            ("actor=\"\(actor)\"", false),
        ])
    func anyElement(query: String, expected: Bool) throws {
        #expect(try passes(query, [.actor: Self.actor]) == expected)
    }

    @Test(
        "!= and !~ match when no element matches",
        arguments: [
            ("groups!=system:masters", true),
            ("groups!=system:authenticated", false),
            ("groups!=deployers", false),
            ("groups!~^system:", false),
            ("groups!~^platform", true),
            ("not groups=deployers", false),
        ])
    func noElement(query: String, expected: Bool) throws {
        #expect(try passes(query, [.groups: "system:authenticated,deployers"]) == expected)
    }

    @Test("a single value and an absent field behave as before")
    func single() throws {
        #expect(try passes("groups=deployers", [.groups: "deployers"]))
        #expect(try !passes("groups=deployers", [:]))
        #expect(try passes("groups=\"\"", [:]))
        #expect(try passes("groups!=deployers", [:]))
    }

    @Test("other fields are not split at commas")
    func notSplit() throws {
        #expect(try passes("name=\"a,b\"", [.name: "a,b"]))
        #expect(try !passes("name=a", [.name: "a,b"]))
    }

    @Test(
        "block masks and summary pruning agree with testing each event",
        arguments: ["actor=*uploader", "actor!=arn:aws:iam::1:role/Deployer", "groups=deployers", "groups!~^system:", "actor=nobody"])
    func blocks(query: String) throws {
        let actors = [Self.actor, "arn:aws:iam::1:role/Admin", "", "system:serviceaccount:prod:uploader"]
        let groups = ["system:authenticated,deployers", "deployers", "", "system:nodes,system:authenticated"]
        let events = (0..<40).map { n in
            makeEvent(time: Int64(n), [.actor: actors[n % 4], .groups: groups[(n / 4) % 4], .verb: "get"])
        }
        let filter = try parse(query).get().filter
        let body = Block.encode(events)
        let view = try #require(BlockView(body: body))
        let expected = events.map { filter.matches($0) }
        #expect(filter.mask(view) == expected)
        // The summary never rules out a block holding a match.
        let summary = try body.withUnsafeBytes { try #require(Block.summary($0)) }
        if expected.contains(true) { #expect(filter.mayMatch(summary)) }
        if query == "actor=nobody" { #expect(!filter.mayMatch(summary)) }
    }
}
