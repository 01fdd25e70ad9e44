/// Every limit and format constant of the store, in one place, each with its reason.
public enum Limits {
    /// The segment format version written and the only one read; readers refuse others.
    /// 5: the raw column shredded by JSON key path, per-column CRC-32 and a block head CRC.
    public static let formatVersion: UInt16 = 5
    /// Events per block: large enough for zlib to find repetition across events, small enough
    /// that a block decodes in about a millisecond and skipping one saves real work.
    public static let eventsPerBlock = 4_096
    /// Uncompressed bytes per block at most: bounds reader memory when events are large.
    public static let blockRawBytes = 4 << 20
    /// Largest block frame a reader accepts: a corrupt length field must not allocate gigabytes.
    public static let maxBlockFrameBytes: UInt32 = 64 << 20
    /// Buffered, not yet written event bytes across all partitions of one writer; past this the
    /// largest partition buffer is written out, so backfills over many hours stay in bounded memory.
    public static let writerBufferedBytes = 64 << 20
    /// Distinct values kept per field in a block summary; past this the field is marked "many"
    /// and does not prune. Bounds the summary to a few KiB per block.
    public static let summaryValues = 128
    /// DEFLATE level for block columns (libdeflate). Measured on the macro benchmark's default
    /// dataset (1,000,000 k8s + 200,000 CloudTrail events; ingest wall s, CPU s / store MB):
    /// 1 → 11.1–11.6 s, 18.4–19.0 s / 76.5; 2 → 12.2 s, 20.0–20.4 s / 73.2; 4 → 12.5–13.6 s,
    /// 21.1–21.9 s / 72.4; 6 → 13.6–14.4 s, 22.6–23.5 s / 71.8. Shredded columns leave the
    /// slower levels little to find: level 1 stores 6.6% more (0.49× the gzip -6 input) for
    /// a fifth less ingest CPU. Readers inflate every level alike.
    public static let compressionLevel: Int32 = 1
    /// Events larger than this (B) are kept verbatim in the raw column instead of shredded:
    /// shredding one huge event gains little, and its template would be as large as itself.
    public static let shredEventBytes = 1 << 20
    /// Deepest nesting of JSON objects and arrays shredded; deeper events are kept verbatim.
    public static let shredDepth = 64
    /// Most scalar values per event shredded; events with more are kept verbatim.
    public static let shredValues = 1 << 16
    /// Share of a shredded column's values that must equal a field column's (the audit ID, the
    /// URI, …) for the raw column to refer to the field instead of storing them a second time.
    public static let shredFieldShare = 0.9
    /// Bytes per commit journal file before the next record starts a new one: small enough
    /// that retention frees journal space in steps, large enough that a follower rarely
    /// switches files (a record is ~40 B per block).
    public static let journalFileBytes = 8 << 20
    /// How long journal records are kept for followers that are behind (ns): 7 days. The
    /// journal is an index of arrivals, not the data: removing old records only means a
    /// follower resuming from before them starts at the oldest record kept, with a warning.
    public static let journalKeep: Int64 = 7 * 86_400 * 1_000_000_000
    /// Blocks with fewer events than this are merged into full blocks by compaction: half a
    /// block. Frequent commits (every 100 ms) write blocks of tens to hundreds of events.
    public static let mergeBlockEvents = eventsPerBlock / 2

    /// Bytes held back in `<data>/RESERVE`: a full disk must not stop retention, which frees
    /// space but first appends a few hundred bytes per segment to the chain (a chain line is
    /// ~250 B; 4 MiB covers ~16,000 removals, more than retention removes in one run).
    public static let reserveBytes = 4 << 20
}
