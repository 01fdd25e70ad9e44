/// The limits a query runs under, each with the reason for its value.
public enum QueryLimits {
    /// How deep `(`, `not` and `-` may nest: real queries nest a handful deep; 10,000 levels
    /// overflowed the parser's stack (SIGSEGV) instead of giving an error.
    public static let maxNesting = 256
    /// PCRE2 match limit (calls of its internal `match()`, also counted by the JIT): a URI
    /// of a few hundred bytes matches in a few thousand; a catastrophic pattern such as
    /// `^(.+)+[!#]$` needs billions and ran for minutes before the limit.
    public static let regexMatchLimit: UInt32 = 1_000_000
    /// PCRE2 depth limit (backtracking depth, in frames, for the interpreter): bounds the
    /// heap a single match may take.
    public static let regexDepthLimit: UInt32 = 10_000
    /// Bytes of events `| sort by` may hold (original bytes plus ~512 B of fields and
    /// bookkeeping each): half the 64 MiB a query aims to stay under, the rest being the scan's.
    /// About 12,000 events of 2.7 KB; `| head N` after the sort keeps only N.
    public static let sortBudgetBytes = 32 << 20
}
