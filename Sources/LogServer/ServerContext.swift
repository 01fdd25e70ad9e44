import Logging
import SegmentStore

/// What routes registered beside the ingest ones (query, tail) get from the server: the
/// store's folder, their limits and the logger. A value: every route may copy it.
public struct ServerContext: Sendable {
    /// The store's folder.
    public var directory: DataDirectory
    /// The longest a query may run before it is answered 504 (`--query-timeout`); nil for no limit.
    public var queryTimeout: Duration?
    /// The most live tails served at once (`--max-tails`); the next answers 503.
    public var maxTails: Int
    /// The server's logger.
    public var logger: Logger

    public init(
        directory: DataDirectory, queryTimeout: Duration? = .seconds(60), maxTails: Int = 64,
        logger: Logger = Logger(label: "logq")
    ) {
        self.directory = directory
        self.queryTimeout = queryTimeout
        self.maxTails = maxTails
        self.logger = logger
    }
}
