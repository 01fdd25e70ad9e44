import Synchronization
import Testing

@testable import LogQuery

@Suite("RegexMatcher (PCRE2)")
struct RegexMatcherTests {
    @Test("URI patterns match as PCRE does", arguments: [
        ("^/api/v1/namespaces/[^/]+/secrets", "/api/v1/namespaces/prod/secrets/db", true),
        ("^/api/v1/namespaces/[^/]+/secrets", "/api/v1/namespaces/prod/configmaps/secrets", false),
        ("^/api/v1/namespaces/[^/]+/secrets", "/apis/v1/namespaces/prod/secrets", false),
        ("watch=(true|1)", "/api/v1/pods?watch=1&resourceVersion=5", true),
        ("^$", "", true),
        ("é+", "café", true),
        ("(?i)DELETE", "delete", true),
    ])
    func matches(pattern: String, subject: String, expected: Bool) throws {
        let matcher = try RegexMatcher(pattern)
        #expect(matcher.matches(subject) == expected)
    }

    @Test("a pattern PCRE2 rejects gives its message and offset")
    func invalid() {
        #expect(throws: RegexError.self) { try RegexMatcher("(unclosed") }
        do {
            _ = try RegexMatcher("a{2,1}")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("offset"))
        }
    }

    @Test("the query language uses it for ~ and !~")
    func inQueries() throws {
        guard case .failure(let error) = parse(#"uri~"(""#) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.contains("missing closing parenthesis"))
    }

    @Test("subjects with invalid UTF-8 are matched safely: a bad sequence matches no character", arguments: [
        ("^al.ice$", [0x61, 0x6C, 0xFF, 0x69, 0x63, 0x65] as [UInt8], false),
        ("ice$", [0x61, 0x6C, 0xFF, 0x69, 0x63, 0x65], true),
        ("^.$", [0xC3], false),
        ("^.$", [0xF0, 0x9F, 0x98], false),
        ("^.{2}$", [0xE2, 0x82, 0x41], false),
        ("x", [0xED, 0xA0, 0x80, 0x78], true),
        ("é", [0xFF, 0xC3, 0xA9], true),
    ])
    func invalidSubjects(pattern: String, subject: [UInt8], expected: Bool) throws {
        let matcher = try RegexMatcher(pattern)
        #expect(subject.withUnsafeBytes { matcher.matches($0) } == expected)
    }
}

@Suite("RegexMatcher limits")
struct RegexMatcherLimitTests {
    @Test("a catastrophic pattern over a long URI gives up fast, as a non-match that is counted")
    func catastrophicPatternFailsFast() throws {
        let matcher = try RegexMatcher("^(.+)+[!#]$")
        let uri = "/api/v1/namespaces/" + String(repeating: "a", count: 200)
        let before = RegexMatcher.limitHits.load(ordering: .relaxed)
        let start = ContinuousClock.now
        #expect(matcher.matches(uri) == false)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(RegexMatcher.limitHits.load(ordering: .relaxed) > before)
    }
}
