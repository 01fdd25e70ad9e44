import AuditCore
import Foundation
import Testing
import TestSupport

@testable import SegmentStore

/// Shreds `events` and decodes them back; returns the decoded events and how many were stored verbatim.
func shredRoundTrip(_ events: [[UInt8]]) throws -> (decoded: [[UInt8]], verbatim: Int, streamSize: Int) {
    let input = events.flatMap { $0 }
    let (stream, verbatim) = input.withUnsafeBytes { ShredEncoder.encodeCounting($0, lengths: events.map(\.count)) }
    let decoded = try #require(stream.withUnsafeBytes { ShredDecoder.decode($0, eventCount: events.count) })
    let out = zip(decoded.starts, decoded.lengths).map { Array(decoded.bytes[Int($0)..<Int($0 + $1)]) }
    return (out, verbatim, stream.count)
}

/// The index of the first event that differs (or the count when the lengths differ), nil when
/// all are equal: a short failure message instead of every byte of every event.
func firstDifference(_ a: [[UInt8]], _ b: [[UInt8]]) -> Int? {
    if let k = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return k }
    return a.count == b.count ? nil : min(a.count, b.count)
}

/// Seeded random JSON with the spellings a byte-exact codec must keep: odd spacing, escapes,
/// non-ASCII text, nested arrays, numbers such as 1e5, -0.0 and 1.50, duplicate keys.
struct RandomJSON {
    var rng: SeededGenerator

    mutating func space() -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return " "
        case 1: return "\n  "
        case 2: return "\t"
        case 3: return " \r\n "
        default: return ""
        }
    }

    mutating func string() -> String {
        let pieces = [
            "get", "list", "kube-system", "é", "日本語", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "😀", "/", "\\/",
            "2026-11-25T12:00:00Z", "2026-11-25T12:00:00.123456Z", "2026-02-31T00:00:00Z", "42", "-0", "007", " ", "",
        ]
        return "\"" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() + "\""
    }

    mutating func number() -> String {
        let fixed = ["0", "-0", "-0.0", "1e5", "1E+5", "2.5e-3", "1.50", "123456789012345678", "1234567890123456789",
            "-9223372036854775808", "99999999999999999999999", "3.14159"]
        if Bool.random(using: &rng) { return fixed.randomElement(using: &rng)! }
        return String(Int64.random(in: -100_000...100_000, using: &rng))
    }

    mutating func value(depth: Int) -> String {
        let pick = Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &rng)
        switch pick {
        case 0, 1: return string()
        case 2: return number()
        case 3: return ["true", "false", "null"].randomElement(using: &rng)!
        case 4: return string()
        case 5, 6:
            let keys = ["verb", "user", "name", "ts", "n", "a b", "é", "\\u0041", "verb"]  // "verb" twice: duplicate keys
            let members = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                space() + "\"" + keys.randomElement(using: &rng)! + "\"" + space() + ":" + space() + value(depth: depth + 1) + space()
            }
            return "{" + members.joined(separator: ",") + space() + "}"
        default:
            let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in space() + value(depth: depth + 1) + space() }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    /// An event: mostly JSON objects, some top-level scalars, some broken or binary bytes.
    mutating func event() -> [UInt8] {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: return Array("{\"a\":1".utf8)  // truncated
        case 1: return [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]  // invalid UTF-8 in a key
        case 2: return Array("{\"a\":\"x\u{0}y\"}".utf8)  // a raw NUL
        case 3: return []
        case 4: return Array("{\"a\":01}".utf8)  // not strict JSON
        case 5: return Array((space() + value(depth: 5) + space()).utf8)
        case 6: return Array("{\"a\":1} trailing".utf8)
        case 7: return [UInt8](repeating: UInt8(ascii: "["), count: 200) + [UInt8](repeating: UInt8(ascii: "]"), count: 200)
        default: return Array((space() + value(depth: 0).replacingOccurrences(of: "^[^{]*$", with: "{}", options: .regularExpression) + space()).utf8)
        }
    }
}

