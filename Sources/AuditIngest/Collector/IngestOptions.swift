import AuditCore

/// How ``Ingestor`` reads its inputs.
public struct IngestOptions {
    /// The format forced with `--format`, or `.auto` to tell formats apart by content.
    public var format: InputFormat = .auto
    /// The largest single event or text line accepted (`--max-line`); longer ones are
    /// rejected without being held whole.
    public var maxLineBytes = JSONValueReader.defaultMaxLineBytes
    /// Events before this time (ns UTC) are skipped, and S3-layout files delivered before it
    /// are not read (`--since`).
    public var since: Int64?
    /// Events after this time (ns UTC) are skipped, and S3-layout files delivered more than a
    /// day after it are not read (`--until`).
    public var until: Int64?
    /// When not empty, S3-layout files of other regions are not read (`--region`).
    public var regions: Set<String> = []
    /// Identity links to use and extend (``ActorCorrelator``); nil turns correlation off.
    public var correlator: ActorCorrelator?

    public init() {}

    /// The key-layout pruning these options ask for.
    var pruning: S3Pruning { S3Pruning(since: since, until: until, regions: regions) }
}
