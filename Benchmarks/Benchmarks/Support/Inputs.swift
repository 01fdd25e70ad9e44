import AuditCore
import AuditIngest
import Foundation

/// The inputs of the benchmarks, built in-process and deterministic.
///
/// Events come from the repository's fixtures (`fixtures/k8s-audit/*.jsonl[.gz]`, the
/// CloudTrail `{"Records":[…]}` files under `fixtures/cloudtrail`), found from this file's path,
/// repeated to the size asked for with each copy's `auditID` / `eventID` made unique. Without
/// the fixtures (or with `LOGQ_BENCH_INPUT=generated`) the same shapes are generated in code
/// (``Generator``).
public enum Inputs {
    /// `count` Kubernetes audit events, one JSON object each (no newline), ~1.1 KB on average.
    public static func k8sLines(count: Int) -> [[UInt8]] {
        guard let base = fixtureK8sLines() else { return Generator.k8sLines(count: count) }
        return repeated(base, count: count, idKey: "auditID")
    }

    /// `count` CloudTrail records, one JSON object each, ~1.4 KB on average.
    public static func cloudTrailRecords(count: Int) -> [[UInt8]] {
        guard let base = fixtureCloudTrailRecords() else { return Generator.cloudTrailRecords(count: count) }
        return repeated(base, count: count, idKey: "eventID")
    }

    /// Lines joined as JSON lines (each followed by `\n`), as the apiserver's log backend writes.
    public static func jsonl(_ lines: some Sequence<[UInt8]>) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines {
            out.append(contentsOf: line)
            out.append(0x0A)
        }
        return out
    }

    /// A CloudTrail delivery file: `{"Records":[r1,r2,…]}`.
    public static func recordsFile(_ records: some Sequence<[UInt8]>) -> [UInt8] {
        var out = Array(#"{"Records":["#.utf8)
        var first = true
        for record in records {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: record)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Decodes a stream the way `Ingestor` does (JSONValueReader + EventDecoder). Stops the
    /// benchmark with a message if any value is rejected: the inputs must be all good events.
    public static func decodeAll(_ bytes: [UInt8], file: String = "bench") -> [AuditEvent] {
        var reader = JSONValueReader(source: InMemorySource(bytes))
        let decoder = EventDecoder(file: file, fallbackTime: 0)
        var events: [AuditEvent] = []
        while let item = reader.next() {
            switch item {
            case .value(let range, let line, let offset):
                do {
                    try reader.buffer.withUnsafeBufferPointer { b in
                        try decoder.decode(b, range, line: line, offset: offset, emit: { events.append($0) }) { rejection in
                            fatalError("benchmark input rejected: \(rejection)")
                        }
                    }
                } catch {
                    fatalError("benchmark input failed to decode: \(error)")
                }
            case .malformed(let line, _, let error):
                fatalError("benchmark input malformed on line \(line): \(error)")
            }
        }
        return events
    }

    /// `count` decoded events as a store holds them: k8s audit events with one CloudTrail record
    /// after every nine (10% CloudTrail), in input order.
    public static func mixedEvents(count: Int) -> [AuditEvent] {
        let cloudTrailCount = count / 10
        let k8s = decodeAll(jsonl(k8sLines(count: count - cloudTrailCount)))
        let cloudTrail = decodeAll(recordsFile(cloudTrailRecords(count: cloudTrailCount)))
        var events: [AuditEvent] = []
        events.reserveCapacity(count)
        var k = 0
        var c = 0
        while events.count < count {
            if events.count % 10 == 9, c < cloudTrail.count {
                events.append(cloudTrail[c])
                c += 1
            } else if k < k8s.count {
                events.append(k8s[k])
                k += 1
            } else {
                events.append(cloudTrail[c])
                c += 1
            }
        }
        return events
    }

    // MARK: - Fixtures

    /// The repository root: this file is `<root>/Benchmarks/Benchmarks/Support/Inputs.swift`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var useFixtures: Bool { ProcessInfo.processInfo.environment["LOGQ_BENCH_INPUT"] != "generated" }

    /// The k8s fixture lines, in file order, or nil when there are none.
    static func fixtureK8sLines() -> [[UInt8]]? {
        guard useFixtures else { return nil }
        let folder = repositoryRoot.appendingPathComponent("fixtures/k8s-audit")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".jsonl.gz") }.sorted()
        var lines: [[UInt8]] = []
        for name in names {
            guard let bytes = readFile(folder.appendingPathComponent(name).path) else { continue }
            for line in bytes.split(separator: 0x0A) where line.first == UInt8(ascii: "{") {
                lines.append(Array(line))
            }
        }
        return lines.isEmpty ? nil : lines
    }

    /// The records of the CloudTrail fixture files, file by file in path order, or nil.
    static func fixtureCloudTrailRecords() -> [[UInt8]]? {
        guard useFixtures else { return nil }
        let folder = repositoryRoot.appendingPathComponent("fixtures/cloudtrail")
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return nil }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".json") || relative.hasSuffix(".json.gz") { paths.append(relative) }
        }
        var records: [[UInt8]] = []
        for relative in paths.sorted() {
            guard let bytes = readFile(folder.appendingPathComponent(relative).path) else { continue }
            bytes.withUnsafeBufferPointer { b in
                _ = try? JSONScanner.walkObject(b, 0) { key, value throws(JSONSyntaxError) in
                    guard JSONScanner.keyEquals(b, key, "Records") else { return }
                    try JSONScanner.walkArray(b, value.lowerBound) { element throws(JSONSyntaxError) in
                        if b[element.lowerBound] == UInt8(ascii: "{") { records.append(Array(b[element])) }
                    }
                }
            }
        }
        return records.isEmpty ? nil : records
    }

    /// A whole file, gunzipped when it is gzip (with logq's own FileSource / GzipSource).
    static func readFile(_ path: String) -> [UInt8]? {
        do {
            let file = try FileSource(path: path)
            let source: any ByteSource = path.hasSuffix(".gz") ? try GzipSource(input: file, name: path) : file
            var bytes: [UInt8] = []
            while try source.read(into: &bytes, maximum: 1 << 20) > 0 {}
            return bytes
        } catch {
            return nil
        }
    }

    /// `base` repeated to `count` items; copies after the first get a unique identifier: the
    /// last 8 hex digits of the `idKey` UUID are replaced by the copy number, so dedupe keys,
    /// bloom filters and zlib see distinct events, as in a real log.
    static func repeated(_ base: [[UInt8]], count: Int, idKey: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        let needle = Array("\"\(idKey)\":\"".utf8)
        for i in 0..<count {
            var item = base[i % base.count]
            let copy = i / base.count
            if copy > 0, let at = firstIndex(of: needle, in: item) {
                let start = at + needle.count
                if start + 36 <= item.count, item[start + 36] == UInt8(ascii: "\"") {
                    let hex = Array(String(UInt32(truncatingIfNeeded: copy &* 0x9E37_79B1), radix: 16).utf8)
                    let digits = Array(repeating: UInt8(ascii: "0"), count: 8 - hex.count) + hex
                    item.replaceSubrange((start + 28)..<(start + 36), with: digits)
                }
            }
            out.append(item)
        }
        return out
    }

    static func firstIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
