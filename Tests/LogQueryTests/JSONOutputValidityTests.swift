import AuditCore
import Foundation
import Testing

@testable import LogQuery

/// Whatever an event holds, JSON output is JSON: checked with Foundation's strict parser
/// (which refuses invalid UTF-8, bare `nan`/`inf` and text that is not a JSON value).
@Suite("JSON output validity")
struct JSONOutputValidityTests {
    static func isJSON(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    static func event(raw: [UInt8], source: SourceKind = .k8sAudit) -> AuditEvent {
        AuditEvent(time: fixedNow, source: source, fields: FieldValues(), raw: raw)
    }

    @Test("an original with invalid UTF-8 prints as valid JSON, U+FFFD for each bad sequence", arguments: [
        [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80],
    ] as [[UInt8]])
    func invalidUTF8(bad: [UInt8]) {
        let raw = Array(#"{"user":{"username":"al"#.utf8) + bad + Array(#"ice"},"n":1}"#.utf8)
        let out = EventFormatter.ndjson(Self.event(raw: raw))
        #expect(Self.isJSON(out), "\(out)")
        #expect(String(decoding: out, as: UTF8.self).contains("al\u{FFFD}"))
        #expect(String(decoding: out, as: UTF8.self).hasSuffix(#"ice"},"n":1}"#))
    }

    @Test("valid originals print byte for byte; pretty-printed ones compacted")
    func validOriginals() {
        let raw = Array(#"{"a":"é 漢 🙂","b":[1,2.5e3,-0.1,true,null]}"#.utf8)
        #expect(EventFormatter.ndjson(Self.event(raw: raw)) == raw)
        let pretty = Array("{\n  \"a\": \"x y\",\n  \"b\": 1\n}".utf8)
        #expect(EventFormatter.ndjson(Self.event(raw: pretty)) == Array(#"{"a":"x y","b":1}"#.utf8))
    }

    @Test("a text event (a klog line) prints as a JSON string of its text")
    func textEvent() {
        let line = Array("I1124 10:00:04.000000       1 x.go:1] \"tab\there\" quote=\"\\\"\"".utf8)
        let out = EventFormatter.ndjson(Self.event(raw: line, source: .apiserver))
        #expect(Self.isJSON(out), "\(String(decoding: out, as: UTF8.self))")
        let decoded = try? JSONSerialization.jsonObject(with: Data(out), options: [.fragmentsAllowed]) as? String
        #expect(decoded == String(decoding: line, as: UTF8.self))
    }

    @Test("aggregates past Double print as valid JSON: infinities and NaN are not bare numbers")
    func nonFiniteNumbers() {
        let table = ResultTable(columns: ["sum(n)", "avg(n)", "max(n)"], numeric: [true, true, true], rows: [[
            StatsFunction.format(.infinity), StatsFunction.format(.nan), StatsFunction.format(-.infinity),
        ]])
        var bytes: [UInt8] = []
        let printer = ResultPrinter(format: .ndjson, colour: false, projection: nil) { bytes += $0 }
        printer.table(table)
        #expect(Self.isJSON(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        bytes = []
        let json = ResultPrinter(format: .json, colour: false, projection: nil) { bytes += $0 }
        json.table(table)
        #expect(Self.isJSON(bytes), "\(String(decoding: bytes, as: UTF8.self))")
    }
}
