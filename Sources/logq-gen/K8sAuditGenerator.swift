import AuditCore

/// Writes the Kubernetes audit log: one file per UTC hour, as kube-apiserver's log backend
/// rotated hourly would leave them — `k8s-audit/audit-YYYY-MM-DDTHH.jsonl.gz`, and the same
/// lines uncompressed under `k8s-audit-plain/` — lines in `stageTimestamp` order.
///
/// Each hour is independent (its own random stream), so hours can be written in parallel and in
/// any order with the same result.
struct K8sAuditGenerator: Sendable {
    /// Fewest events per hour on average that `--k8s` may ask for: every hour needs room for the
    /// rare user's events that fall into it.
    static let minimumEventsPerHour = 10

    let options: Options
    let cluster: K8sCluster
    /// Events per hour, following the diurnal curve and summing to `--k8s`.
    let eventsPerHour: [Int]
    /// The rare user's requests, by hour index.
    private let rareRequests: [[K8sRequest]]

    init(options: Options, cluster: K8sCluster) {
        self.options = options
        self.cluster = cluster
        let weights = (0..<options.hours).map {
            DiurnalCurve.weight(hourStarting: options.start + Int64($0) * Timestamp.nanosPerHour)
        }
        eventsPerHour = DiurnalCurve.apportion(options.k8sEvents, weights: weights)
        var rare = [[K8sRequest]](repeating: [], count: options.hours)
        if options.k8sEvents > 0 {
            for request in RareUser.requests(cluster: cluster, options: options) {
                rare[Int((request.receivedTime - options.start) / Timestamp.nanosPerHour)].append(request)
            }
        }
        rareRequests = rare
    }

    /// What one hour produced.
    struct HourResult: Sendable {
        var events = 0
        var rawBytes = 0
        var gzipBytes = 0
    }

    /// Generates, sorts, encodes and writes hour `index`.
    func writeHour(_ index: Int) throws(GenError) -> HourResult {
        let hourStart = options.start + Int64(index) * Timestamp.nanosPerHour
        var traffic = K8sTraffic(
            cluster: cluster, hourStart: hourStart, rng: SplitMix64(seed: options.seed, stream: RandomStream.k8sHour(index)))
        for request in rareRequests[index] { traffic.add(request) }
        precondition(eventsPerHour[index] >= rareRequests[index].count, "hour \(index) has no room for the rare user")
        traffic.generate(events: eventsPerHour[index] - rareRequests[index].count)
        let requests = traffic.requests

        // The log backend writes each stage as it happens: order by stage time (ties: draw order).
        var order = Array(requests.indices)
        order.sort { a, b in
            let (x, y) = (requests[a].stageTime, requests[b].stageTime)
            return x != y ? x < y : a < b
        }

        let name = "audit-" + Timestamp.hourName(hourStart)
        let gzipFile = try OutputFile(path: "\(options.outputDirectory)/k8s-audit/\(name).jsonl.gz")
        let gzip = try GzipWriter(file: gzipFile)
        let plain = options.writePlain ? try OutputFile(path: "\(options.outputDirectory)/k8s-audit-plain/\(name).jsonl") : nil
        let encoder = K8sAuditEncoder(cluster: cluster, epoch: options.start, seed: options.seed)
        var writer = JSONWriter(capacity: 1 << 20 + 64 * 1024)
        var result = HourResult(events: requests.count)
        let varied = options.profile == .varied ? K8sVariedProfile() : nil
        var scratch = JSONWriter(capacity: 64 * 1024)
        for index in order {
            if let varied {
                scratch.reset()
                encoder.encode(requests[index], into: &scratch)
                varied.rewrite(scratch.bytes.dropLast(), seed: requests[index].seed, into: &writer.bytes)
                writer.newline()
            } else {
                encoder.encode(requests[index], into: &writer)
            }
            if writer.bytes.count >= 1 << 20 {
                try flush(&writer, gzip, plain, &result)
            }
        }
        try flush(&writer, gzip, plain, &result)
        try gzip.finish()
        try plain?.commit()
        result.gzipBytes = gzipFile.size
        return result
    }

    private func flush(_ writer: inout JSONWriter, _ gzip: GzipWriter, _ plain: OutputFile?, _ result: inout HourResult) throws(GenError) {
        guard !writer.bytes.isEmpty else { return }
        try gzip.write(writer.bytes)
        try plain?.write(writer.bytes)
        result.rawBytes += writer.bytes.count
        writer.reset()
    }
}
