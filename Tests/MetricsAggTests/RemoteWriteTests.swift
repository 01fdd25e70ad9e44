import Foundation
@testable import MetricsAgg
import TestSupport
import Testing

/// A snappy block decoder written from format_description.txt for the tests only: checks every
/// element (tag, length bytes, copy offset within what was decoded) and the stated length.
enum SnappyReference {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ input: [UInt8]) throws -> [UInt8] {
        var i = 0
        func byte() throws -> Int {
            guard i < input.count else { throw Failure(description: "truncated at byte \(i)") }
            defer { i += 1 }
            return Int(input[i])
        }
        var length = 0
        var shift = 0
        while true {
            let b = try byte()
            length |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80 { break }
            guard shift < 35 else { throw Failure(description: "length varint too long") }
        }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while i < input.count {
            let tag = try byte()
            switch tag & 3 {
            case 0:
                var n = tag >> 2
                if n >= 60 {
                    let bytes = n - 59
                    n = 0
                    for k in 0..<bytes { n |= try byte() << (8 * k) }
                }
                n += 1
                guard i + n <= input.count else { throw Failure(description: "literal of \(n) past the end at \(i)") }
                out += input[i..<i + n]
                i += n
            default:
                let n: Int
                let offset: Int
                switch tag & 3 {
                case 1:
                    n = 4 + ((tag >> 2) & 7)
                    offset = ((tag >> 5) << 8) | (try byte())
                case 2:
                    n = 1 + (tag >> 2)
                    offset = try byte() | (try byte() << 8)
                default:
                    n = 1 + (tag >> 2)
                    offset = try byte() | (try byte() << 8) | (try byte() << 16) | (try byte() << 24)
                }
                guard offset > 0, offset <= out.count else { throw Failure(description: "copy offset \(offset) with \(out.count) bytes decoded") }
                for _ in 0..<n { out.append(out[out.count - offset]) }
            }
        }
        guard out.count == length else { throw Failure(description: "decoded \(out.count) bytes, the block says \(length)") }
        return out
    }
}

/// A protobuf wire-format reader for the tests only: fields as (number, wire type, payload).
enum ProtobufReference {
    enum Field: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
    }

    struct Failure: Error {}

    static func fields(_ bytes: [UInt8]) throws -> [(number: Int, field: Field)] {
        var out: [(Int, Field)] = []
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Failure() }
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                shift += 7
                if b < 0x80 { return v }
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((number, .varint(try varint())))
            case 1:
                guard i + 8 <= bytes.count else { throw Failure() }
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                i += 8
                out.append((number, .fixed64(v)))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw Failure() }
                out.append((number, .bytes(Array(bytes[i..<i + n]))))
                i += n
            default: throw Failure()
            }
        }
        return out
    }

    /// The series of a `WriteRequest`: labels in order, and each sample's value and timestamp.
    static func writeRequest(_ bytes: [UInt8]) throws -> [(labels: [(String, String)], samples: [(Double, Int64)])] {
        var series: [(labels: [(String, String)], samples: [(Double, Int64)])] = []
        for (number, field) in try fields(bytes) {
            guard number == 1, case .bytes(let ts) = field else { throw Failure() }
            var labels: [(String, String)] = []
            var samples: [(Double, Int64)] = []
            for (n, f) in try fields(ts) {
                guard case .bytes(let inner) = f else { throw Failure() }
                if n == 1 {
                    var name = ""
                    var value = ""
                    for (k, g) in try fields(inner) {
                        guard case .bytes(let text) = g else { throw Failure() }
                        if k == 1 { name = String(decoding: text, as: UTF8.self) } else if k == 2 { value = String(decoding: text, as: UTF8.self) }
                    }
                    labels.append((name, value))
                } else if n == 2 {
                    var value = 0.0
                    var timestamp: Int64 = 0
                    for (k, g) in try fields(inner) {
                        if k == 1, case .fixed64(let bits) = g { value = Double(bitPattern: bits) }
                        if k == 2, case .varint(let v) = g { timestamp = Int64(bitPattern: v) }
                    }
                    samples.append((value, timestamp))
                } else {
                    throw Failure()
                }
            }
            series.append((labels, samples))
        }
        return series
    }
}

