import AuditIngest

/// The progress line of `logq ingest` on stderr (a terminal only): inputs, bytes read and the
/// event rate, redrawn in place at most four times a second and cleared at the end.
struct ProgressLine {
    let enabled: Bool
    private let start = Environment.now()
    private var lastDraw: Int64 = 0
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func update(_ s: IngestSummary) {
        guard enabled else { return }
        let now = Environment.now()
        guard now - lastDraw >= 250_000_000 else { return }
        lastDraw = now
        let seconds = Double(now - start) / 1e9
        let rate = seconds > 0 ? Int(Double(s.events) / seconds) : 0
        let text = "\r\u{1B}[2Kingest: \(s.inputs) input\(s.inputs == 1 ? "" : "s"), \(IngestCommand.bytes(s.bytes)), \(s.events) events, \(rate) events/s, \(s.rejected) rejected"
        var err = OutputStream(fd: 2)
        err.write(text)
        err.flush()
        drawn = true
    }

    mutating func finish() {
        guard enabled, drawn else { return }
        var err = OutputStream(fd: 2)
        err.write("\r\u{1B}[2K")
        err.flush()
        drawn = false
    }
}
