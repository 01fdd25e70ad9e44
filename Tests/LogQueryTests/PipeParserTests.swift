import Testing

@testable import LogQuery

/// Parsing of the pipes added beside count/fields/limit: top, stats, sort, tail, every.
@Suite("Pipe parser")
struct PipeParserTests {
    @Test(
        "each pipe parses and describes itself",
        arguments: [
            ("| top 5 user", "top 5 user"),
            ("| top user", "top 10 user"),
            ("| top 3 user,verb", "top 3 user,verb"),
            ("| top 2 objectRef.resource", "top 2 objectRef.resource"),
            ("| stats count()", "stats count()"),
            ("| stats count() avg(latency) p50(latency) p90(latency) p99(latency) uniq(user)",
             "stats count() avg(latency) p50(latency) p90(latency) p99(latency) uniq(user)"),
            ("| stats sum(code), min(code), max(code) by verb, source", "stats sum(code) min(code) max(code) by verb,source"),
            ("| stats p99.9(latency) by user every 1h", "stats p99.9(latency) by user every 1h"),
            ("| stats count() every 5m", "stats count() every 5m"),
            ("| count by user every 5m", "count by user every 5m"),
            ("| count every 30s", "count every 30s"),
            ("| sort by user", "sort by user"),
            ("| sort by code desc, user asc", "sort by code desc, user"),
            ("| count by user | sort by count desc", "count by user | sort by count desc"),
            ("| stats p99(latency) by user | sort by p99(latency) desc | head 3", "stats p99(latency) by user | sort by p99(latency) desc | limit 3"),
            ("| tail", "tail 10"),
            ("| tail 3", "tail 3"),
            ("| count by user | fields user,count", "count by user | fields user,count"),
        ])
    func describes(query: String, description: String) throws {
        let parsed = try parse(query).get()
        #expect(parsed.pipes.map(\.description).joined(separator: " | ") == description)
    }

    @Test("every sets the bucket width in nanoseconds")
    func every() throws {
        guard case .count(let c) = try parse("| count by user every 5m").get().pipes.first else {
            Issue.record("expected count")
            return
        }
        #expect(c.by == [.field(.user)])
        #expect(c.every?.width == 300 * second)
        #expect(c.every?.start(301 * second) == 300 * second)
        #expect(c.every?.start(-1) == -300 * second)
    }

    @Test("stats functions parse to their cases")
    func functions() throws {
        guard case .stats(let s) = try parse("| stats count() avg(code) p90(latency) uniq(objectRef.name) by ns").get().pipes.first else {
            Issue.record("expected stats")
            return
        }
        #expect(s.functions == [.count, .avg(.field(.code)), .percentile(90, .field(.latency)), .uniq(.path(JSONPath("objectRef.name")!))])
        #expect(s.by == [.field(.ns)])
    }

    @Test(
        "pipe errors name the column and what was expected",
        arguments: [
            ("| top", 3, "expected a field name after 'top', found the end of the query"),
            ("| top 0 user", 7, "expected a number ≥ 1 after 'top', found 0"),
            ("| top 5 nosuch", 9, "unknown field 'nosuch'"),
            ("| stats", 3, "expected a stats function (count(), sum(f), avg(f), min(f), max(f), p50(f), p90(f), p99(f), uniq(f)) after 'stats', found the end of the query"),
            ("| stats median(latency)", 9, "expected a stats function"),
            ("| stats avg latency", 13, "expected '(' after 'avg', found 'latency'"),
            ("| stats avg()", 13, "expected a field name in 'avg(…)', found ')'"),
            ("| stats avg(latency", 20, "expected ')' after 'avg(latency', found the end of the query"),
            ("| stats count(user)", 15, "expected ')' after 'count(': count() takes no field"),
            ("| stats p0(latency)", 9, "expected a percentile between p0 and p100"),
            ("| stats p101(latency)", 9, "expected a percentile between p0 and p100"),
            ("| stats count() by", 17, "expected a field name after 'by', found the end of the query"),
            ("| count every", 14, "expected a bucket width (30s, 5m, 1h, 1d) after 'every', found the end of the query"),
            ("| count every soon", 15, "expected a bucket width (30s, 5m, 1h, 1d) after 'every', found 'soon'"),
            ("| sort user", 8, "expected 'by' after 'sort', found 'user'"),
            ("| sort by", 10, "expected a field or column name after 'sort by', found the end of the query"),
            ("| tail x", 8, "expected a number of events after 'tail', found 'x'"),
            ("| count | top user", 11, "expected one aggregate per query, found a second one: 'top'"),
            ("| stats count() | count", 19, "expected one aggregate per query"),
            ("| count by user | sort by verb", 27, "expected one of the columns count, user, found 'verb'"),
            ("| count by user every 1h | fields user total", 40, "expected one of the columns time, count, user, found 'total'"),
            ("| stats p99(latency) by ns | sort by p90(latency)", 38, "expected one of the columns ns, p99(latency), found 'p90(latency)'"),
            ("| top 3 verb | fields verb | sort by count", 38, "expected one of the columns verb, found 'count'"),
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
}
