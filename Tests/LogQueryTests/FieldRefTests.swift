@testable import LogQuery
import AuditCore
import Testing

@Suite("FieldRef")
struct FieldRefTests {
    @Test("names resolve to fields or to source; unknown names are nil")
    func lookup() {
        #expect(FieldRef(name: "source") == .source)
        #expect(FieldRef(name: "verb") == .field(.verb))
        #expect(FieldRef(name: "uri") == .field(.uri))
        #expect(FieldRef(name: "since") == nil)
        #expect(FieldRef(name: "Verb") == nil)
    }

    @Test("allNames is source then every field in order")
    func allNames() {
        #expect(FieldRef.allNames.count == Field.allCases.count + 1)
        #expect(Array(FieldRef.allNames.prefix(4)) == ["source", "verb", "user", "groups"])
        #expect(FieldRef.allNames.last == Field.allCases.last?.name)
    }

    @Test("value reads the field, or the source name; absent fields are empty")
    func value() {
        let event = makeEvent(source: .cloudtrail, [.user: "alice"])
        #expect(FieldRef.field(.user).value(in: event) == "alice")
        #expect(FieldRef.field(.ns).value(in: event) == "")
        #expect(FieldRef.source.value(in: event) == "cloudtrail")
        #expect(FieldRef.field(.code).isNumeric)
        #expect(FieldRef.field(.latency).isNumeric)
        #expect(!FieldRef.field(.verb).isNumeric)
        #expect(!FieldRef.source.isNumeric)
    }

    @Test(
        "edit distance (Levenshtein)",
        arguments: [("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("", "", 0), ("verbb", "verb", 1), ("usr", "user", 1), ("flaw", "lawn", 2)])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(FieldRef.editDistance(Array(a), Array(b)) == distance)
    }

    @Test(
        "suggestions are the closest name within two edits",
        arguments: [("verbb", "verb"), ("usr", "user"), ("sorce", "source"), ("namespace", nil), ("regin", "region"), ("xyzxyz", nil)] as [(String, String?)])
    func suggestion(name: String, hint: String?) {
        #expect(FieldRef.suggestion(for: name) == hint)
    }
}
