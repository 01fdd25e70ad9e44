import Foundation
import Testing
import TestSupport

/// `logq-gen --profile varied`: the same seed gives the same bytes, another seed other bytes,
/// it really varies what the standard profile repeats, and logq stores every generated event and
/// gives each back byte for byte.
@Suite(
    "logq-gen profiles",
    .enabled(
        if: TestPaths.logqBinary != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "the logq binary is not built: run 'swift build' before 'swift test' (in CI this fails instead)"))
struct GeneratorProfileTests {
    var logq: String { TestPaths.logqBinary ?? "/nonexistent/logq (run swift build first)" }
    /// logq-gen is built beside logq.
    var gen: String { String(logq[..<logq.lastIndex(of: "/")!]) + "/logq-gen" }

    /// Generates a tiny day (2 hours) into `dir/name`; returns its files' bytes by relative path.
    func generate(_ dir: TemporaryDirectory, _ name: String, profile: String, seed: Int) throws -> [String: [UInt8]] {
        let out = dir.path + "/" + name
        let result = Shell.run(gen, ["--out", out, "--k8s", "600", "--cloudtrail", "300", "--hours", "2", "--seed", String(seed),
                                     "--profile", profile, "--no-plain"])
        #expect(result.status == 0, "logq-gen: \(result.stderr)")
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: out)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = Array(try Data(contentsOf: URL(fileURLWithPath: out + "/" + path)))
            }
        }
        return files
    }

    /// The decompressed lines of every `.jsonl.gz` (k8s) file, via zcat.
    func k8sLines(_ dir: String) -> [String] {
        let result = Shell.run("/bin/sh", ["-c", "zcat \(dir)/k8s-audit/*.jsonl.gz"])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test("the varied profile is deterministic for a seed and differs from the standard one and from another seed")
    func deterministic() throws {
        let dir = TemporaryDirectory()
        let first = try generate(dir, "a", profile: "varied", seed: 7)
        let second = try generate(dir, "b", profile: "varied", seed: 7)
        let otherSeed = try generate(dir, "c", profile: "varied", seed: 8)
        let standard = try generate(dir, "d", profile: "standard", seed: 7)
        #expect(!first.isEmpty)
        #expect(first == second, "same seed, different bytes: \(Set(first.keys).symmetricDifference(second.keys))")
        #expect(first != otherSeed)
        // Same layout and event count as the standard profile, other content.
        #expect(Set(first.keys.filter { $0.hasPrefix("k8s-audit") }) == Set(standard.keys.filter { $0.hasPrefix("k8s-audit") }))
        #expect(k8sLines(dir.path + "/a").count == k8sLines(dir.path + "/d").count)
        #expect(first.filter { $0.key.hasPrefix("k8s-audit") } != standard.filter { $0.key.hasPrefix("k8s-audit") })
    }

    @Test("the varied profile varies user agents, addresses and key order where the standard one repeats them")
    func variesWhatRepeats() throws {
        let dir = TemporaryDirectory()
        _ = try generate(dir, "v", profile: "varied", seed: 3)
        _ = try generate(dir, "s", profile: "standard", seed: 3)
        func profile(_ name: String) -> (agents: Int, addresses: Int, orders: Int) {
            var agents = Set<String>(), addresses = Set<String>(), orders = Set<String>()
            for line in k8sLines(dir.path + "/" + name) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                agents.insert(object["userAgent"] as? String ?? "")
                addresses.insert((object["sourceIPs"] as? [String])?.joined(separator: ",") ?? "")
                orders.insert(Self.topLevelKeys(line).joined(separator: ","))
            }
            return (agents.count, addresses.count, orders.count)
        }
        let varied = profile("v")
        let standard = profile("s")
        #expect(varied.agents > 2 * standard.agents, "user agents: varied \(varied.agents), standard \(standard.agents)")
        #expect(varied.addresses > standard.addresses + 20, "addresses: varied \(varied.addresses), standard \(standard.addresses)")
        #expect(varied.orders > standard.orders, "key orders: varied \(varied.orders), standard \(standard.orders)")
    }

    /// The keys of a JSON line's top-level object in the order written.
    static func topLevelKeys(_ line: String) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current: [UInt8] = []
        var expectKey = false
        for byte in line.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if expectKey { keys.append(String(decoding: current, as: UTF8.self)) }
                    expectKey = false
                } else if expectKey { current.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                current = []
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1 && byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectKey = depth == 1
            default:
                break
            }
        }
        return keys
    }

    @Test("every event of a varied day is stored and comes back byte for byte with -o raw")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        _ = try generate(dir, "v", profile: "varied", seed: 5)
        let data = dir.path + "/data"
        let ingest = Shell.run(logq, ["ingest", "--data", data, dir.path + "/v"])
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        #expect(ingest.stdout.contains("900 stored"), "stdout: \(ingest.stdout)")
        #expect(ingest.stdout.contains(" 0 rejected"), "stdout: \(ingest.stdout)")

        let k8s = Shell.run(logq, ["--data", data, "-o", "raw", "source=k8s-audit until=2100-01-01"])
        #expect(k8s.status == 0, "stderr: \(k8s.stderr)")
        let printed = k8s.stdout.split(separator: "\n").map(String.init)
        let original = k8sLines(dir.path + "/v")
        #expect(printed.count == 600)
        #expect(printed.sorted() == original.sorted())

        // CloudTrail records come back as the bytes of the record inside its file's Records array.
        let cloudTrail = Shell.run(logq, ["--data", data, "-o", "raw", "source=cloudtrail until=2100-01-01"])
        #expect(cloudTrail.status == 0, "stderr: \(cloudTrail.stderr)")
        let records = cloudTrail.stdout.split(separator: "\n").map(String.init)
        #expect(records.count == 300)
        let files = Shell.run("/bin/sh", ["-c", "find \(dir.path)/v/cloudtrail -name '*.json.gz' -exec zcat {} +"]).stdout
        let missing = records.filter { !files.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) records are not byte for byte in the input, e.g. \(missing.first?.prefix(300) ?? "")")
    }
}
