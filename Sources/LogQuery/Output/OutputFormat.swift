/// How results are printed (`-o`).
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One readable line per event (time, source, verb, user, what, where, code); aggregates
    /// as aligned columns. The default when stdout is not a terminal.
    case text
    /// Aligned columns under a header, coloured unless `NO_COLOR` is set. The default on a terminal.
    case table
    /// The original events, one JSON object per line (pretty-printed originals are compacted);
    /// `fields` and aggregates as one object per line.
    case ndjson
    /// Like ndjson, as one JSON array.
    case json
    /// Comma-separated values with a header row, quoted per RFC 4180.
    case csv
    /// The original events byte for byte, each followed by a newline (aggregates as text).
    case raw
}
