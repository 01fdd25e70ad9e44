/// What an ingest did.
public struct IngestSummary: Sendable, Equatable {
    /// Inputs read (files, stdin).
    public var inputs = 0
    /// Inputs that could not be read at all, or broke part way (reported).
    public var failedInputs = 0
    /// Events parsed.
    public var events = 0
    /// Events newly stored.
    public var stored = 0
    /// Events skipped because the same event (ID and content) is already stored.
    public var duplicates = 0
    /// Events stored although their ID was already stored with other content.
    public var idConflicts = 0
    /// Values rejected (malformed, too long, a bad time, not an event of a known format);
    /// each is in the quarantine file.
    public var rejected = 0
    /// Inputs that hold nothing logq recognises (a README, a LICENSE, `*.meta.jsonl`
    /// annotations): reported by name, nothing stored or quarantined.
    public var skippedInputs = 0
    /// Files and folders of the S3 layout left out by --region/--since/--until (a whole day or
    /// region folder counts once).
    public var prunedPaths = 0
    /// CloudTrail digest files (integrity validation) recognised and not stored.
    public var digests = 0
    /// Events outside `--since` / `--until`, not stored.
    public var outsideWindow = 0
    /// Directories left out because a walk had read them already (a symlink loop, a second
    /// symlink to the same directory); each reported once as a warning.
    public var skippedDirectories = 0
    /// Events stored whose bytes are not all valid UTF-8 (damaged input): kept byte for byte,
    /// and reported as a warning (one per input value or line) with file, line and offset.
    public var invalidUTF8 = 0
    /// Input bytes read (after decompression).
    public var bytes = 0

    public init() {}
}
