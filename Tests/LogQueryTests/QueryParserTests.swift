import AuditCore
import LogQuery
import Testing

@Suite("QueryParser")
struct QueryParserTests {
    // MARK: filters

    @Test(
        "filters: implicit AND, or, not, parentheses, lists, quotes and bare words",
        arguments: [
            ("", "*"),
            ("verb=delete", "verb=[delete]"),
            ("verb=delete user=alice", "and(verb=[delete], user=[alice])"),
            ("verb=get or verb=list", "or(verb=[get], verb=[list])"),
            ("verb=get OR verb=list", "or(verb=[get], verb=[list])"),
            // AND binds tighter than OR
            ("a b or c", "or(and(text(a), text(b)), text(c))"),
            ("a or b c", "or(text(a), and(text(b), text(c)))"),
            ("a or b or c", "or(text(a), text(b), text(c))"),
            ("not verb=get user=bob", "and(not(verb=[get]), user=[bob])"),
            ("NOT (verb=get OR verb=list)", "not(or(verb=[get], verb=[list]))"),
            ("not not a", "not(not(text(a)))"),
            ("(a or b) (c or d)", "and(or(text(a), text(b)), or(text(c), text(d)))"),
            ("((a))", "text(a)"),
            ("verb=create,update", "verb=[create|update]"),
            ("verb!=get,list,watch", "verb!=[get|list|watch]"),
            ("verb = create , update", "verb=[create|update]"),
            (#"user="system:serviceaccount:kube-system:default" ns='a b'"#,
             "and(user=[system:serviceaccount:kube-system:default], ns=[a b])"),
            (#"name="a,b",'c d'"#, "name=[a,b|c d]"),
            (#"forbidden "exec into""#, "and(text(forbidden), text(exec into))"),
            (#""or""#, "text(or)"),
            ("source=cloudtrail", "source=[cloudtrail]"),
            ("code>=400 latency<2.5", "and(code>=[400], latency<[2.5])"),
            ("name=prod-*", "name=[prod-*]"),
            ("uri~^/api/v1 agent!~kubectl", "and(uri~[^/api/v1], agent!~[kubectl])"),
            ("ns=\"\"", "ns=[]"),
        ] as [(String, String)])
    func filters(query: String, expected: String) throws {
        let parsed = try parse(query).get()
        #expect(shape(parsed.filter) == expected)
        #expect(parsed.timeRange == TimeRange())
        #expect(parsed.pipes.isEmpty)
    }

    // MARK: time window

    @Test(
        "since= and until= take durations back from now, RFC 3339 times, dates and 'now'",
        arguments: [
            // now is 2026-11-24T12:00:00Z = 1795521600
            ("since=1h", 1_795_518_000 as Int64?, nil as Int64?),
            ("since=90m until=30m", 1_795_516_200, 1_795_519_800),
            ("since=7d", 1_794_916_800, nil),  // 2026-11-17T12:00:00Z
            ("until=now", nil, 1_795_521_600),
            // 2026-11-24T10:00:00Z = 1795514400; 11:30+01:00 = 10:30Z = 1795516200
            ("since=2026-11-24T10:00:00Z until=2026-11-24T11:30:00+01:00", 1_795_514_400, 1_795_516_200),
            ("since=2026-11-24", 1_795_478_400, nil),  // midnight UTC
            ("until='2026-11-24 10:00:00'", nil, 1_795_514_400),
        ] as [(String, Int64?, Int64?)])
    func timeWindow(query: String, since: Int64?, until: Int64?) throws {
        let parsed = try parse(query).get()
        #expect(parsed.timeRange.since == since.map { $0 * second })
        #expect(parsed.timeRange.until == until.map { $0 * second })
        #expect(shape(parsed.filter) == "*")
    }

    @Test("since= beside filters sets the window and leaves the filter alone")
    func windowWithFilter() throws {
        let parsed = try parse("verb=get since=1h user=alice").get()
        #expect(shape(parsed.filter) == "and(verb=[get], user=[alice])")
        #expect(parsed.timeRange == TimeRange(since: fixedNow - 3_600 * second))
    }

    // MARK: pipes

    @Test(
        "pipes: count by fields, limit N, head",
        arguments: [
            ("| count by user,verb", [Pipe.count(CountPipe(by: [.field(.user), .field(.verb)]))]),
            ("verb=delete | count by user verb", [.count(CountPipe(by: [.field(.user), .field(.verb)]))]),
            ("| count", [.count(CountPipe(by: []))]),
            ("| count by source", [.count(CountPipe(by: [.source]))]),
            ("| limit 5", [.limit(LimitPipe(count: 5))]),
            ("| limit 0", [.limit(LimitPipe(count: 0))]),
            ("| head", [.limit(LimitPipe(count: 10))]),
            ("| limit", [.limit(LimitPipe(count: 10))]),
            ("| head 3 | count by ns", [.limit(LimitPipe(count: 3)), .count(CountPipe(by: [.field(.ns)]))]),
            ("| head | head 2", [.limit(LimitPipe(count: 10)), .limit(LimitPipe(count: 2))]),
        ] as [(String, [Pipe])])
    func pipes(query: String, pipes: [Pipe]) throws {
        #expect(try parse(query).get().pipes == pipes)
    }

    @Test("a query prints back as filter, window and pipes")
    func description() throws {
        let parsed = try parse("verb=get since=1h until=2026-11-24T12:00:00Z | count by user | head 3").get()
        #expect(parsed.description == "verb=get since=1795518000000000000 until=1795521600000000000 | count by user | limit 3")
        #expect(try parse("").get().description == "")
        #expect(try parse("a or not b").get().description == #"("a" or not "b")"#)
    }

    // MARK: errors

    @Test(
        "every error names its column and what was wrong",
        arguments: [
            // unknown field with a hint
            ("verbb=delete", 1, "unknown field 'verbb' (did you mean 'verb'?)"),
            ("usr=alice", 1, "unknown field 'usr' (did you mean 'user'?); fields: source, verb, user, groups"),
            ("x verbb=delete", 3, "did you mean 'verb'"),
            // lexer errors
            ("verb>>delete", 5, "expected an operator after 'verb', found '>>' (operators: = != ~ !~ > >= < <=)"),
            (#"user="alice"#, 6, #"expected a closing " for the string that starts here, found the end of the query"#),
            // missing values
            ("verb=", 6, "expected a value after 'verb=', found the end of the query"),
            ("verb=get,", 10, "expected a value after 'verb=', found the end of the query"),
            ("verb=(get)", 6, "expected a value after 'verb=', found '('"),
            ("verb=,get", 6, "expected a value after 'verb=', found ','"),
            // operators that compare numbers
            ("code>abc", 6, "expected one number after 'code>', found 'abc'"),
            ("code<1,2", 6, "expected one number after 'code<', found '1,2'"),
            ("verb>3", 6, "operator '>' compares numbers; field 'verb' holds text (use = or ~)"),
            // the column is the value's, after a two-character operator or a space
            ("code>=abc", 7, "expected one number after 'code>=', found 'abc'"),
            ("code<= abc", 8, "expected one number after 'code<=', found 'abc'"),
            (#"verb!~"(""#, 7, "expected a regular expression after 'verb!~', found '('"),
            ("source<3", 8, "operator '<' compares numbers; field 'source' holds text"),
            // regular expressions
            (#"user~"(""#, 6, "expected a regular expression after 'user~', found '('"),
            // structure
            ("(verb=get or verb=list", 23, "expected ')' to close the '(' at column 1, found the end of the query"),
            ("a (b (c) d", 11, "expected ')' to close the '(' at column 3, found the end of the query"),
            ("verb=get)", 9, "expected '|' or the end of the query, found ')'"),
            ("=get", 1, "expected a field name before '=', found nothing"),
            ("verb=get = x", 10, "expected a field name before '=', found nothing"),
            ("verb=get or", 12, "expected a term (field=value or a word), found the end of the query"),
            ("a or | count", 6, "expected a term (field=value or a word), found '|'"),
            ("()", 2, "expected a term (field=value or a word), found ')'"),
            (",", 1, "expected a term (field=value or a word), found ','"),
            // the time window
            ("verb=get or since=1h", 13, "since= sets the time window of the whole query; move it out of 'or', 'not' and parentheses"),
            ("not since=1h", 5, "since= sets the time window of the whole query"),
            ("since=1h or verb=get", 1, "set the time window of the whole query; move them out of 'or'"),
            ("verb=get since=1h or verb=list", 10, "move them out of 'or'"),
            ("-since=1h", 2, "since= sets the time window of the whole query"),
            ("(until=1h)", 2, "until= sets the time window of the whole query"),
            ("since>1h", 6, "expected 'since=' with one duration or time, found 'since>1h'"),
            ("since=1h,2h", 6, "expected 'since=' with one duration or time, found 'since=1h,2h'"),
            ("since=yesterday", 7,
             "expected a duration (30m, 1h, 7d, now-1h) or a time (2026-11-24T10:00:00Z, 2026-11-24T10:00) after 'since=', found 'yesterday'"),
            ("until=2024-13-01", 7, "after 'until=', found '2024-13-01'"),
            ("since=2026-11-24T12:00:00Z until=2026-11-24T11:00:00Z", 1, "the time window is empty: pass since= earlier than until="),
            ("since=1h until=1h", 1, "the time window is empty"),
            // pipes
            ("verb=get | sort", 12, "expected 'by' after 'sort', found the end of the query"),
            ("| 5", 3, "after '|', found '5'"),
            ("verb=get |", 11, "after '|', found the end of the query"),
            ("| limit x", 9, "expected a number of events after 'limit', found 'x'"),
            ("| limit -1", 9, "expected a number ≥ 0 after 'limit', found -1"),
            ("| head 5 6", 10, "expected '|' or the end of the query, found '6'"),
            ("| count by nosuch", 12, "unknown field 'nosuch'"),
            ("| count by", 9, "expected a field name after 'by', found the end of the query"),
            ("| count user", 9, "expected '|' or the end of the query, found 'user'"),
        ] as [(String, Int, String)])
    func errors(query: String, column: Int, message: String) {
        switch parse(query) {
        case .success(let parsed):
            Issue.record("expected an error, parsed \(parsed)")
        case .failure(let error):
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("a leading dash negates a term, as 'not' does")
    func dashNegates() throws {
        #expect(shape(try parse("-verb=get").get().filter) == "not(verb=[get])")
        #expect(shape(try parse("verb=delete -user=system:*").get().filter) == "and(verb=[delete], not(user=[system:*]))")
        #expect(shape(try parse("-secret").get().filter) == "not(text(secret))")
        #expect(shape(try parse("-").get().filter) == "text(-)")
    }

    @Test("an unknown pipe lists the pipe names")
    func unknownPipe() {
        guard case .failure(let error) = parse("verb=get | order by user") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.column == 12)
        #expect(error.message.hasPrefix("expected a pipe name ("))
        #expect(error.message.hasSuffix(") after '|', found 'order'"))
        for name in ["count", "top", "stats", "sort", "fields", "head", "tail", "limit"] {
            #expect(error.message.contains(name))
        }
    }

    @Test("an unknown field far from every name gets no hint, but the list of fields")
    func noHint() {
        guard case .failure(let error) = parse("zzzzzz=1") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.column == 1)
        #expect(!error.message.contains("did you mean"))
        #expect(error.message.hasSuffix("; fields: source, verb, user, groups, ip, agent, resource, ns, name, subresource, code, reason, decision, latency, account, region, service, event, error, cluster, stage, level, id, actor, uri, severity, message, location, node, kind, timesource, since, until, or a JSON path into the original event (objectRef.subresource, requestParameters.bucketName)"))
    }
}
