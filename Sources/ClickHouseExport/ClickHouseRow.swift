import AuditCore
import LogQuery

/// Encodes events as JSONEachRow lines for ``ClickHouseTable``, into one reused buffer.
///
/// A row is written up to, not including, its batch token (``append(_:into:)``); the batch's
/// token is known only when the batch is closed, and ``finish(rows:token:)`` appends it to
/// every row. `time` is sent as RFC 3339 with nanoseconds, read by ClickHouse with
/// `date_time_input_format=best_effort` (18.16 reads no ISO times without it).
public enum ClickHouseRow {
    /// Appends the event's row, without the closing `,"logq_batch":…}`, to `out`.
    public static func append(_ event: AuditEvent, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"time":""#.utf8)
        out.append(contentsOf: Timestamp.format(event.time, fractionDigits: 9).utf8)
        out.append(contentsOf: #"","time_ns":"#.utf8)
        out.append(contentsOf: String(event.time).utf8)
        out.append(contentsOf: #","source":"#.utf8)
        appendString(event.source.name.utf8, into: &out)
        for field in Field.allCases {
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: "\":".utf8)
            let value = event.fields[field]
            switch field {
            case .code:
                // Empty (CloudTrail) or not a status code: 0.
                let code = UInt16(value).map(String.init) ?? "0"
                out.append(contentsOf: code.utf8)
            case .latency:
                let latency = Double(value).flatMap { $0.isFinite ? String($0) : nil } ?? "0"
                out.append(contentsOf: latency.utf8)
            default:
                appendString(value.utf8, into: &out)
            }
        }
        out.append(contentsOf: #","raw":"#.utf8)
        appendString(EventFormatter.ndjson(event), into: &out)
    }

    /// Closes each row of `rows` (row ends in `ends`) with the batch token: one JSONEachRow body.
    public static func finish(rows: [UInt8], ends: [Int], token: String) -> [UInt8] {
        var tail: [UInt8] = Array(#","logq_batch":"#.utf8)
        appendString(token.utf8, into: &tail)
        tail.append(contentsOf: "}\n".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(rows.count + ends.count * tail.count)
        var start = 0
        for end in ends {
            out.append(contentsOf: rows[start..<end])
            out.append(contentsOf: tail)
            start = end
        }
        return out
    }

    /// `bytes` as a JSON string. Bytes ≥ 0x80 pass as they are (ClickHouse strings are bytes);
    /// quotes, backslashes and control characters are escaped.
    static func appendString<S: Sequence<UInt8>>(_ bytes: S, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