/// The samples of a text 0.0.4 exposition: sample name, labels without empty values, value.
func parseExposition(_ text: String) -> [(labels: [String: String], value: Double)] {
    var out: [(labels: [String: String], value: Double)] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        var labels: [String: String] = [:]
        let chars = Array(line.utf8)
        var i = 0
        while i < chars.count, chars[i] != UInt8(ascii: "{"), chars[i] != UInt8(ascii: " ") { i += 1 }
        labels["__name__"] = String(decoding: chars[0..<i], as: UTF8.self)
        if i < chars.count, chars[i] == UInt8(ascii: "{") {
            i += 1
            while chars[i] != UInt8(ascii: "}") {
                let nameStart = i
                while chars[i] != UInt8(ascii: "=") { i += 1 }
                let name = String(decoding: chars[nameStart..<i], as: UTF8.self)
                i += 2  // ="
                var value: [UInt8] = []
                while chars[i] != UInt8(ascii: "\"") {
                    if chars[i] == UInt8(ascii: "\\") {
                        i += 1
                        value.append(chars[i] == UInt8(ascii: "n") ? 0x0A : chars[i])
                    } else {
                        value.append(chars[i])
                    }
                    i += 1
                }
                i += 1
                if !value.isEmpty { labels[name] = String(decoding: value, as: UTF8.self) }
                if chars[i] == UInt8(ascii: ",") { i += 1 }
            }
            i += 1
        }
        let number = String(decoding: chars[(i + 1)...], as: UTF8.self)
        out.append((labels, number == "+Inf" ? .infinity : number == "-Inf" ? -.infinity : Double(number) ?? .nan))
    }
    return out
}

/// A canonical text of a label set, to compare series as sets.
func key(_ labels: [String: String]) -> String {
    labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
}

@Suite("Remote write: snappy")
struct RemoteWriteSnappyTests {
    /// Deterministic bytes (xorshift), `text`: drawn from a small alphabet of words, else uniform.
    static func bytes(_ count: Int, seed: UInt64, text: Bool) -> [UInt8] {
        var state = seed | 1
        var out: [UInt8] = []
        let words = ["verb", "GET", "namespace", "kube-system", "\"code\":200,", "pods", " ", "apiserver_request_total{"].map { Array($0.utf8) }
        while out.count < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            if text { out += words[Int(state % UInt64(words.count))] } else { out.append(UInt8(truncatingIfNeeded: state)) }
        }
        return Array(out.prefix(count))
    }

    @Test("the test decoder reads blocks built by hand from the format description")
    func referenceVectors() throws {
        // Length 12; literal "abcd" (tag (4-1)<<2); copy of 8 from offset 4, 1-byte offset (tag (8-4)<<2 | 1).
        #expect(try SnappyReference.decode([12, 3 << 2, 97, 98, 99, 100, (8 - 4) << 2 | 1, 4]) == Array("abcdabcdabcd".utf8))
        // Length 70: literal "x", then a 2-byte-offset copy of 64 and one of 5 (overlapping, offset 1).
        #expect(try SnappyReference.decode([70, 0, 120, (64 - 1) << 2 | 2, 1, 0, (5 - 1) << 2 | 2, 1, 0]) == [UInt8](repeating: 120, count: 70))
        // A literal of 61 bytes: tag 60 << 2 and the length − 1 in one byte.
        let literal = Array(repeating: UInt8(7), count: 61)
        #expect(try SnappyReference.decode([61, 60 << 2, 60] + literal) == literal)
        // A copy reaching before the start is refused.
        #expect(throws: SnappyReference.Failure.self) { try SnappyReference.decode([8, 0, 97, (7 - 4) << 2 | 1, 2]) }
    }

    @Test(
        "compress then decode gives the input back, for empty, short, text-like, random, long-run and fixture inputs",
        arguments: [0, 1, 3, 4, 15, 16, 17, 100, 65_535, 65_536, 65_537, 300_000])
    func roundTrip(size: Int) throws {
        for input in [Self.bytes(size, seed: UInt64(size) + 1, text: true), Self.bytes(size, seed: UInt64(size) + 7, text: false),
            [UInt8](repeating: 0x61, count: size)]
        {
            let compressed = Snappy.compress(input)
            #expect(compressed.count <= Snappy.maxCompressedLength(input.count))
            #expect(try SnappyReference.decode(compressed) == input)
        }
    }

    @Test("repetitive input shrinks, random input does not grow beyond the bound, fixture files round-trip")
    func ratios() throws {
        let text = Self.bytes(200_000, seed: 3, text: true)
        #expect(Snappy.compress(text).count < text.count / 2)
        let run = [UInt8](repeating: 0, count: 200_000)
        #expect(Snappy.compress(run).count < 10_000)
        let random = Self.bytes(200_000, seed: 5, text: false)
        #expect(Snappy.compress(random).count <= Snappy.maxCompressedLength(random.count))
        let fixture = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl")))
        let compressed = Snappy.compress(fixture)
        #expect(try SnappyReference.decode(compressed) == fixture)
        #expect(compressed.count < fixture.count / 2)
    }
}

