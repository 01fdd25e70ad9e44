import AuditCore

/// Normalizes one aws-iam-authenticator line (logrus text, FORMATS.md §2.7):
/// `time="<RFC3339>" level=info msg="access granted" arn="…" client="ip:port" … username="…"`.
///
/// `severity` = `level`, `message` = `msg`, `user` = `username`, `actor` = `arn` made
/// canonical (a session ARN becomes its role), `ip` = the client host, `error` = `error`.
/// An `access granted` line teaches ``ActorCorrelator`` that the username is that ARN, so the
/// audit events of that user get the ARN as actor even without `user.extra`.
public enum AuthenticatorParser {
    static let prefix: [UInt8] = Array(#"time=""#.utf8)

    /// Whether `b[range]` starts like a logrus line (`time="`).
    static func looksLikeLogrus(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        EventDecoder.startsWith(b, range, prefix)
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ context: ParseContext) throws -> AuditEvent {
        guard looksLikeLogrus(b, range) else {
            throw ParseFailure("expected an aws-iam-authenticator line (time=\"…\" level=… msg=\"…\")", offset: range.lowerBound)
        }
        var end = range.upperBound
        while end > range.lowerBound, b[end - 1] == 0x0A || b[end - 1] == 0x0D { end -= 1 }
        var f = FieldValues()
        var timeText = ""
        var arn = ""
        LogfmtScanner.pairs(b, from: range.lowerBound, to: end) { key, value in
            switch key {
            case "time": timeText = value
            case "level": f[.severity] = value == "warn" ? "warning" : value
            case "msg": f[.message] = value
            case "username": f[.user] = value
            case "arn": arn = value
            case "client": f[.ip] = KlogParser.host(value)
            case "error": f[.error] = value
            case "accountid": f[.account] = value
            case "path": f[.uri] = value
            default: break
            }
        }
        guard let time = Timestamp.parse(timeText) else {
            throw ParseFailure("expected an RFC 3339 time in time=\"…\", found \"\(timeText.prefix(40))\"", offset: range.lowerBound + 6)
        }
        if !arn.isEmpty {
            f[.actor] = ActorCorrelator.canonical(arn)
            if f[.message] == "access granted", !f[.user].isEmpty {
                context.correlator?.learnUsername(f[.user], arn: f[.actor])
            }
        } else {
            f[.actor] = f[.user]
        }
        let raw = UnsafeBufferPointer(rebasing: b[range.lowerBound..<end])
        f[.id] = ContentID.of(raw)
        return AuditEvent(time: time, source: .authenticator, fields: f, raw: Array(raw))
    }
}
