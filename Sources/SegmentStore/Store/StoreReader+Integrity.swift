import AuditCore

extension StoreReader {
    /// What a reader of the partitions meeting `range` should know about the store besides
    /// damaged blocks: each compared with the hash chain, cheaply (no block is read).
    ///
    /// - a segment the chain holds live is missing, or has lost its footer (cut short);
    /// - a sealed segment is in a partition but not in the chain (added behind the store's back,
    ///   or its chain line was lost): its events are served but not vouched for;
    /// - chain lines do not parse or link (the ledger was edited);
    /// - the quarantine holds segments set aside (their events are not served).
    ///
    /// Blocks inside a present, sealed segment are checked as they are read (head and column
    /// CRCs), not here.
    public func integrityProblems(in range: ClosedRange<Int64>? = nil) throws -> [SegmentProblem] {
        var problems: [SegmentProblem] = []
        let ledger = try ChainLedger(path: directory.chainPath)
        let accepted = ledger.acceptedProblemLines
        for problem in ledger.problems where problem.line >= accepted {
            problems.append(SegmentProblem(path: directory.chainPath, offset: -1, message: problem.description))
        }
        let live = ledger.liveSegments
        // A running writer chains a segment just before it seals or renames it into place:
        // for that instant a chained segment without footer, or still a `.tmp`, is expected.
        let writerRunning = (try? StoreVerifier.writerIsRunning(directory)) ?? false
        let partitions = try self.partitions(in: range)
        let names = Set(partitions.map(\.name))
        var onDisk: Set<String> = []
        for partition in partitions {
            for path in try segments(of: partition) {
                let key = partition.name + "/" + String(path.split(separator: "/").last!)
                onDisk.insert(key)
                if let entry = live[key] {
                    // The trailer alone (16 bytes): mapping every segment again cost a query
                    // ~20 ms over the benchmark's store; the footer's CRC is checked when read.
                    guard let sealed = Self.hasTrailer(path) else { continue }  // named by the scan
                    if !sealed && !writerRunning {
                        problems.append(
                            SegmentProblem(
                                path: path, offset: -1,
                                message: "cut short: sealed as #\(entry.sequence) with \(entry.blocks) blocks and \(entry.events) events (CHAIN line \(entry.line)) but its footer is gone; events after the cut are missing"))
                    }
                } else if let segment = try? SegmentReader(path: path), segment.footer()?.footer.seal != nil,
                    !replacedByLive(partition: partition, name: key, live: live)
                {
                    problems.append(
                        SegmentProblem(
                            path: path, offset: -1,
                            message: "sealed segment not in the chain (added behind the store's back, or its chain line was lost): its events are not vouched for; the next writer sets it aside"))
                }
            }
        }
        for (key, entry) in live.sorted(by: { $0.value.sequence < $1.value.sequence }) where !onDisk.contains(key) {
            guard let slash = key.firstIndex(of: "/"), names.contains(String(key[..<slash])) || range == nil else { continue }
            if writerRunning && FileHandle.exists(directory.partitionsPath + "/" + key + FileNames.temporarySuffix) { continue }
            problems.append(
                SegmentProblem(
                    path: directory.partitionsPath + "/" + key, offset: -1,
                    message: "missing: sealed as #\(entry.sequence) with \(entry.events) events (CHAIN line \(entry.line)) and removed without a chain entry"))
        }
        for name in try quarantined() {
            let message =
                name.hasSuffix(FileNames.damagedSuffix)
                ? "a crashed writer's segment whose damaged blocks recovery could not keep: their events are missing"
                : "set aside: not in the chain, its events are not served; inspect it, then 'logq repair --adopt' or delete it"
            problems.append(SegmentProblem(path: directory.quarantinePath + "/" + name, offset: -1, message: message))
        }
        return problems
    }

    /// Whether the segment at `path` ends in a sealed trailer (its last 8 bytes are the trailer
    /// magic); nil when it cannot be read.
    static func hasTrailer(_ path: String) -> Bool? {
        guard let file = try? FileHandle.openForReading(path) else { return nil }
        defer { file.close() }
        guard let size = try? file.size() else { return nil }
        guard size >= SegmentFormat.headerSize + SegmentFormat.trailerSize else { return false }
        var tail: [UInt8] = []
        guard (try? file.read(into: &tail, count: 8, at: size - 8)) != nil else { return nil }
        return tail == SegmentFormat.trailerMagic
    }

    /// The files in `<data>/quarantine`, as `<partition>/<file>`.
    public func quarantined() throws -> [String] {
        var out: [String] = []
        for folder in (try FileHandle.listDirectory(directory.quarantinePath) ?? []).sorted() {
            for name in (try FileHandle.listDirectory(directory.quarantinePath + "/" + folder) ?? []).sorted() {
                out.append(folder + "/" + name)
            }
        }
        return out
    }

    /// Whether a sealed segment of `partition` that the chain holds replaces `name` (a
    /// compaction between its rename and its removals).
    private func replacedByLive(partition: PartitionInfo, name key: String, live: [String: ChainLedger.Entry]) -> Bool {
        guard let paths = try? segments(of: partition) else { return false }
        let file = String(key.split(separator: "/").last!)
        for path in paths {
            let other = partition.name + "/" + String(path.split(separator: "/").last!)
            guard other != key, live[other] != nil, let segment = try? SegmentReader(path: path) else { continue }
            if segment.footer()?.footer.seal?.replaces.contains(file) == true { return true }
        }
        return false
    }
}
