import AuditCore

/// What a deliberate repair did.
public struct RepairReport: Sendable, Equatable {
    /// Segments set aside earlier (`<data>/quarantine/<partition>/<file>`) and now added to the
    /// chain, each as `<partition>/<file> as <partition>/<new file>`.
    public var adopted: [String] = []
    /// Files in the quarantine that could not be adopted (not segments, unreadable), with why.
    public var notAdopted: [String] = []
    /// Damaged chain lines accepted (their numbers).
    public var acceptedLines: [Int] = []
    /// Damaged blocks met in adopted segments (left out; their events are lost).
    public var problems: [String] = []
    /// Events of adopted segments left out because the store holds them already (ingested
    /// again while the segment was set aside).
    public var duplicates = 0

    public init() {}
}

extension StoreWriter {
    /// The deliberate repair of a store that `logq verify` fails on for lack of chain entries:
    /// with `adopt`, every segment in `<data>/quarantine` is rewritten into its partition as a
    /// new sealed, chained segment (without the events the partition already holds: ingested
    /// again meanwhile), and a `repair` entry per segment records where it came
    /// from and `reason`; damaged chain lines are accepted by a `repair … CHAIN` entry. The
    /// chain keeps the history: the repair vouches for what was adopted from now on, not for
    /// where it came from.
    public func repair(adopt: Bool, reason: String) throws -> RepairReport {
        if let failure { throw failure }
        var report = RepairReport()
        let why = Self.chainWord(reason)
        let reader = StoreReader(directory: directory)
        if adopt {
            for key in try reader.quarantined() {
                let parts = key.split(separator: "/").map(String.init)
                let (partition, file) = (parts[0], parts[1])
                let source = directory.quarantinePath + "/" + key
                guard !file.hasSuffix(FileNames.damagedSuffix) else {
                    report.notAdopted.append("\(key): kept as evidence of blocks recovery lost to damage (its intact blocks are in the store); delete it once seen")
                    continue
                }
                guard Timestamp.parseHourName(partition) != nil else {
                    report.notAdopted.append("\(key): not in a partition folder")
                    continue
                }
                do {
                    _ = try SegmentReader(path: source)
                } catch {
                    report.notAdopted.append("\(key): \(error)")
                    continue
                }
                let sealed = try adoptSegment(at: source, partition: partition, into: &report)
                ledger.repair(subject: FileNames.quarantine + "/" + key, sequence: sealed?.sequence ?? 0, reason: "adopted:" + why)
                try ledger.persist()
                try FileHandle.remove(source)
                try FileHandle.syncDirectory(directory.quarantinePath + "/" + partition)
                report.adopted.append("\(key) as \(sealed.map(\.segment) ?? "nothing (every event already stored, or no intact block)")")
            }
            try removeEmptyQuarantine()
        }
        let damaged = ledger.problems.map(\.line).filter { $0 >= ledger.acceptedProblemLines }
        if !damaged.isEmpty {
            ledger.repair(subject: FileNames.chain, sequence: 0, reason: "accepted-lines-\(damaged.map(String.init).joined(separator: ",")):" + why)
            try ledger.persist()
            report.acceptedLines = damaged
        }
        return report
    }

    /// Writes the events of the segment at `source` that `partition` does not hold yet (the
    /// same ID and content: ingested again while it was set aside) as a new sealed, chained
    /// segment of `partition`, by the steps of ``rewrite(partition:segments:reason:keep:)``;
    /// returns its chain entry, nil when nothing was left to write. The source stays where it
    /// is: after a crash it is set aside or adopted again, and adopting twice stores nothing twice.
    private func adoptSegment(at source: String, partition: String, into report: inout RepairReport) throws -> ChainLedger.Entry? {
        let folder = directory.partitionPath(partition)
        if try FileHandle.makeDirectory(folder) { try FileHandle.syncDirectory(directory.partitionsPath) }
        var stored = IdentityTable()
        let info = PartitionInfo(name: partition, start: Timestamp.parseHourName(partition)!)
        report.problems += try StoreReader(directory: directory).identities(partition: info) { stored.insert(id: $1, content: $2) }
            .problems.map(\.description)
        let existing = try FileHandle.listDirectory(folder) ?? []
        let next = (existing.compactMap { FileNames.segmentSequence($0.replacingSuffix(FileNames.temporarySuffix)) }.max() ?? 0) + 1
        let name = FileNames.segment(next)
        let temporary = folder + "/" + name + FileNames.temporarySuffix
        var output: SegmentWriter?
        let scan = try SegmentReader(path: source).forEachBlock(wholeFrames: true) { offset, _, body in
            guard let events = Block.decode(body) else {
                report.problems.append("\(source) at byte \(offset): block does not decode; not adopted")
                return true
            }
            let kept = events.filter { stored.insert(id: $0.identityKey, content: $0.contentHash) != .duplicate }
            report.duplicates += events.count - kept.count
            guard !kept.isEmpty else { return true }
            if output == nil { output = try SegmentWriter(creating: temporary) }
            try output!.append(events: kept)
            return true
        }
        report.problems += scan.problems.map(\.description)
        guard let output else { return nil }
        let seal = chainSeal(output, partition: partition)
        try output.seal(seal)
        try output.sync()
        output.close()
        try FileHandle.syncDirectory(folder)
        try ledger.persist()
        try FileHandle.rename(temporary, to: folder + "/" + name)
        try FileHandle.syncDirectory(folder)
        return ledger.entries.last { $0.kind == .seal && $0.sequence == seal.sequence }
    }

    /// `text` as one word of a chain line (no spaces or `=`).
    static func chainWord(_ text: String) -> String {
        let word = String(text.map { $0 == " " || $0 == "=" || $0 == "\n" ? "-" : $0 })
        return word.isEmpty ? "-" : word
    }

    private func removeEmptyQuarantine() throws {
        let root = directory.quarantinePath
        guard let folders = try FileHandle.listDirectory(root) else { return }
        for folder in folders where (try FileHandle.listDirectory(root + "/" + folder) ?? []).isEmpty {
            try FileHandle.removeDirectory(root + "/" + folder)
        }
        if (try FileHandle.listDirectory(root) ?? []).isEmpty { try FileHandle.removeDirectory(root) }
        try FileHandle.syncDirectory(directory.path)
    }
}
