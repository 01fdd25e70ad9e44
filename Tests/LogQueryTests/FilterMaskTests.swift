import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import LogQuery

@Suite("Filter masks over block columns")
struct FilterMaskTests {
    @Test(
        "a block-wide mask agrees with testing each materialized event",
        arguments: [
            "verb=delete", "verb!=get", "user=system:*", "code>=400", "uri~^/api/v1/namespaces/[^/]+/secrets",
            "verb=delete or user=alice", "not source=cloudtrail", "-ns=prod verb=create,update", "\"secret\"", "",
        ])
    func agrees(query: String) throws {
        var rng = SeededGenerator(seed: 21)
        let verbs = ["get", "list", "delete", "create", "update"]
        let users = ["alice", "bob", "system:node:a", "system:kube-scheduler"]
        let events = (0..<600).map { n -> AuditEvent in
            var f = FieldValues()
            f[.verb] = verbs.randomElement(using: &rng)!
            f[.user] = users.randomElement(using: &rng)!
            f[.code] = ["200", "201", "403", "404", "500"].randomElement(using: &rng)!
            f[.ns] = ["prod", "shop", ""].randomElement(using: &rng)!
            f[.uri] = "/api/v1/namespaces/\(f[.ns])/\(["secrets", "pods"].randomElement(using: &rng)!)/x\(n)"
            let source: SourceKind = Bool.random(using: &rng) ? .k8sAudit : .cloudtrail
            return AuditEvent(time: Int64(n), source: source, fields: f, raw: Array("{\"uri\":\"\(f[.uri])\"}".utf8))
        }
        let parsed = try parse(query).get()
        let view = try #require(BlockView(body: Block.encode(events)))
        let mask = parsed.filter.mask(view)
        let expected = (0..<view.count).map { parsed.filter.matches(view.event($0)) }
        #expect(mask == expected)
        #expect(mask.contains(true) || query == "user=nobody")
    }
}
