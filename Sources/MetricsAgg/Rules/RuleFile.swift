import AuditCore
import LogQuery

/// Reads a rules file (`--rules FILE`): one rule per line,
///
///     # comment
///     secret_deleted: verb=delete resource=secrets by ns
///     console_failures: source=cloudtrail event=ConsoleLogin error=Failure by user,ip
///
/// a name, a colon, a logq filter (no pipes, no `since=`/`until=`: a counter counts every
/// event), and optionally `by` and the fields whose values label the series.
public enum RuleFile {
    /// The rules of `text`, read from `file` (named in errors).
    public static func parse(_ text: String, file: String) throws(MetricsError) -> [MetricRule] {
        var rules: [MetricRule] = []
        var names: Set<String> = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.utf8.count - trimmed.utf8.count
            let rule = try parseLine(String(trimmed), file: file, line: lineNumber, indent: indent)
            guard names.insert(rule.name).inserted else {
                throw MetricsError.badRule(file, line: lineNumber, column: indent + 1, "rule \"\(rule.name)\" is defined twice; give each rule its own name")
            }
            rules.append(rule)
            guard rules.count <= MetricsLimits.maxRules else {
                throw MetricsError.badRule(file, line: lineNumber, column: 1, "more than \(MetricsLimits.maxRules) rules; each runs on every event, so split the file or drop rules")
            }
        }
        return rules
    }

    static func parseLine(_ line: String, file: String, line number: Int, indent: Int) throws(MetricsError) -> MetricRule {
        guard let colon = line.firstIndex(of: ":") else {
            throw MetricsError.badRule(file, line: number, column: indent + 1, "expected 'name: query [by field,…]', found no ':'")
        }
        let name = String(line[..<colon]).trimmingCharacters()
        guard isRuleName(name) else {
            throw MetricsError.badRule(
                file, line: number, column: indent + 1, "expected a rule name of letters, digits and '_' (not starting with a digit) before ':', found \"\(name)\"")
        }
        var body = String(line[line.index(after: colon)...])
        let afterColon = line[line.index(after: colon)...]
        let bodyColumn = indent + line[..<colon].count + 2 + afterColon.prefix(while: { $0 == " " || $0 == "\t" }).count
        var by: [FieldRef] = []
        // `by` and its fields end the line: the last word " by " followed only by field names.
        if let range = lastRange(of: " by ", in: body) {
            let list = body[range.upperBound...].split(whereSeparator: { $0 == "," || $0 == " " })
            var refs: [FieldRef] = []
            for item in list {
                guard let ref = FieldRef(name: String(item)) else {
                    throw MetricsError.badRule(file, line: number, column: bodyColumn, "unknown field \"\(item)\" after 'by'; fields are \(FieldRef.allNames.joined(separator: ", ")) or a JSON path like objectRef.namespace")
                }
                refs.append(ref)
            }
            if !refs.isEmpty {
                by = refs
                body = String(body[..<range.lowerBound])
            }
        }
        let queryText = body.trimmingCharacters()
        let query: Query
        do {
            query = try Query.parse(queryText, now: 0)
        } catch {
            throw MetricsError.badRule(file, line: number, column: bodyColumn + error.column - 1, "the query does not parse: \(error.message)")
        }
        guard query.pipes.isEmpty else {
            throw MetricsError.badRule(file, line: number, column: bodyColumn, "a rule is a filter, without '|' pipes: label series with 'by FIELD' instead")
        }
        guard query.timeRange.since == nil && query.timeRange.until == nil else {
            throw MetricsError.badRule(file, line: number, column: bodyColumn, "a rule counts every event as it arrives: drop since=/until= (Prometheus' increase() gives windows)")
        }
        return MetricRule(name: name, queryText: queryText, filter: query.filter, by: by)
    }

    /// The last occurrence of `needle` in `text`.
    static func lastRange(of needle: String, in text: String) -> Range<String.Index>? {
        var found: Range<String.Index>?
        var start = text.startIndex
        while start < text.endIndex {
            var i = start
            var j = needle.startIndex
            while i < text.endIndex, j < needle.endIndex, text[i] == needle[j] {
                i = text.index(after: i)
                j = needle.index(after: j)
            }
            if j == needle.endIndex { found = start..<i }
            start = text.index(after: start)
        }
        return found
    }

    static func isRuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !(first >= "0" && first <= "9") else { return false }
        return name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

