import AuditCore
import LogQuery

/// A `GET /v1/query` request, checked: the query in the CLI's language, the window and limit
/// of the parameters, and the output format.
struct QueryRequest: Sendable {
    /// The query as written (`q=`), for the caret message of an error.
    var text: String
    /// The parsed query, its window narrowed by `since=` / `until=`.
    var query: Query
    /// `format=`: ndjson (default), json, csv, or text / raw as the CLI prints them.
    var format: OutputFormat
    /// `limit=`: at most this many events (or table rows); nil for all.
    var limit: Int?
    /// `format=ui`: the web page's rows (``WebUIRowPrinter``); `format` is then ndjson.
    var forPage = false

    /// A parameter or query the server cannot run: answered 400 with this JSON.
    struct Invalid: Error, Sendable {
        /// The message (the query, a caret under the column and what is wrong, for a bad query).
        var message: String
        /// The 1-based column of a bad query; nil for a bad parameter.
        var column: Int?
    }

    /// Reads the parameters of `GET /v1/query`; `now` is ns UTC, for durations.
    init(_ parameters: QueryString, now: Int64) throws(Invalid) {
        guard let text = parameters["q"] else {
            throw Invalid(message: "cannot run a query without q=: pass the query in the q parameter (q=verb%3Ddelete; an empty q= for every event)")
        }
        self.text = text
        var query: Query
        do {
            query = try Query.parse(text, now: now)
        } catch {
            throw Invalid(message: error.render(query: text), column: error.column)
        }
        for (name, isSince) in [("since", true), ("until", false)] {
            guard let value = parameters[name], !value.isEmpty else { continue }
            let bound: Int64
            do {
                bound = try TimeRange.parseBound(value, now: now, name: name, column: 1)
            } catch {
                throw Invalid(message: "cannot use \(name)=\(value): \(error.message)")
            }
            // The parameter narrows a window the query itself may give.
            if isSince {
                query.timeRange.since = max(bound, query.timeRange.since ?? bound)
            } else {
                query.timeRange.until = min(bound, query.timeRange.until ?? bound)
            }
        }
        self.query = query
        let formatName = parameters["format"].flatMap { $0.isEmpty ? nil : $0 } ?? "ndjson"
        if formatName == WebUIRowPrinter.formatName {
            forPage = true
            self.format = .ndjson
        } else {
            guard let format = OutputFormat(rawValue: formatName), format != .table else {
                throw Invalid(message: "unknown format '\(formatName)': use ndjson, json, csv, text or raw")
            }
            self.format = format
        }
        if let value = parameters["limit"], !value.isEmpty {
            guard let limit = Int(value), limit > 0 else {
                throw Invalid(message: "cannot use limit=\(value): pass a whole number above 0")
            }
            self.limit = limit
        }
    }

    /// The media type of the answer.
    var contentType: String {
        switch format {
        case .ndjson: "application/x-ndjson"
        case .json: "application/json"
        case .csv: "text/csv; charset=utf-8"
        case .text, .raw, .table: "text/plain; charset=utf-8"
        }
    }
}