@Suite("Shredded raw column")
struct ShredTests {
    @Test("seeded random JSON and non-JSON events come back byte-identical", arguments: [1, 2, 3, 17, 99, 2026] as [UInt64])
    func randomRoundTrip(seed: UInt64) throws {
        var gen = RandomJSON(rng: SeededGenerator(seed: seed))
        let events = (0..<600).map { _ in gen.event() }
        let (decoded, verbatim, _) = try shredRoundTrip(events)
        #expect(decoded.count == events.count)
        for (k, (a, b)) in zip(decoded, events).enumerated() where a != b {
            Issue.record("event \(k) differs: \(String(decoding: b, as: UTF8.self))")
            break
        }
        // The broken ones are stored verbatim, the JSON ones shredded.
        #expect(verbatim > 0)
        #expect(verbatim < events.count / 2)
    }

    @Test("decoding some rows gives those rows byte-identical and the others empty", arguments: [4, 8, 15] as [UInt64])
    func selectedRows(seed: UInt64) throws {
        var gen = RandomJSON(rng: SeededGenerator(seed: seed))
        var rng = SeededGenerator(seed: seed &+ 1000)
        // Typed columns too (times, integers), whose skipped values are stepped over unformatted.
        let events = (0..<500).map { k -> [UInt8] in
            k % 3 == 0 ? Array("{\"t\":\"2026-11-25T12:00:\(10 + k % 50).\(k)Z\",\"n\":\(k * 7),\"s\":\"v\(k % 4)\"}".utf8) : gen.event()
        }
        let input = events.flatMap { $0 }
        let (stream, _) = input.withUnsafeBytes { ShredEncoder.encodeCounting($0, lengths: events.map(\.count)) }
        let selected = events.indices.map { _ in Int.random(in: 0..<5, using: &rng) == 0 }
        let decoded = try #require(stream.withUnsafeBytes { ShredDecoder.decode($0, eventCount: events.count, selected: selected) })
        for k in events.indices {
            let bytes = Array(decoded.bytes[Int(decoded.starts[k])..<Int(decoded.starts[k] + decoded.lengths[k])])
            if selected[k] {
                #expect(bytes == events[k], "selected row \(k) differs")
            } else {
                #expect(bytes.isEmpty, "row \(k) was not asked for")
            }
        }
        // Fewer bytes put together than the whole block.
        #expect(decoded.bytes.count < input.count)
    }

    @Test("typed columns keep every spelling: times, integers and what only looks like them")
    func typedSpellings() throws {
        let times = ["2026-11-25T12:00:00Z", "2026-11-25T12:00:00.1Z", "2026-11-25T12:00:00.100Z", "1970-01-01T00:00:00.000000Z",
            "1969-12-31T23:59:59.999999999Z", "1900-03-01T00:00:00Z", "2262-04-11T23:47:16Z", "9999-12-31T23:59:59.5Z",
            "0001-01-01T00:00:00Z", "2024-02-29T10:00:00.000001Z"]
        let ints = ["0", "1", "-1", "42", "999999999999999999", "-999999999999999999", "7", "100"]
        var events = times.map { Array("{\"t\":\"\($0)\"}".utf8) }
        events += ints.map { Array("{\"n\":\($0),\"s\":\"\($0)\"}".utf8) }
        // Near misses stay text: a time column with one non-time, an integer column with one non-integer.
        events += ["2026-02-30T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25 12:00:00Z", "2026-11-25T12:00:00+00:00"].map {
            Array("{\"u\":\"\($0)\"}".utf8)
        } + [Array("{\"u\":\"2026-11-25T12:00:00Z\"}".utf8)]
        events += ["-0", "007", "1.0", "1e3", "1234567890123456789"].map { Array("{\"m\":\($0)}".utf8) } + [Array("{\"m\":5}".utf8)]
        let (decoded, verbatim, _) = try shredRoundTrip(events)
        #expect(verbatim == 1)  // {"m":007} only: not JSON
        #expect(firstDifference(decoded, events) == nil)
    }

