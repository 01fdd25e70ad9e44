import AuditCore
import LogQuery
import Testing

@Suite("FieldFilter")
struct FieldFilterTests {
    private func filter(_ field: Field, _ op: ComparisonOperator, _ values: [String]) throws -> FieldFilter {
        try FieldFilter(field: .field(field), op: op, values: values, column: 1)
    }

    private func matches(_ f: FieldFilter, _ field: Field, _ value: String) -> Bool {
        f.matches(makeEvent([field: value]))
    }

    @Test("= matches any value of the list exactly")
    func equal() throws {
        let f = try filter(.verb, .equal, ["create", "update"])
        #expect(matches(f, .verb, "create"))
        #expect(matches(f, .verb, "update"))
        #expect(!matches(f, .verb, "delete"))
        #expect(!matches(f, .verb, "Create"))
        #expect(!matches(f, .verb, "create "))
        #expect(!matches(f, .verb, "createupdate"))
        #expect(!matches(f, .verb, ""))
    }

    @Test("!= matches when the value is none of the list")
    func notEqual() throws {
        let f = try filter(.verb, .notEqual, ["get", "list", "watch"])
        #expect(matches(f, .verb, "delete"))
        #expect(!matches(f, .verb, "get"))
        #expect(!matches(f, .verb, "watch"))
        #expect(f.matches(makeEvent()))  // absent is "", which is none of them
    }

    @Test("an absent field is the empty string")
    func absentField() throws {
        let empty = makeEvent([.user: "alice"])
        #expect(try filter(.ns, .equal, [""]).matches(empty))
        #expect(!(try filter(.ns, .notEqual, [""]).matches(empty)))
        #expect(!(try filter(.ns, .equal, ["default"]).matches(empty)))
        #expect(try filter(.ns, .notEqual, ["default"]).matches(empty))
        #expect(!(try filter(.ns, .equal, ["*"]).matches(empty)))  // f=* means "exists"
        #expect(!(try filter(.code, .greaterOrEqual, ["0"]).matches(empty)))
    }

    @Test(
        "* is a wildcard for any run of characters, including none; * alone needs a non-empty value",
        arguments: [
            ("prod-*", "prod-eu", true), ("prod-*", "prod-", true), ("prod-*", "preprod-eu", false), ("prod-*", "prod", false),
            ("*-canary", "web-canary", true), ("*-canary", "-canary", true), ("*-canary", "web-canary2", false),
            ("a*b*c", "abc", true), ("a*b*c", "aXbYc", true), ("a*b*c", "acbc", true), ("a*b*c", "ac", false),
            ("a*b*c", "ab", false), ("a*b*c", "abcd", false), ("a*b*c", "xabc", false),
            ("ab*bc", "abc", false), ("ab*bc", "abbc", true), ("a*a", "a", false), ("a*a", "aa", true),
            ("*", "", false), ("*", "anything", true), ("**", "x", true),
            ("*x*xy", "xy", false), ("*x*xy", "xxy", true),
            ("é*漢", "é-漢", true), ("é*漢", "e-漢", false),
        ] as [(String, String, Bool)])
    func wildcards(pattern: String, value: String, expected: Bool) throws {
        #expect(matches(try filter(.name, .equal, [pattern]), .name, value) == expected)
        #expect(matches(try filter(.name, .notEqual, [pattern]), .name, value) == !expected)
    }

    @Test("a list mixes exact values and wildcards")
    func mixedList() throws {
        let f = try filter(.ns, .equal, ["kube-system", "team-*"])
        #expect(matches(f, .ns, "kube-system"))
        #expect(matches(f, .ns, "team-a"))
        #expect(!matches(f, .ns, "default"))
    }

    @Test(
        "numeric comparisons on code and latency",
        arguments: [
            (ComparisonOperator.greaterOrEqual, "400", "403", true), (.greaterOrEqual, "400", "400", true),
            (.greaterOrEqual, "400", "399", false), (.greaterOrEqual, "400", "2000", true),  // numbers, not text
            (.greater, "400", "400", false), (.greater, "400", "401", true),
            (.less, "400", "200", true), (.less, "400", "400", false),
            (.lessOrEqual, "400", "400", true), (.lessOrEqual, "400", "500", false),
            (.greaterOrEqual, "400", "abc", false), (.less, "400", "", false),
            (.less, "2.5", "2.25", true), (.greater, "-1", "0", true),
        ] as [(ComparisonOperator, String, String, Bool)])
    func numeric(op: ComparisonOperator, bound: String, value: String, expected: Bool) throws {
        #expect(matches(try filter(.code, op, [bound]), .code, value) == expected)
        #expect(matches(try filter(.latency, op, [bound]), .latency, value) == expected)
    }

    @Test("~ matches a regular expression anywhere in the value; !~ is its negation")
    func regex() throws {
        let system = try filter(.user, .match, ["^system:"])
        #expect(matches(system, .user, "system:kube-scheduler"))
        #expect(!matches(system, .user, "alice:system:"))
        let anywhere = try filter(.uri, .match, ["/secrets"])
        #expect(matches(anywhere, .uri, "/api/v1/namespaces/default/secrets/db"))
        #expect(!matches(anywhere, .uri, "/api/v1/namespaces/default/configmaps/db"))
        let notKubectl = try filter(.agent, .notMatch, ["kubectl/v1\\.[0-9]+", "^curl"])
        #expect(!matches(notKubectl, .agent, "kubectl/v1.30.1"))
        #expect(!matches(notKubectl, .agent, "curl/8.0"))
        #expect(matches(notKubectl, .agent, "kubectl/vX"))
        #expect(notKubectl.matches(makeEvent()))
        let alternatives = try filter(.verb, .match, ["^(create|update)$"])
        #expect(matches(alternatives, .verb, "update"))
        #expect(!matches(alternatives, .verb, "updates"))
    }

    @Test("source compares with the source name")
    func source() throws {
        let f = try FieldFilter(field: .source, op: .equal, values: ["k8s-*"], column: 1)
        #expect(f.matches(makeEvent(source: .k8sAudit)))
        #expect(!f.matches(makeEvent(source: .cloudtrail)))
    }

    @Test(
        "construction rejects operators that do not suit the field or value, at the given column",
        arguments: [
            (Field.verb, ComparisonOperator.greater, ["3"], "operator '>' compares numbers; field 'verb' holds text (use = or ~)"),
            (.code, .greaterOrEqual, ["abc"], "expected one number after 'code>=', found 'abc'"),
            (.code, .less, ["1", "2"], "expected one number after 'code<', found '1,2'"),
            (.user, .match, ["("], "expected a regular expression after 'user~', found '('"),
            (.user, .notMatch, ["ok", "[z-a]"], "expected a regular expression after 'user!~', found '[z-a]'"),
        ] as [(Field, ComparisonOperator, [String], String)])
    func rejects(field: Field, op: ComparisonOperator, values: [String], message: String) {
        do throws(QueryError) {
            _ = try FieldFilter(field: .field(field), op: op, values: values, column: 42)
            Issue.record("expected an error")
        } catch {
            #expect(error.column == 42)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("description prints the term back")
    func description() throws {
        #expect(try filter(.verb, .notEqual, ["get", "list"]).description == "verb!=get,list")
        #expect(try filter(.code, .greaterOrEqual, ["400"]).description == "code>=400")
    }
}
