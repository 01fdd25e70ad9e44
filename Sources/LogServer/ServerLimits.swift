/// The limits of `logq serve`, each with why it has its default.
public struct ServerLimits: Sendable {
    /// The largest request body read (bytes, before and after gunzip): a batch of 400 large
    /// audit events is a few MiB, and kube-apiserver retries then drops a batch answered 413,
    /// so this stays well above any real batch (FACTS.md: ≥ 32 MiB).
    public var maxBodyBytes = 64 << 20
    /// Ingest requests being read, parsed or waiting for their commit at once; one more is
    /// answered 503 at once (each holds its body in memory: this bounds memory).
    public var maxIngestRequests = 64
    /// Events waiting for the writer across all requests; past it a request is answered 503
    /// with Retry-After instead of queueing (about 400 batches of kube-apiserver's 400).
    public var maxQueuedEvents = 160_000
    /// The seconds a client is told to wait in Retry-After when the server is full.
    public var retryAfterSeconds = 1
    /// Seconds a connection may stay idle (no request, or a request that stopped sending)
    /// before it is closed, so slow clients cannot hold connections.
    public var idleTimeoutSeconds = 60
    /// Seconds after its last event an hour's partition is sealed and its dedupe table freed
    /// (``SegmentStore/StoreWriter/releaseIdlePartitions(idleSeconds:)``): the writer's memory
    /// then follows the hours being written, not every hour written since the start. Late
    /// events for a released hour reopen it (its IDs read back from disk).
    public var partitionIdleSeconds = 300.0
    /// Seconds after its last event a minute's dedupe identities are let go
    /// (``SegmentStore/StoreWriter/releaseIdleIdentities(idleSeconds:)``): memory then follows
    /// the event rate over the last minutes, not the events of the whole open hour. A re-sent
    /// event of a released minute reads that minute's IDs back from disk first (a few blocks).
    public var dedupeIdleSeconds = 60.0

    public init() {}
}
