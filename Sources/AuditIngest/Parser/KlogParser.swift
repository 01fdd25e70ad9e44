import AuditCore

/// Normalizes one klog line of kube-apiserver, kube-controller-manager or kube-scheduler
/// (FORMATS.md §2.6): `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`.
///
/// - `severity`: `I` info, `W` warning, `E` error, `F` fatal; `location`: `file:line`;
///   `message`: the quoted message of a structured line (unquoted), else the text.
/// - `key="value"` pairs fill fields: `pod="ns/name"` → `ns`, `name`; `namespace`, `node`;
///   the apiserver's HTTP log (`verb`, `URI`, `resp`, `userAgent`, `srcIP`, `latency`) →
///   `verb` (lower case), `uri`, `code`, `agent`, `ip`, `latency` (ms); `err` → `error`.
/// - Time: the line has no year. The year is the one that puts the line closest before the
///   reference time — the CloudWatch event's timestamp when the line came in one, else the
///   input file's modification time (the time of ingest for stdin): the reference's year,
///   or the year before when that would put the line more than a day after the reference
///   (a December line read in January).
public enum KlogParser {
    /// Whether `b[range]` starts with a klog header (`I1124 10:00:00.`).
    static func looksLikeKlog(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count >= 16 else { return false }
        let s = range.lowerBound
        let c = b[s]
        guard c == UInt8(ascii: "I") || c == UInt8(ascii: "W") || c == UInt8(ascii: "E") || c == UInt8(ascii: "F") else { return false }
        // I0302 10:15:07.123456: digits at 1-4, 6-7, 9-10, 12-13; ' ' 5, ':' 8 and 11, '.' 14.
        for k in [1, 2, 3, 4, 6, 7, 9, 10, 12, 13] where !isDigit(b[s + k]) { return false }
        return b[s + 5] == 0x20 && b[s + 8] == UInt8(ascii: ":") && b[s + 11] == UInt8(ascii: ":") && b[s + 14] == UInt8(ascii: ".")
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    static func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int {
        var v = 0
        for k in at..<(at + count) { v = v * 10 + Int(b[k] - 48) }
        return v
    }

    /// Parses the klog line (possibly with continuation lines) at `b[range]`.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, source: SourceKind, _ context: ParseContext) throws -> AuditEvent {
        guard looksLikeKlog(b, range) else {
            throw ParseFailure("expected a klog line (Lmmdd hh:mm:ss.uuuuuu thread file:line] message)", offset: range.lowerBound)
        }
        let s = range.lowerBound
        var f = FieldValues()
        f[.severity] =
            switch b[s] {
            case UInt8(ascii: "I"): "info"
            case UInt8(ascii: "W"): "warning"
            case UInt8(ascii: "E"): "error"
            default: "fatal"
            }
        let month = number(b, s + 1, 2)
        let day = number(b, s + 3, 2)
        let hour = number(b, s + 6, 2)
        let minute = number(b, s + 9, 2)
        let second = number(b, s + 12, 2)
        var i = s + 15
        var nanos: Int64 = 0
        var scale: Int64 = 100_000_000
        while i < range.upperBound, isDigit(b[i]) {
            nanos += Int64(b[i] - 48) * scale
            scale /= 10
            i += 1
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
            throw ParseFailure("expected a klog time (mmdd hh:mm:ss), found month \(month) day \(day)", offset: s + 1)
        }
        let reference = context.envelopeTime ?? context.fallbackTime
        let refYear = Timestamp.civilFromDays(Int(reference / Timestamp.nanosPerSecond / 86_400)).year
        func at(_ year: Int) -> Int64 {
            let d = min(day, Timestamp.daysInMonth(year: year, month: month))
            let days = Int64(Timestamp.daysFromCivil(year: year, month: month, day: d))
            return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * Timestamp.nanosPerSecond + nanos
        }
        var time = at(refYear)
        if time > reference + 86_400 * Timestamp.nanosPerSecond { time = at(refYear - 1) }
        // Thread id (space padded), then file:line] message.
        while i < range.upperBound, b[i] == 0x20 { i += 1 }
        while i < range.upperBound, isDigit(b[i]) { i += 1 }
        while i < range.upperBound, b[i] == 0x20 { i += 1 }
        let locationStart = i
        while i < range.upperBound, b[i] != UInt8(ascii: "]"), b[i] != 0x0A { i += 1 }
        guard i < range.upperBound, b[i] == UInt8(ascii: "]") else {
            throw ParseFailure("expected \"file:line] \" after the klog time", offset: locationStart)
        }
        f[.location] = String(decoding: UnsafeBufferPointer(rebasing: b[locationStart..<i]), as: UTF8.self)
        i += 1
        if i < range.upperBound, b[i] == 0x20 { i += 1 }
        var end = range.upperBound
        while end > i, b[end - 1] == 0x0A || b[end - 1] == 0x0D { end -= 1 }
        if i < end, b[i] == UInt8(ascii: "\"") {
            let (message, after) = LogfmtScanner.quoted(b, from: i, to: end)
            f[.message] = message
            LogfmtScanner.pairs(b, from: after, to: end) { key, value in apply(key, value, &f) }
        } else {
            f[.message] = String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self)
            // Unstructured lines (the apiserver's `httplog`) still carry pairs after the text.
            if let firstPair = firstPairStart(b, from: i, to: end) {
                LogfmtScanner.pairs(b, from: firstPair, to: end) { key, value in apply(key, value, &f) }
            }
        }
        let raw = UnsafeBufferPointer(rebasing: b[range])
        f[.id] = ContentID.of(raw)
        return AuditEvent(time: time, source: source, fields: f, raw: Array(raw))
    }

    /// Where the first `key=` of a line's tail begins (a word directly followed by `=`).
    static func firstPairStart(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            let wordStart = i
            while i < to, b[i] != 0x20, b[i] != UInt8(ascii: "=") { i += 1 }
            if i < to, b[i] == UInt8(ascii: "="), i > wordStart { return wordStart }
            while i < to, b[i] != 0x20 { i += 1 }
            while i < to, b[i] == 0x20 { i += 1 }
        }
        return nil
    }

    static func apply(_ key: String, _ value: String, _ f: inout FieldValues) {
        switch key {
        case "pod":
            if let slash = value.firstIndex(of: "/") {
                f[.ns] = String(value[..<slash])
                f[.name] = String(value[value.index(after: slash)...])
            } else {
                f[.name] = value
            }
            f[.resource] = "pods"
        case "namespace": f[.ns] = value
        case "node": f[.node] = value
        case "verb": f[.verb] = value.lowercased()
        case "URI": f[.uri] = value
        case "resp": f[.code] = value
        case "userAgent": f[.agent] = value
        case "srcIP": f[.ip] = host(value)
        case "latency": if let ms = millis(value) { f[.latency] = ms }
        case "err": f[.error] = value
        case "user": f[.user] = value
        default: break
        }
    }

    /// `10.0.0.1:443` → `10.0.0.1`; `[::1]:443` → `::1`.
    static func host(_ address: String) -> String {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<close])
        }
        let colons = address.filter { $0 == ":" }.count
        if colons == 1, let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
        return address
    }

    /// A Go duration (`1.5ms`, `250µs`, `2.1s`) in milliseconds with 3 decimals.
    static func millis(_ text: String) -> String? {
        let units: [(String, Double)] = [("ms", 1), ("µs", 0.001), ("us", 0.001), ("ns", 0.000001), ("s", 1000), ("m", 60_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)) else { return nil }
            let micros = Int64((v * scale * 1000).rounded())
            return K8sAuditParser.formatMillis(micros * 1000)
        }
        return nil
    }
}
