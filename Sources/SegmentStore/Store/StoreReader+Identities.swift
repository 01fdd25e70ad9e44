import AuditCore

extension StoreReader {
    /// Visits the identity key and content hash of every event stored in `partition`, for
    /// dedupe. Reads what an identity needs (times and sources, the id and stage columns, the
    /// original bytes), each checked by its own CRC, so damage in another column does not hide
    /// a block's events from dedupe (they would be stored again by the next ingest of their
    /// hour, while queries that do not read the damaged column still serve the old copies).
    /// Every block's whole frame is checked too: damage anywhere is reported, and a block
    /// whose identities cannot be read is named as unknown to dedupe. With `range`, only the
    /// blocks meeting it are read and only the events inside it visited.
    func identities(
        partition: PartitionInfo, range: ClosedRange<Int64>? = nil,
        _ visit: (_ time: Int64, _ identity: UInt64, _ content: UInt64) -> Void
    ) throws -> ScanReport {
        try forEachBlock(partition: partition, range: range, mayMatch: nil) { reader, offset, body, report in
            report.blocksDecoded += 1
            let start = offset + SegmentFormat.frameHeaderSize
            let frameIntact = BlockBody(file: reader.mapping, range: start..<(start + body.count)).frameIntact
            guard let view = BlockView(body: body) else {
                report.problems.append(
                    SegmentProblem(
                        path: reader.path, offset: offset,
                        message: "block does not decode; dedupe cannot see its events (ingesting them again stores them again)"))
                return true
            }
            _ = view.column(.id)
            _ = view.column(.stage)
            guard view.identitiesIntact, !view.damaged else {
                report.problems.append(
                    SegmentProblem(
                        path: reader.path, offset: offset,
                        message: "\(view.damage ?? "damaged"); dedupe cannot see the \(view.count) events of this block, and queries skip it"))
                return true
            }
            // With a range, only the original bytes of the events inside it are decoded.
            let inside = range.map { r in (0..<view.count).filter { r.contains(view.time($0)) } }
            if !view.loadRaw(rows: inside) {
                // The identities are known but not the content: any event with one of these
                // identities counts as a duplicate (queries that read other columns still show
                // these events; storing them again would show them twice).
                for i in 0..<view.count where range?.contains(view.time(i)) ?? true {
                    var fields = FieldValues()
                    let id = view.string(i, .id)
                    if !id.isEmpty { fields[.id] = id }
                    let stage = view.string(i, .stage)
                    if !stage.isEmpty { fields[.stage] = stage }
                    let event = AuditEvent(time: view.time(i), source: view.source(i), fields: fields, raw: [])
                    visit(event.time, event.identityKey, IdentityTable.anyContent)
                }
                report.problems.append(
                    SegmentProblem(
                        path: reader.path, offset: offset,
                        message: "\(view.damage ?? "damaged"); dedupe knows the IDs of its \(view.count) events but not their bytes: an event with one of these IDs is taken as a duplicate"))
                return true
            }
            for i in 0..<view.count where range?.contains(view.time(i)) ?? true {
                var fields = FieldValues()
                let id = view.string(i, .id)
                if !id.isEmpty { fields[.id] = id }
                let stage = view.string(i, .stage)
                if !stage.isEmpty { fields[.stage] = stage }
                let event = AuditEvent(time: view.time(i), source: view.source(i), fields: fields, raw: view.withRaw(i) { Array($0) })
                visit(event.time, event.identityKey, event.contentHash)
            }
            if !frameIntact {
                report.problems.append(
                    SegmentProblem(
                        path: reader.path, offset: offset,
                        message: "block checksum mismatch outside the columns dedupe reads (its IDs were read from intact columns); queries that read the damaged column skip it"))
            }
            return true
        }
    }
}
