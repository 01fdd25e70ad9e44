/// Comma-separated values per RFC 4180: fields holding a comma, a double quote, CR or LF are
/// quoted, with quotes doubled; records end with CRLF.
public enum CSV {
    /// One record, CRLF included.
    public static func record(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A field, quoted when it must be.
    public static func quote(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return field }
        var out = "\""
        for c in field.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }
}
