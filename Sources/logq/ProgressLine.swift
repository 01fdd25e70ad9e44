import AuditIngest

/// A progress line on stderr (a terminal only), redrawn in place at most four times a second
/// and cleared at the end: `logq ingest`, `logq export`, `logq segments ship`.
struct ProgressLine {
    let enabled: Bool
    private let start = Environment.now()
    private var lastDraw: Int64 = 0
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Draws `text(rate)`, where rate is `count` per second since the start, unless the line
    /// was drawn less than 250 ms ago (`force`: draw anyway, as for the last step).
    mutating func draw(count: Int = 0, force: Bool = false, _ text: (_ rate: Int) -> String) {
        guard enabled else { return }
        let now = Environment.now()
        guard force || now - lastDraw >= 250_000_000 else { return }
        lastDraw = now
        let seconds = Double(now - start) / 1e9
        var err = OutputStream(fd: 2)
        err.write("\r\u{1B}[2K" + text(seconds > 0 ? Int(Double(count) / seconds) : 0))
        err.flush()
        drawn = true
    }

    /// `logq ingest`: inputs, bytes read, events and their rate, rejects.
    mutating func update(_ s: IngestSummary) {
        draw(count: s.events) { rate in
            "ingest: \(s.inputs) input\(s.inputs == 1 ? "" : "s"), \(IngestCommand.bytes(s.bytes)), \(s.events) events, \(rate) events/s, \(s.rejected) rejected"
        }
    }

    /// Clears the line, if one was drawn.
    mutating func finish() {
        guard enabled, drawn else { return }
        var err = OutputStream(fd: 2)
        err.write("\r\u{1B}[2K")
        err.flush()
        drawn = false
    }
}
