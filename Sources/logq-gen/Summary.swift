/// Totals over all jobs, and the lines printed at the end of a run.
struct Summary {
    var k8sFiles = 0
    var k8sEvents = 0
    var k8sRaw = 0
    var k8sGzip = 0
    var cloudTrailFiles = 0
    var cloudTrailRecords = 0
    var cloudTrailDeletes = 0
    var cloudTrailErrors = 0
    var cloudTrailRaw = 0
    var cloudTrailGzip = 0

    mutating func add(_ hour: K8sAuditGenerator.HourResult) {
        k8sFiles += 1
        k8sEvents += hour.events
        k8sRaw += hour.rawBytes
        k8sGzip += hour.gzipBytes
    }

    mutating func add(_ file: CloudTrailGenerator.FileResult) {
        cloudTrailFiles += 1
        cloudTrailRecords += file.records
        cloudTrailDeletes += file.deletes
        cloudTrailErrors += file.errors
        cloudTrailRaw += file.rawBytes
        cloudTrailGzip += file.gzipBytes
    }

    func k8sLine(plain: Bool) -> String {
        "k8s-audit: \(count(k8sFiles, "file"))\(plain ? " (+\(grouped(k8sFiles)) plain)" : ""), \(count(k8sEvents, "event")), "
            + "raw \(grouped(k8sRaw)) B (\(perItem(k8sRaw, k8sEvents)) B/event), gzip \(grouped(k8sGzip)) B (\(perItem(k8sGzip, k8sEvents)) B/event)"
    }

    func cloudTrailLine() -> String {
        "cloudtrail: \(count(cloudTrailFiles, "file")), \(count(cloudTrailRecords, "record")) "
            + "(\(percent(cloudTrailDeletes, cloudTrailRecords)) deletes, \(percent(cloudTrailErrors, cloudTrailRecords)) errors), "
            + "raw \(grouped(cloudTrailRaw)) B (\(perItem(cloudTrailRaw, cloudTrailRecords)) B/record), "
            + "gzip \(grouped(cloudTrailGzip)) B (\(perItem(cloudTrailGzip, cloudTrailRecords)) B/record)"
    }

    /// `1234567` → `1,234,567`.
    func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// `1 file`, `24 files`.
    private func count(_ n: Int, _ noun: String) -> String {
        "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    private func perItem(_ bytes: Int, _ count: Int) -> String {
        count == 0 ? "0" : grouped((bytes + count / 2) / count)
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "0%" }
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
