import AuditCore
import SegmentStore

/// Where decoded events go: the store's writer for the CLI, a batch in memory for the server
/// (``BatchCollector``), which hands it to its ingest service.
public protocol EventSink: AnyObject {
    /// Takes one event; says whether it is new, a duplicate or an ID conflict, as far as the
    /// sink can tell.
    func append(_ event: AuditEvent) throws -> AppendOutcome
}

extension StoreWriter: EventSink {}

/// Keeps the events handed to it, in order, for a writer elsewhere to append. It cannot tell
/// duplicates: every event is `.stored` here, and the writer's own outcome counts.
public final class BatchCollector: EventSink {
    /// The events in the order they were decoded.
    public private(set) var events: [AuditEvent] = []

    public init() {}

    public func append(_ event: AuditEvent) throws -> AppendOutcome {
        events.append(event)
        return .stored
    }
}
