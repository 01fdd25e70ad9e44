/// How results are printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One readable line per event: time, source, verb, user, what, where, code.
    case text
    /// The original events, one JSON object per line (pretty-printed originals are compacted).
    case ndjson
    /// The original events byte for byte, each followed by a newline.
    case raw
}