    @Test("an all-times column is stored as integers: far smaller than the text")
    func timesAreTyped() throws {
        let events = (0..<2_000).map { k in
            Array("{\"stageTimestamp\":\"2026-11-25T12:\(10 + k / 60 % 50):\(10 + k % 50).\(100_000 + k * 7)Z\"}".utf8)
        }
        let (decoded, _, size) = try shredRoundTrip(events)
        #expect(firstDifference(decoded, events) == nil)
        // ~27 B of text per time; typed: a digit count and a small delta, ~4 B.
        #expect(size < events.count * 8)
    }

    @Test("every file of ../shared/realdata and fixtures/ round-trips, line by line and whole")
    func realFiles() throws {
        var roots = [TestPaths.fixtures]
        if let real = TestPaths.realdata { roots.append(real) }
        var files = 0
        var shredded = 0
        for root in roots {
            let walker = FileManager.default.enumerator(atPath: root)!
            while let name = walker.nextObject() as? String {
                let path = root + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    let data = FileManager.default.contents(atPath: path)
                else { continue }
                let bytes = [UInt8](data)
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                let events = lines + [bytes]
                let (decoded, verbatim, _) = try shredRoundTrip(events)
                #expect(firstDifference(decoded, events) == nil, "\(path) does not round-trip")
                files += 1
                shredded += events.count - verbatim
            }
        }
        #expect(files >= 10)
        #expect(shredded > 100)
    }

    @Test("a damaged stream decodes to nil or to some bytes, never a trap", arguments: [5, 6] as [UInt64])
    func damagedStream(seed: UInt64) throws {
        var gen = RandomJSON(rng: SeededGenerator(seed: seed))
        let events = (0..<100).map { _ in gen.event() }
        let input = events.flatMap { $0 }
        let stream = input.withUnsafeBytes { ShredEncoder.encode($0, lengths: events.map(\.count)) }
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            var damaged = stream
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
            _ = damaged.withUnsafeBytes { ShredDecoder.decode($0, eventCount: events.count) }
            let cut = Array(stream.prefix(Int.random(in: 0..<stream.count, using: &rng)))
            #expect(cut.withUnsafeBytes { ShredDecoder.decode($0, eventCount: events.count) } == nil)
        }
    }
}

@Suite("Per-column checksums")
struct ColumnChecksumTests {
    func block() -> (events: [AuditEvent], body: [UInt8]) {
        var rng = SeededGenerator(seed: 31)
        let events = (0..<300).map { _ in EventBuilder.random(using: &rng) }
        return (events, Block.encode(events))
    }

    @Test("a flipped byte in the raw column fails only that column: its CRC names it, other columns read")
    func rawColumnDamage() throws {
        let (events, original) = block()
        var body = original
        body[body.count - 10] ^= 0x01  // inside the last (raw) column's payload
        let view = try #require(BlockView(body: body))  // the head still checks
        let sorted = events.sorted { $0.time < $1.time }
        #expect(view.string(0, .verb) == sorted[0].fields[.verb])
        #expect(!view.damaged)
        #expect(view.loadRaw() == false)
        #expect(view.damaged)
        #expect(view.damage?.contains("checksum mismatch") == true)
        #expect(Block.decode(body.withUnsafeBytes { $0 }) == nil)
    }

    @Test("a flipped byte in the head (header, summary, directory) fails the whole block")
    func headDamage() throws {
        let (_, original) = block()
        let headSize = try #require(original.withUnsafeBytes { Block.verifiedHeadSize($0) })
        for k in [3, BlockHeader.size + 2, headSize - 6, headSize - 1] {
            var body = original
            body[k] ^= 0x40
            #expect(body.withUnsafeBytes { Block.verifiedHeadSize($0) } == nil)
            #expect(BlockView(body: body) == nil)
        }
    }
}

