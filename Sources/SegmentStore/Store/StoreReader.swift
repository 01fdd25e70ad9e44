import AuditCore

/// What a scan saw: damaged blocks (reported and skipped) and how much was read.
public struct ScanReport: Sendable {
    /// Damaged frames found, each skipped.
    public var problems: [SegmentProblem] = []
    /// Partitions visited.
    public var partitions = 0
    /// Segments opened.
    public var segments = 0
    /// Blocks whose frames checked.
    public var blocksRead = 0
    /// Blocks skipped by time range, not decompressed.
    public var blocksSkipped = 0
    /// Blocks decompressed.
    public var blocksDecoded = 0
    /// Blocks skipped by their summary (sources, distinct values), not decompressed.
    public var blocksPruned = 0
    /// Blocks answered from their summary's per-value counts (an aggregate over blocks that
    /// match whole), not decompressed.
    public var blocksFromSummary = 0
    /// Segments ending in an incomplete frame (a crashed or running writer).
    public var tornSegments = 0

    public init() {}

    mutating func add(_ r: SegmentScanResult) {
        problems += r.problems
        blocksRead += r.blocksRead
        blocksSkipped += r.blocksSkipped
        if r.tornTail { tornSegments += 1 }
    }
}

/// Reads a store: lists partitions and segments and decodes blocks. Any number of readers may
/// run beside the writer.
public struct StoreReader: Sendable {
    /// The store's folder.
    public let directory: DataDirectory

    public init(directory: DataDirectory) {
        self.directory = directory
    }

    /// The partitions meeting `range` (all when nil), in time order.
    public func partitions(in range: ClosedRange<Int64>? = nil) throws -> [PartitionInfo] {
        guard let names = try FileHandle.listDirectory(directory.partitionsPath) else { return [] }
        var out: [PartitionInfo] = []
        for name in names {
            guard let start = Timestamp.parseHourName(name) else { continue }
            let info = PartitionInfo(name: name, start: start)
            if let range, info.end < range.lowerBound || info.start > range.upperBound { continue }
            out.append(info)
        }
        return out.sorted { $0.start < $1.start }
    }

    /// Paths of the segments of a partition, oldest first.
    public func segments(of partition: PartitionInfo) throws -> [String] {
        let folder = directory.partitionPath(partition.name)
        guard let names = try FileHandle.listDirectory(folder) else { return [] }
        return names.compactMap { name in FileNames.segmentSequence(name).map { ($0, name) } }
            .sorted { $0.0 < $1.0 }
            .map { folder + "/" + $0.1 }
    }

    /// Opens the segments of a partition, oldest first, leaving out any that a present sealed
    /// segment replaces (a compaction between its rename and its removals). Segments that do not
    /// open (not a segment, another format version, unreadable) are left out.
    public func openSegments(of partition: PartitionInfo) throws -> [SegmentReader] {
        var problems: [SegmentProblem] = []
        return try openSegments(of: partition, problems: &problems)
    }

    /// Opens the segments of a partition as ``openSegments(of:)`` does, and names each one that
    /// does not open in `problems`: one damaged or stray file must not stop the partition.
    public func openSegments(of partition: PartitionInfo, problems: inout [SegmentProblem]) throws -> [SegmentReader] {
        var readers: [SegmentReader] = []
        for path in try segments(of: partition) {
            do {
                readers.append(try SegmentReader(path: path))
            } catch let error as StoreError where error.code == .io && !FileHandle.exists(path) {
                continue  // removed by a compaction or retention since the listing
            } catch let error as StoreError {
                problems.append(SegmentProblem(path: path, offset: -1, message: "\(error.message); segment skipped"))
            }
        }
        guard readers.count > 1 else { return readers }
        var replaced: Set<String> = []
        for reader in readers {
            if let names = reader.footer()?.footer.seal?.replaces { replaced.formUnion(names) }
        }
        guard !replaced.isEmpty else { return readers }
        return readers.filter { !replaced.contains(String($0.path.split(separator: "/").last!)) }
    }

    /// Walks the intact blocks of `partition` that meet `range` and `mayMatch` (pruned ones
    /// are counted), calling `visit(path, offset, body)` until it returns false. The frame
    /// buffer behind `body` is reused: copy what must outlive the call.
    func forEachBlock(
        partition: PartitionInfo, range: ClosedRange<Int64>?, mayMatch: ((BlockSummary) -> Bool)?,
        _ visit: (_ reader: SegmentReader, _ offset: Int, _ body: UnsafeRawBufferPointer, _ report: inout ScanReport) throws -> Bool
    ) throws -> ScanReport {
        var report = ScanReport()
        report.partitions = 1
        var stopped = false
        for reader in try openSegments(of: partition, problems: &report.problems) {
            report.segments += 1
            let result = try reader.forEachBlock(in: range) { offset, _, body in
                if let mayMatch, let summary = Block.summary(body), !mayMatch(summary) {
                    report.blocksPruned += 1
                    return true
                }
                if try !visit(reader, offset, body, &report) {
                    stopped = true
                    return false
                }
                return true
            }
            report.add(result)
            if stopped { break }
        }
        return report
    }

    /// The intact block bodies of `partition` that meet `range` and `mayMatch`, in storage
    /// order, still compressed and in place in their mapped segments: for callers that decode
    /// them on several threads.
    public func collectBlocks(
        partition: PartitionInfo, range: ClosedRange<Int64>? = nil,
        mayMatch: ((BlockSummary) -> Bool)? = nil
    ) throws -> (bodies: [BlockBody], report: ScanReport) {
        var bodies: [BlockBody] = []
        let report = try forEachBlock(partition: partition, range: range, mayMatch: mayMatch) { reader, offset, body, _ in
            let start = offset + SegmentFormat.frameHeaderSize
            bodies.append(BlockBody(file: reader.mapping, range: start..<(start + body.count)))
            return true
        }
        return (bodies, report)
    }

    /// Visits every event of `partition` whose block meets `range` (events outside `range` in
    /// such a block are visited too; callers filter). Damaged blocks are reported in the result
    /// and skipped. `visit` returns false to stop.
    @discardableResult
    public func scan(
        partition: PartitionInfo, range: ClosedRange<Int64>? = nil,
        _ visit: (AuditEvent) throws -> Bool
    ) throws -> ScanReport {
        try forEachBlock(partition: partition, range: range, mayMatch: nil) { reader, offset, body, report in
            report.blocksDecoded += 1
            // Columns are checked by their own CRC as they are decompressed (format 5).
            let view = BlockView(body: body)
            guard let view, view.loadAll() else {
                let reason = view?.damage.map { " (\($0))" } ?? ""
                report.problems.append(
                    SegmentProblem(path: reader.path, offset: offset, message: "block payload does not decode\(reason); skipped"))
                return true
            }
            for i in 0..<view.count where try !visit(view.event(i)) { return false }
            return true
        }
    }
}
