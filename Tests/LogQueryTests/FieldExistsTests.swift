import AuditCore
import LogQuery
import Testing

/// `f=*`: the field exists and is not empty; `f!=*` and `-f=*`: it is missing.
@Suite("Field exists (f=*)")
struct FieldExistsTests {
    private func passes(_ query: String, _ event: AuditEvent) throws -> Bool {
        try parse(query).get().filter.matches(event)
    }

    @Test("f=* matches events that have the field, not events that lack it")
    func exists() throws {
        let with = makeEvent([.user: "alice"])
        let without = makeEvent([.verb: "get"])
        #expect(try passes("user=*", with))
        #expect(try !passes("user=*", without))
        #expect(try !passes("user!=*", with))
        #expect(try passes("user!=*", without))
        #expect(try passes("-user=*", without))
        #expect(try !passes("-user=*", with))
    }

    @Test("f=* on a JSON path matches when the path is present and not empty")
    func pathExists() throws {
        let with = makeEvent(raw: #"{"objectRef":{"subresource":"exec"}}"#)
        let without = makeEvent(raw: #"{"objectRef":{}}"#)
        #expect(try passes("objectRef.subresource=*", with))
        #expect(try !passes("objectRef.subresource=*", without))
        #expect(try passes("objectRef.subresource!=*", without))
    }

    @Test("wildcards with text around them are unchanged")
    func globs() throws {
        #expect(try passes("user=al*", makeEvent([.user: "alice"])))
        #expect(try passes("user=*ce", makeEvent([.user: "alice"])))
    }
}