@Suite("Raw values shared with field columns")
struct ShredFieldReferenceTests {
    /// k8s lines whose auditID, verb and user are also the events' fields, except every 25th
    /// event whose id field differs from its raw auditID (as a normalizer might make it).
    func events() -> [AuditEvent] {
        var rng = SeededGenerator(seed: 12)
        return (0..<1_000).map { k in
            let id = (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max, using: &rng), radix: 16) }.joined(separator: "-")
            let verb = ["get", "list", "delete"].randomElement(using: &rng)!
            let line = EventBuilder.k8sLine(
                auditID: id, verb: verb, user: "user-\(k % 7)", resource: "pods", namespace: "ns-\(k % 3)", name: "p\(k)",
                time: "2026-11-25T12:00:\(10 + k % 50).\(100_000 + k)Z")
            var fields = FieldValues()
            fields[.id] = k % 25 == 0 ? "normalized-\(k)" : id
            fields[.verb] = verb
            fields[.user] = "user-\(k % 7)"
            return AuditEvent(time: Int64(k), source: .k8sAudit, fields: fields, raw: Array(line.utf8))
        }
    }

    @Test("a block refers to field columns for shared values, exceptions included, and reads back byte-identical")
    func roundTrip() throws {
        let events = events()
        let body = Block.encode(events)
        let view = try #require(BlockView(body: body))
        #expect(view.loadRaw())
        for k in 0..<events.count {
            #expect(view.withRaw(k) { Array($0) } == events[k].raw, "event \(k)")
        }
        // Without the field columns the same raw bytes take more room.
        let input = events.flatMap(\.raw)
        let alone = input.withUnsafeBytes { ShredEncoder.encode($0, lengths: events.map(\.raw.count)) }
        let fields = Field.allCases.map { field in
            let (encoding, bytes, _, _) = ColumnEncoding.encode(events.map { $0.fields[field] })
            return FieldColumn(encoding: encoding, bytes: bytes, rows: events.count)!
        }
        let shared = input.withUnsafeBytes { ShredEncoder.encode($0, lengths: events.map(\.raw.count), fields: fields) }
        #expect(shared.count + 20 * events.count < alone.count)
    }

    @Test("a damaged field column that the raw column refers to fails the raw column too")
    func damagedFieldColumn() throws {
        let events = events()
        var body = Block.encode(events)
        // The id column is field raw value of .id: its payload offset comes from the directory.
        let headSize = try #require(body.withUnsafeBytes { Block.verifiedHeadSize($0) })
        var r = body.withUnsafeBytes { raw in
            var r = ByteReader(raw, offset: BlockHeader.size)
            let summary = Int(r.u32()!)
            r.offset += summary + 2
            return r.offset
        }
        var offset = headSize
        for column in 0...(1 + Field.id.rawValue) {
            let compressed = body.withUnsafeBytes { raw -> Int in
                var rr = ByteReader(raw, offset: r + 1)
                return Int(rr.u32()!)
            }
            if column == 1 + Field.id.rawValue {
                body[offset + compressed / 2] ^= 0x20
                break
            }
            offset += compressed
            r += Block.directoryEntrySize
        }
        let view = try #require(BlockView(body: body))
        #expect(view.loadRaw() == false)
        #expect(view.damaged)
    }
}

@Suite("Shredding limits")
struct ShredLimitTests {
    @Test("an event past the size limit and one nested past the depth limit are kept verbatim, byte-identical")
    func limits() throws {
        let big = Array(("{\"a\":\"" + String(repeating: "x", count: Limits.shredEventBytes) + "\"}").utf8)
        let deep = Array((String(repeating: "{\"a\":", count: Limits.shredDepth + 1) + "1" + String(repeating: "}", count: Limits.shredDepth + 1)).utf8)
        let shallow = Array((String(repeating: "{\"a\":", count: Limits.shredDepth) + "1" + String(repeating: "}", count: Limits.shredDepth)).utf8)
        let (decoded, verbatim, _) = try shredRoundTrip([big, deep, shallow])
        #expect(firstDifference(decoded, [big, deep, shallow]) == nil)
        #expect(verbatim == 2)
    }
}
