import SegmentStore

/// What every route of a running server shares: the store, and the limits set on the command line.
///
/// (Placeholder of the query half; the ingest half defines the full context and the two are
/// reconciled when they merge.)
public struct ServerContext: Sendable {
    /// The data directory the server reads and writes.
    public var directory: DataDirectory
    /// The longest a query may run before it is answered 504; nil for no limit.
    public var queryTimeout: Duration?
    /// Live tails served at once; the next answers 503.
    public var maxTails: Int

    public init(directory: DataDirectory, queryTimeout: Duration?, maxTails: Int) {
        self.directory = directory
        self.queryTimeout = queryTimeout
        self.maxTails = maxTails
    }
}
