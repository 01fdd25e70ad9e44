/// What kind of problem a rejection is, for programs (the HTTP answer, counters) rather than
/// for people (``Rejection/reason`` says it in words).
public enum RejectionKind: String, Sendable, CaseIterable {
    /// Not valid JSON where JSON was expected.
    case malformedJSON = "malformed_json"
    /// Valid, but of no format logq reads (not an event, event list or file of records).
    case unrecognised = "unrecognised_format"
    /// Of a known format but not a storable event (a required field missing or of the wrong type).
    case invalidEvent = "invalid_event"
    /// A value or line longer than the limit (`--max-line`).
    case tooLong = "too_long"
    /// The bytes could not be read as a whole: a damaged or truncated gzip stream.
    case damagedInput = "damaged_input"

    /// The kind of `rejection`. The decoders state the kind in the opening words of their
    /// reasons, which are fixed texts; this is the one place that reads them.
    public init(_ rejection: Rejection) {
        let reason = rejection.reason
        if reason.hasPrefix("malformed JSON") {
            self = .malformedJSON
        } else if reason.hasPrefix("expected a line of at most") {
            self = .tooLong
        } else if reason.hasPrefix("expected a Kubernetes audit Event (\"kind\":\"Event\"), an EventList")
            || reason.hasPrefix("expected a klog line, an aws-iam-authenticator line")
            || reason.hasPrefix("expected a JSON object (an event or a file of events)")
        {
            self = .unrecognised
        } else {
            self = .invalidEvent
        }
    }
}
