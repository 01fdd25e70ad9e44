import AuditCore

/// Writes CloudTrail log files in the trail's S3 key layout (FORMATS.md §1.1):
/// `cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`,
/// each the gzip of `{"Records":[…]}`, one file per region per delivery window.
///
/// Each region's timeline is cut into windows of 5–15 minutes; a file holds the calls of one
/// window, unordered, and is named a few minutes after the window closes, when CloudTrail would
/// deliver it. Records are spread over windows by the same day/night curve as the k8s events.
struct CloudTrailGenerator: Sendable {
    /// One file to write.
    struct DeliveryFile: Sendable {
        /// Index into `CloudTrailRegion.names`.
        let region: Int
        /// Position of the window in its region's timeline (names the random stream).
        let window: Int
        /// The window, `[start, end)`, nanoseconds; every `eventTime` falls inside.
        let start: Int64
        let end: Int64
        /// The delivery minute in the file name, nanoseconds.
        let delivered: Int64
        /// Records in the file.
        var records = 0
    }

    /// What one file produced.
    struct FileResult: Sendable {
        var records = 0
        var deletes = 0
        var errors = 0
        var rawBytes = 0
        var gzipBytes = 0
    }

    let options: Options
    /// Non-empty files, in region then time order.
    let files: [DeliveryFile]
    private let writer: CloudTrailRecordWriter
    /// Per region: which call to make.
    private let eventTables: [WeightedTable<CloudTrailEvent>]
    /// Per event (by raw value): who makes it.
    private let callerTables: [WeightedTable<CloudTrailCaller>]

    init(options: Options, account: AWSAccount, cluster: K8sCluster) {
        self.options = options
        writer = CloudTrailRecordWriter(callers: CloudTrailCallerWriter(account: account, cluster: cluster, seed: options.seed))
        eventTables = CloudTrailRegion.names.indices.map { region in
            WeightedTable(CloudTrailEvent.allCases.map { ($0, $0.weight(region: region)) })
        }
        callerTables = CloudTrailEvent.allCases.map { WeightedTable($0.callers) }

        var windows: [DeliveryFile] = []
        var weights: [Double] = []
        for region in CloudTrailRegion.names.indices {
            var rng = SplitMix64(seed: options.seed, stream: RandomStream.cloudTrailWindows(region: region))
            var start = options.start
            var index = 0
            while start < options.end {
                let end = min(start + Int64(rng.int(in: 300...900)) * Timestamp.nanosPerSecond, options.end)
                let delay = Int64(rng.int(in: 150...480)) * Timestamp.nanosPerSecond
                let delivered = (end + delay) / (60 * Timestamp.nanosPerSecond) * (60 * Timestamp.nanosPerSecond)
                windows.append(DeliveryFile(region: region, window: index, start: start, end: end, delivered: delivered))
                weights.append(CloudTrailGenerator.rate(from: start, to: end) * CloudTrailRegion.weights[region])
                start = end
                index += 1
            }
        }
        let counts = DiurnalCurve.apportion(options.cloudTrailRecords, weights: weights)
        for i in windows.indices { windows[i].records = counts[i] }
        files = windows.filter { $0.records > 0 }
    }

    /// The diurnal curve integrated over `[start, end)` (hour-weighted seconds).
    private static func rate(from start: Int64, to end: Int64) -> Double {
        var total = 0.0
        var t = start
        while t < end {
            let hourStart = t.floorDiv(Timestamp.nanosPerHour) * Timestamp.nanosPerHour
            let stop = min(end, hourStart + Timestamp.nanosPerHour)
            total += Double(stop - t) / Double(Timestamp.nanosPerSecond) * DiurnalCurve.weight(hourStarting: hourStart)
            t = stop
        }
        return total
    }

    /// Generates and writes file `index` of `files`.
    func writeFile(_ index: Int) throws(GenError) -> FileResult {
        let file = files[index]
        var rng = SplitMix64(seed: options.seed, stream: RandomStream.cloudTrailFile(region: file.region, window: file.window))
        let region = CloudTrailRegion.names[file.region]
        let secondsInWindow = Int((file.end - file.start) / Timestamp.nanosPerSecond)

        var w = JSONWriter(capacity: file.records * 1_600 + 64)
        var result = FileResult(records: file.records)
        w.beginObject()
        w.key("Records")
        w.beginArray()
        let varied = options.profile == .varied ? CloudTrailVariedProfile() : nil
        var variation = SplitMix64(
            seed: options.seed, stream: RandomStream.cloudTrailFile(region: file.region, window: file.window) | RandomStream.variedBit)
        for _ in 0..<file.records {
            let recordStart = w.bytes.count + (w.bytes.last == UInt8(ascii: "[") ? 0 : 1)
            // Whole seconds: eventTime has no fraction. Drawn independently, so not time-ordered.
            let time = file.start + Int64(rng.below(secondsInWindow)) * Timestamp.nanosPerSecond
            let event = eventTables[file.region].draw(&rng)
            let caller = callerTables[event.rawValue].draw(&rng)
            let call = writer.call(event, by: caller, region: file.region, at: time, &rng)
            writer.write(call, &w, &rng)
            if let varied {
                if let name = varied.rewrite(&w.bytes, from: recordStart, &variation), name.hasPrefix("Delete") || name.hasPrefix("Terminate") {
                    result.deletes += 1
                }
            } else if event.isDelete {
                result.deletes += 1
            }
            if call.error != nil { result.errors += 1 }
        }
        w.endArray()
        w.endObject()

        var name = JSONWriter(capacity: 160)
        name.part(AWSAccount.id)
        name.part("_CloudTrail_")
        name.part(region)
        name.part("_")
        name.partCompactTime(file.delivered)
        name.part("_")
        name.part(randomFrom: Alphabet.alphanumeric, count: 16, &rng)
        name.part(".json.gz")
        let (year, month, day) = Timestamp.civilFromDays(Int(file.delivered.floorDiv(86_400 * Timestamp.nanosPerSecond)))
        var folder = JSONWriter(capacity: 32)
        folder.appendPadded(year, width: 4)
        folder.part("/")
        folder.appendPadded(month, width: 2)
        folder.part("/")
        folder.appendPadded(day, width: 2)
        let path = options.outputDirectory + "/cloudtrail/AWSLogs/\(AWSAccount.id)/CloudTrail/\(region)/"
            + String(decoding: folder.bytes, as: UTF8.self) + "/" + String(decoding: name.bytes, as: UTF8.self)

        let output = try OutputFile(path: path)
        let gzip = try GzipWriter(file: output)
        try gzip.write(w.bytes)
        try gzip.finish()
        result.rawBytes = w.bytes.count
        result.gzipBytes = output.size
        return result
    }
}

extension JSONWriter {
    /// Appends `YYYYMMDDTHHmmZ` (CloudTrail file names' delivery minute).
    mutating func partCompactTime(_ nanos: Int64) {
        let seconds = nanos.floorDiv(Timestamp.nanosPerSecond)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        appendPadded(year, width: 4)
        appendPadded(month, width: 2)
        appendPadded(day, width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, width: 2)
        appendPadded(secondOfDay % 3600 / 60, width: 2)
        bytes.append(UInt8(ascii: "Z"))
    }
}
