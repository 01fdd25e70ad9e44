extension StoreReader {
    /// ``collectBlocks(partition:range:mayMatch:)`` for several stores read as one: segments
    /// whose seal (content SHA-256) is in `skipping` are left out, as another store already
    /// gave the same bytes (a shipped copy beside its source). Returns the seals of the
    /// segments read, for the next store's `skipping`.
    public func collectBlocks(
        partition: PartitionInfo, range: ClosedRange<Int64>?, mayMatch: ((BlockSummary) -> Bool)?,
        skipping: Set<SHA256Digest>
    ) throws -> (bodies: [BlockBody], report: ScanReport, seals: Set<SHA256Digest>) {
        var report = ScanReport()
        report.partitions = 1
        var bodies: [BlockBody] = []
        var seals: Set<SHA256Digest> = []
        for reader in try openSegments(of: partition, problems: &report.problems) {
            if let seal = reader.footer()?.footer.seal {
                if skipping.contains(seal.contentHash) { continue }
                seals.insert(seal.contentHash)
            }
            report.segments += 1
            let result = try reader.forEachBlock(in: range) { offset, _, body in
                if let mayMatch, let summary = Block.summary(body), !mayMatch(summary) {
                    report.blocksPruned += 1
                    return true
                }
                let start = offset + SegmentFormat.frameHeaderSize
                bodies.append(BlockBody(file: reader.mapping, range: start..<(start + body.count)))
                return true
            }
            report.add(result)
        }
        return (bodies, report, seals)
    }
}