@Suite("Remote write: protobuf and series")
struct RemoteWriteProtobufTests {
    @Test("one series is a WriteRequest whose fields, numbers and wire types are as prometheus/prompb/types.proto says")
    func wireFormat() throws {
        var encoder = RemoteWriteEncoder()
        encoder.append(labels: [("__name__", "up"), ("job", "logq")], value: 1.5, timestamp: 1_795_521_600_123)
        let top = try ProtobufReference.fields(encoder.bytes)
        #expect(top.count == 1)
        #expect(top[0].number == 1)  // WriteRequest.timeseries
        guard case .bytes(let series) = top[0].field else { Issue.record("timeseries is not length-delimited"); return }
        let parts = try ProtobufReference.fields(series)
        #expect(parts.map(\.number) == [1, 1, 2])  // two Label, one Sample
        guard case .bytes(let label) = parts[0].field, case .bytes(let label2) = parts[1].field, case .bytes(let sample) = parts[2].field else {
            Issue.record("labels and samples must be length-delimited")
            return
        }
        #expect(try ProtobufReference.fields(label).map(\.number) == [1, 2])
        #expect(try ProtobufReference.fields(label)[0].field == .bytes(Array("__name__".utf8)))
        #expect(try ProtobufReference.fields(label)[1].field == .bytes(Array("up".utf8)))
        #expect(try ProtobufReference.fields(label2)[1].field == .bytes(Array("logq".utf8)))
        let sampleFields = try ProtobufReference.fields(sample)
        #expect(sampleFields.count == 2)
        #expect(sampleFields[0].number == 1 && sampleFields[0].field == .fixed64((1.5).bitPattern))  // double: wire type 1
        #expect(sampleFields[1].number == 2 && sampleFields[1].field == .varint(1_795_521_600_123))  // int64: wire type 0
        // The bytes of the sample, by hand: key 0x09, 8 bytes little-endian; key 0x10, varint.
        var expected: [UInt8] = [0x09]
        for k in 0..<8 { expected.append(UInt8(truncatingIfNeeded: (1.5).bitPattern >> (8 * UInt64(k)))) }
        expected.append(0x10)
        var t: UInt64 = 1_795_521_600_123
        while t >= 0x80 {
            expected.append(UInt8(truncatingIfNeeded: t) | 0x80)
            t >>= 7
        }
        expected.append(UInt8(t))
        #expect(sample == expected)
    }

    @Test("zero value and timestamp are left out (proto3 defaults); a negative timestamp is a 10-byte varint")
    func defaultsAndNegative() throws {
        var encoder = RemoteWriteEncoder()
        encoder.append(labels: [("__name__", "a")], value: 0, timestamp: 0)
        encoder.append(labels: [("__name__", "b")], value: -2, timestamp: -1)
        let decoded = try ProtobufReference.writeRequest(encoder.bytes)
        #expect(decoded.count == 2)
        #expect(decoded[0].samples.count == 1 && decoded[0].samples[0] == (0, 0))
        #expect(decoded[1].samples[0] == (-2, -1))
        let fields = try ProtobufReference.fields(encoder.bytes)
        guard case .bytes(let series) = fields[0].field, case .bytes(let sample) = try ProtobufReference.fields(series).last!.field else {
            Issue.record("bad nesting")
            return
        }
        #expect(sample.isEmpty)
        guard case .bytes(let series2) = fields[1].field, case .bytes(let sample2) = try ProtobufReference.fields(series2).last!.field else {
            Issue.record("bad nesting")
            return
        }
        #expect(sample2.count == 9 + 1 + 10)
    }

