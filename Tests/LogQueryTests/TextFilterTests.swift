import AuditCore
import LogQuery
import Testing

@Suite("TextFilter")
struct TextFilterTests {
    @Test(
        "a word or phrase matches the raw bytes, case-sensitively",
        arguments: [
            ("db-credentials", #"{"name":"db-credentials"}"#, true),
            ("DB-credentials", #"{"name":"db-credentials"}"#, false),
            ("exec into", #"{"msg":"exec into pod"}"#, true),
            ("\"name\":\"x\"", #"{"name":"x"}"#, true),
            ("}", #"{"a":1}"#, true),
            ("{\"a\":1}x", #"{"a":1}"#, false),  // longer than the event
            ("aab", "aaab", true),  // restarts after a partial match
            ("é", #"{"u":"José"}"#, true),
            ("", "", true),  // the empty phrase matches everything
            ("x", "", false),
        ] as [(String, String, Bool)])
    func matches(text: String, raw: String, expected: Bool) {
        #expect(TextFilter(text: text).matches(makeEvent(raw: raw)) == expected)
    }

    @Test("fields are not searched, only the original bytes")
    func onlyRaw() {
        let event = makeEvent(raw: #"{"kind":"Event"}"#, [.user: "alice"])
        #expect(!TextFilter(text: "alice").matches(event))
        #expect(TextFilter(text: "alice").description == "\"alice\"")
    }
}
