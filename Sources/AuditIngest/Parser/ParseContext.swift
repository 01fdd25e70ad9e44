/// What a parser needs beyond the event's bytes: the times to fall back on and the identity
/// links learned so far.
public struct ParseContext {
    /// The time given to an event that carries none (ns UTC): the input file's modification
    /// time (so re-ingesting the same file finds the same events as duplicates), or the time
    /// of ingest for stdin.
    public var fallbackTime: Int64
    /// What ``fallbackTime`` is, stored in the `timesource` field of events that use it:
    /// `mtime` or `ingest`.
    public var fallbackSource: String
    /// A time given by an envelope around the event (the CloudWatch Logs event `timestamp`,
    /// ns UTC): preferred to ``fallbackTime`` for events without a time, and the year of klog
    /// lines.
    public var envelopeTime: Int64?
    /// The session and username links of ``ActorCorrelator``, when correlation is on.
    public var correlator: ActorCorrelator?
    /// Shares the text of repeated field values between events (one per parsing thread).
    public var texts: TextInterner?

    public init(
        fallbackTime: Int64, fallbackSource: String = "mtime", envelopeTime: Int64? = nil, correlator: ActorCorrelator? = nil,
        texts: TextInterner? = nil
    ) {
        self.fallbackTime = fallbackTime
        self.fallbackSource = fallbackSource
        self.envelopeTime = envelopeTime
        self.correlator = correlator
        self.texts = texts
    }

    /// The time for an event that has none, and the `timesource` mark that says so.
    func missingTime() -> (time: Int64, source: String) {
        if let envelopeTime { return (envelopeTime, "envelope") }
        return (fallbackTime, fallbackSource)
    }
}