    /// The fixtures' aggregator with a histogram-heavy registry and an overflowed family beside it.
    static func registries() throws -> (MetricsAggregator, MetricRegistry, TemporaryDirectory) {
        let (temp, directory) = try store(paths: [
            TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T10.jsonl", TestPaths.fixtures + "/k8s-audit/audit-2026-11-24T11.jsonl.gz",
        ])
        let aggregator = try aggregate(directory, rules: try RuleFile.parse("deletes: verb=delete", file: "rules.txt"))
        let health = MetricRegistry(configuration: MetricsConfiguration(maxSeriesPerFamily: 2))
        let commits = health.family("demo_commit_seconds", help: "h", kind: .histogram(buckets: [0.001, 0.5, 1]), labels: [])
        for v in [0.0001, 0.2, 0.7, 3] { commits.observe([], v) }
        let full = health.family("demo_full", help: "f", kind: .counter, labels: ["who", "Zone"])
        for who in ["a", "b", "c", "d"] { full.add([who, ""]) }
        return (aggregator, health, temp)
    }

    @Test("the series pushed are exactly the samples of /metrics (text 0.0.4): names, labels, values, overflow included")
    func sameAsExposition() throws {
        let (aggregator, health, temp) = try Self.registries()
        defer { temp.remove() }
        aggregator.refresh()
        let exposed = parseExposition(String(decoding: aggregator.render(.text, also: [health]), as: UTF8.self))
        let pushed = RemoteWriteSeries.all(in: [aggregator.registry, health])
        #expect(exposed.count > 100)
        #expect(pushed.count == exposed.count)
        var expected: [String: Double] = [:]
        for sample in exposed { expected[key(sample.labels)] = sample.value }
        for series in pushed {
            let names = series.labels.map(\.name)
            #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "labels not sorted: \(names)")
            #expect(!series.labels.contains { $0.value.isEmpty })
            let k = key(Dictionary(uniqueKeysWithValues: series.labels.map { ($0.name, $0.value) }))
            #expect(expected[k] == series.value, "\(k): pushed \(series.value), /metrics \(expected[k].map { "\($0)" } ?? "none")")
        }
        #expect(pushed.contains { $0.labels.contains { $0 == ("__name__", "logq_metrics_series_overflow_total") } })
        #expect(pushed.contains { $0.labels.contains { $0 == ("le", "+Inf") } })
    }

    @Test("encode splits into requests of at most maxSeries series, which decode to every series with the one timestamp")
    func requests() throws {
        let (aggregator, health, temp) = try Self.registries()
        defer { temp.remove() }
        aggregator.refresh()
        let all = RemoteWriteSeries.all(in: [aggregator.registry, health])
        let requests = RemoteWriteSeries.encode([aggregator.registry, health], timestamp: 1_795_521_600_000, maxSeries: 50)
        #expect(requests.count == (all.count + 49) / 50)
        var decoded: [(labels: [(String, String)], samples: [(Double, Int64)])] = []
        for request in requests {
            let series = try ProtobufReference.writeRequest(try SnappyReference.decode(Snappy.compress(request.protobuf)))
            #expect(series.count == request.samples)
            #expect(series.count <= 50)
            decoded += series
        }
        #expect(decoded.count == all.count)
        for (d, s) in zip(decoded, all) {
            #expect(d.labels.map(\.0) == s.labels.map(\.name))
            #expect(d.labels.map(\.1) == s.labels.map(\.value))
            #expect(d.samples.count == 1)
            #expect(d.samples.first.map { $0.0 == s.value && $0.1 == 1_795_521_600_000 } == true)
        }
    }
}
