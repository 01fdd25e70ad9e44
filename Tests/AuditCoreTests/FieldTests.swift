import AuditCore
import Testing

@Suite("Field, FieldValues and SourceKind")
struct FieldTests {
    @Test("every field is found again by its name, and names are unique")
    func fieldNames() {
        for field in Field.allCases {
            #expect(Field(name: field.name) == field)
        }
        #expect(Set(Field.allCases.map(\.name)).count == Field.allCases.count)
        #expect(Field(name: "Verb") == nil)
        #expect(Field(name: "source") == nil)
        #expect(Field(name: "") == nil)
    }

    @Test("raw values are the on-disk order and must never change")
    func rawValues() {
        #expect(Field.allCases.count == 30)
        #expect(Field.verb.rawValue == 0)
        #expect(Field.code.rawValue == 9)
        #expect(Field.id.rawValue == 21)
        #expect(Field.uri.rawValue == 23)
        #expect(Field.severity.rawValue == 24)
        #expect(Field.timesource.rawValue == 29)
        #expect(Field.fieldCount == Field.allCases.count)
        #expect(SourceKind.cloudtrail.rawValue == 1)
        #expect(SourceKind.k8sAudit.rawValue == 2)
        #expect(SourceKind.perf.rawValue == 7)
    }

    @Test("only code and latency are numeric")
    func numeric() {
        #expect(Field.allCases.filter(\.isNumeric) == [.code, .latency])
    }

    @Test("FieldValues start empty and hold one value per field")
    func fieldValues() {
        var values = FieldValues()
        #expect(Field.allCases.allSatisfy { values[$0] == "" })
        values[.user] = "alice"
        values[.uri] = "/api"
        #expect(values[.user] == "alice")
        #expect(values[.uri] == "/api")
        #expect(values[.verb] == "")
        #expect(values != FieldValues())
    }

    @Test(
        "source kinds have the names users type",
        arguments: [
            (SourceKind.cloudtrail, "cloudtrail"), (.k8sAudit, "k8s-audit"), (.apiserver, "apiserver"),
            (.authenticator, "authenticator"), (.controllerManager, "controller-manager"), (.scheduler, "scheduler"),
            (.perf, "perf"),
        ])
    func sourceNames(kind: SourceKind, name: String) {
        #expect(kind.name == name)
        #expect(SourceKind(name: name) == kind)
    }

    @Test("source kinds order by raw value; unknown names are nil")
    func sourceOrder() {
        #expect(SourceKind.cloudtrail < SourceKind.k8sAudit)
        #expect(!(SourceKind.perf < SourceKind.scheduler))
        #expect(SourceKind(name: "k8s") == nil)
    }
}
