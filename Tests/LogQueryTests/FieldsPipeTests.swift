import AuditCore
import Testing

@testable import LogQuery

@Suite("FieldsPipe")
struct FieldsPipeTests {
    func event() -> AuditEvent {
        var f = FieldValues()
        f[.id] = "abc"
        f[.user] = "alice \"the\" admin"
        return AuditEvent(time: 0, source: .cloudtrail, fields: f, raw: [])
    }

    @Test("fields parses names separated by commas or spaces")
    func parses() throws {
        let query = try parse("verb=delete | fields id, user source").get()
        #expect(query.pipes == [.fields(FieldsPipe(fields: [.field(.id), .field(.user), .source]))])
    }

    @Test("text output is tab-separated with '-' for absent fields; JSON omits them and escapes")
    func renders() {
        let pipe = FieldsPipe(fields: [.field(.id), .field(.verb), .field(.user), .source])
        #expect(pipe.text(event()) == "abc\t-\talice \"the\" admin\tcloudtrail")
        #expect(pipe.json(event()) == #"{"id":"abc","user":"alice \"the\" admin","source":"cloudtrail"}"#)
    }

    @Test("fields needs at least one known field")
    func errors() {
        guard case .failure(let missing) = parse("| fields") else { Issue.record("expected an error"); return }
        #expect(missing.column == 9)
        #expect(missing.message == "expected a field name after 'fields', found the end of the query")
        guard case .failure(let unknown) = parse("| fields nosuch") else { Issue.record("expected an error"); return }
        #expect(unknown.column == 10)
        #expect(unknown.message.hasPrefix("unknown field 'nosuch'"))
    }
}
