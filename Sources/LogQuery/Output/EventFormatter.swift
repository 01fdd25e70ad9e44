import AuditCore

/// Renders events and aggregates for output.
public enum EventFormatter {
    /// The readable line: `time  source  verb  user  what  where  code`.
    public static func line(_ event: AuditEvent) -> String {
        let c = cells(event)
        return [c[0], pad(c[1], 10), pad(c[2], 7), orDash(c[3]), orDash(c[4]), orDash(c[5]), orDash(c[6])]
            .joined(separator: "  ")
    }

    /// The columns of ``cells(_:)``, for table and CSV headers.
    public static let columns = ["time", "source", "verb", "user", "what", "where", "code"]

    /// The readable summary of an event as cells: time, source, verb, user, what (object or
    /// AWS action), where (region, ip), code (HTTP status, stage, `ok` or the AWS error).
    public static func cells(_ event: AuditEvent) -> [String] {
        let f = event.fields
        let time = Timestamp.format(event.time, fractionDigits: 3)
        let what: String
        let place: String
        let code: String
        switch event.source {
        case .cloudtrail:
            let service = f[.service].split(separator: ".").first.map(String.init) ?? f[.service]
            what = [service + ":" + f[.event], f[.name]].filter { !$0.isEmpty && $0 != ":" }.joined(separator: " ")
            place = [f[.region], f[.ip]].filter { !$0.isEmpty }.joined(separator: " ")
            code = f[.error].isEmpty ? "ok" : f[.error]
        case .apiserver, .controllerManager, .scheduler, .authenticator:
            // klog and authenticator lines: the message is what happened; where in the code
            // (or which node, which client) and the severity.
            what = f[.message].isEmpty ? [f[.resource], f[.name]].filter { !$0.isEmpty }.joined(separator: " ") : f[.message]
            place = [f[.location], f[.node], f[.ip]].first { !$0.isEmpty } ?? ""
            code = f[.severity].isEmpty ? f[.code] : f[.severity]
        case .perf:
            // Container Insights: the kind of measurement (Node, Pod, Service …) and its object.
            let target = [f[.ns], f[.name]].filter { !$0.isEmpty }.joined(separator: "/")
            what = [f[.kind], target].filter { !$0.isEmpty }.joined(separator: " ")
            place = [f[.node], f[.cluster]].first { !$0.isEmpty } ?? ""
            code = ""
        default:
            var object = f[.resource]
            if !f[.subresource].isEmpty { object += "/" + f[.subresource] }
            let target = [f[.ns], f[.name]].filter { !$0.isEmpty }.joined(separator: "/")
            let parts = [object, target].filter { !$0.isEmpty }
            what = parts.isEmpty ? f[.uri] : parts.joined(separator: " ")
            place = f[.ip]
            code = f[.code].isEmpty ? f[.stage] : f[.code]
        }
        return [time, event.source.name, f[.verb], f[.user], what, place, code]
    }

    /// The original event as one line of valid JSON: verbatim when it is valid JSON on one
    /// line, else compacted and repaired, or a JSON string of a text event (``JSONText``).
    public static func ndjson(_ event: AuditEvent) -> [UInt8] {
        JSONText.line(event.raw)
    }

    /// A table of counts: a header row, then one row per group.
    public static func countTable(_ rows: [(key: [String], count: Int)], by fields: [FieldRef]) -> [String] {
        let header = ["count"] + fields.map(\.description)
        var table = [header] + rows.map { [String($0.count)] + $0.key.map(orDash) }
        if fields.isEmpty, rows.isEmpty { table.append(["0"]) }
        var widths = Array(repeating: 0, count: header.count)
        for row in table {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return table.map { row in
            row.enumerated().map { i, cell in
                i == 0 ? String(repeating: " ", count: widths[0] - cell.count) + cell
                    : (i == row.count - 1 ? cell : pad(cell, widths[i]))
            }.joined(separator: "  ")
        }
    }

    /// Count rows as JSON lines: `{"user":"alice","count":3}`.
    public static func countJSON(_ rows: [(key: [String], count: Int)], by fields: [FieldRef]) -> [String] {
        if rows.isEmpty && fields.isEmpty { return ["{\"count\":0}"] }
        return rows.map { row in
            let members = zip(fields, row.key).map { "\(jsonString($0.description)):\(jsonString($1))" } + ["\"count\":\(row.count)"]
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func orDash(_ s: String) -> String { s.isEmpty ? "-" : s }
}
