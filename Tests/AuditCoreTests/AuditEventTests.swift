import AuditCore
import Testing

@Suite("AuditEvent")
struct AuditEventTests {
    static func event(
        source: SourceKind = .k8sAudit, id: String = "abc-123", stage: String = "ResponseComplete", raw: String = "{}"
    ) -> AuditEvent {
        var fields = FieldValues()
        fields[.id] = id
        fields[.stage] = stage
        return AuditEvent(time: 0, source: source, fields: fields, raw: Array(raw.utf8))
    }

    @Test("identityKey is source, id and stage: golden value from an independent implementation")
    func identityGolden() {
        // Hash64: combine(byte 2), combine("abc-123"), combine("ResponseComplete"), finalize.
        #expect(Self.event().identityKey == 0xD63C_D21C_5613_CACB)
    }

    @Test("identityKey distinguishes stage, id and source")
    func identityDistinguishes() {
        let base = Self.event()
        #expect(base.identityKey != Self.event(stage: "ResponseStarted").identityKey)
        #expect(base.identityKey != Self.event(stage: "").identityKey)
        #expect(base.identityKey != Self.event(id: "abc-124").identityKey)
        #expect(base.identityKey != Self.event(source: .cloudtrail).identityKey)
    }

    @Test("identityKey ignores time, raw bytes and other fields; contentHash does not ignore raw")
    func identityIgnoresContent() {
        let a = Self.event(raw: #"{"a":1}"#)
        var b = Self.event(raw: #"{"a":2}"#)
        b.time = 99
        b.fields[.user] = "mallory"
        #expect(a.identityKey == b.identityKey)
        #expect(a.contentHash != b.contentHash)
        #expect(a.contentHash == Hash64.hash(Array(#"{"a":1}"#.utf8)))
        #expect(Self.event(raw: #"{"a":1}"#).contentHash == a.contentHash)
    }

    @Test("id and stage are not confused when their text shifts between them")
    func idStageBoundary() {
        #expect(Self.event(id: "ab", stage: "c").identityKey != Self.event(id: "a", stage: "bc").identityKey)
    }
}
