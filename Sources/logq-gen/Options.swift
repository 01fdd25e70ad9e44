import AuditCore

/// What to generate, from the command line (parsed by hand: this tool does not link
/// ArgumentParser).
struct Options: Sendable {
    /// Root folder of the output; created when missing.
    var outputDirectory = ""
    /// Kubernetes audit events in total, over all hours.
    var k8sEvents = 1_000_000
    /// CloudTrail records in total, over all regions and files.
    var cloudTrailRecords = 200_000
    /// Seed of every random choice; the same options give byte-identical files.
    var seed: UInt64 = 1
    /// Start of the dataset, nanoseconds since the Unix epoch, on a whole UTC hour.
    var start: Int64 = Timestamp.parse("2026-11-24T00:00:00Z")!
    /// Length of the dataset in hours; one k8s file per hour.
    var hours = 24
    /// Also write the k8s hours uncompressed under `k8s-audit-plain/`.
    var writePlain = true
    /// Minutes of Container Insights performance events to write (PerfGenerator); 0 for none.
    var perfMinutes = 0
    /// How much the values vary (`--profile`); `standard` keeps the output of earlier releases.
    var profile = Profile.standard

    /// End of the dataset (exclusive), nanoseconds.
    var end: Int64 { start + Int64(hours) * Timestamp.nanosPerHour }

    static let help = """
        logq-gen: writes a deterministic benchmark dataset of Kubernetes audit logs and CloudTrail files.

        USAGE: logq-gen --out DIR [--k8s N] [--cloudtrail N] [--seed N] [--start TIME] [--hours N] [--plain|--no-plain] [--profile standard|varied]

        OPTIONS:
          --out DIR          Folder to write into (created if missing; its k8s-audit/, k8s-audit-plain/
                             and cloudtrail/ subfolders must not hold files yet).
          --k8s N            Kubernetes audit events in total (default 1000000; 0 skips them).
          --cloudtrail N     CloudTrail records in total (default 200000; 0 skips them).
          --seed N           Seed of all random choices (default 1). Same arguments, same bytes.
          --start TIME       First hour, UTC, on a whole hour (default 2026-11-24T00:00:00Z).
          --hours N          Hours of data, 1…744 (default 24).
          --plain            Also write the k8s hours uncompressed (default).
          --no-plain         Write only the gzip files.
          --perf-minutes N   Also write N minutes of Container Insights performance events (default 0).
          --profile P        standard (default): the values of earlier releases, byte for byte.
                             varied: values as real clusters and accounts vary them (user agents,
                             addresses, rotated IDs, pods that come and go, managedFields, more
                             CloudTrail services, key orders of several writers); see
                             docs/benchmark-results.md for how it was calibrated.
          -h, --help         Show this help.

        OUTPUT:
          DIR/k8s-audit/audit-YYYY-MM-DDTHH.jsonl.gz      one file per UTC hour, kube-apiserver log backend lines
          DIR/k8s-audit-plain/audit-YYYY-MM-DDTHH.jsonl   the same lines uncompressed (with --plain)
          DIR/perf/performance.jsonl                       Container Insights performance events (with --perf-minutes)
          DIR/cloudtrail/AWSLogs/111122223333/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz

        EXAMPLE:
          logq-gen --out /tmp/bench --k8s 1000000 --cloudtrail 200000
        """

    /// Parses the arguments after the program name; nil when the user asked for help.
    static func parse(_ arguments: [String]) throws(GenError) -> Options? {
        var options = Options()
        var sawOut = false
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws(GenError) -> String {
                if let inlineValue { return inlineValue }
                guard let next = rest.popFirst() else { throw GenError.usage("\(name) needs a value") }
                return next
            }
            switch name {
            case "-h", "--help", "help":
                return nil
            case "--out", "-o":
                options.outputDirectory = try value()
                guard !options.outputDirectory.isEmpty else { throw GenError.usage("--out needs a folder, not an empty string") }
                sawOut = true
            case "--k8s":
                options.k8sEvents = try count(name, try value(), maximum: 1_000_000_000)
            case "--cloudtrail":
                options.cloudTrailRecords = try count(name, try value(), maximum: 1_000_000_000)
            case "--seed":
                let text = try value()
                guard let seed = UInt64(text) else {
                    throw GenError.usage("--seed takes a whole number from 0 to \(UInt64.max), not '\(text)'")
                }
                options.seed = seed
            case "--start":
                let text = try value()
                guard let start = Timestamp.parse(text) else {
                    throw GenError.usage("--start takes an RFC 3339 time such as 2026-11-24T00:00:00Z, not '\(text)'")
                }
                guard start % Timestamp.nanosPerHour == 0 else {
                    throw GenError.usage("--start must be on a whole UTC hour (files are per hour): pass e.g. \(Timestamp.format(start - start % Timestamp.nanosPerHour, fractionDigits: 0)) instead of '\(text)'")
                }
                options.start = start
            case "--hours":
                options.hours = try count(name, try value(), maximum: 744)
                guard options.hours >= 1 else { throw GenError.usage("--hours must be at least 1") }
            case "--plain":
                options.writePlain = true
            case "--no-plain":
                options.writePlain = false
            case "--perf-minutes":
                options.perfMinutes = try count(name, try value(), maximum: 44_640)
            case "--profile":
                let text = try value()
                guard let profile = Profile(rawValue: text) else {
                    throw GenError.usage("--profile takes standard or varied, not '\(text)'")
                }
                options.profile = profile
            default:
                if argument.hasPrefix("-") {
                    throw GenError.usage("unknown option '\(argument)'")
                }
                throw GenError.usage("unexpected argument '\(argument)'; the output folder is given with --out DIR")
            }
        }
        guard sawOut else { throw GenError.usage("missing --out DIR: name the folder to write into") }
        let minimumK8s = K8sAuditGenerator.minimumEventsPerHour * options.hours
        if options.k8sEvents > 0 && options.k8sEvents < minimumK8s {
            throw GenError.usage(
                "--k8s \(options.k8sEvents) is too few for \(options.hours) hours: pass 0 or at least \(minimumK8s) (\(K8sAuditGenerator.minimumEventsPerHour) per hour, so every hour has room for the planted rare user)")
        }
        return options
    }

    private static func count(_ name: String, _ text: String, maximum: Int) throws(GenError) -> Int {
        let digits = text.replacingUnderscores()
        guard let n = Int(digits), n >= 0, n <= maximum else {
            throw GenError.usage("\(name) takes a whole number from 0 to \(maximum), not '\(text)'")
        }
        return n
    }
}

extension String {
    /// The text without `_` digit separators (`1_000_000`).
    fileprivate func replacingUnderscores() -> String {
        String(filter { $0 != "_" })
    }
}
