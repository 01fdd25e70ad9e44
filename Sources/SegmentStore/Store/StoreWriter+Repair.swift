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

    public init() {}
}

extension StoreWriter {
    /// The deliberate repair of a store that `logq verify` fails on for lack of chain entries:
    /// with `adopt`, every segment in `<data>/quarantine` is rewritten into its partition as a
    /// new sealed, chained segment, and a `repair` entry per segment records where it came
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
                let folder = directory.partitionPath(partition)
                if try FileHandle.makeDirectory(folder) { try FileHandle.syncDirectory(directory.partitionsPath) }
                let existing = try FileHandle.listDirectory(folder) ?? []
                let next = (existing.compactMap { FileNames.segmentSequence($0.replacingSuffix(FileNames.temporarySuffix)) }.max() ?? 0) + 1
                let name = FileNames.segment(next)
                try FileHandle.rename(source, to: folder + "/" + name)
                try FileHandle.syncDirectory(folder)
                let problemsBefore = recovery.problems.count
                let entriesBefore = ledger.entries.count
                _ = try rewrite(partition: partition, segments: [name], reason: "adopted") { _, _ in true }
                report.problems += recovery.problems[problemsBefore...]
                let sealed = ledger.entries[entriesBefore...].first { $0.kind == .seal }
                ledger.repair(subject: FileNames.quarantine + "/" + key, sequence: sealed?.sequence ?? 0, reason: "adopted:" + why)
                try ledger.persist()
                report.adopted.append("\(key) as \(sealed.map(\.segment) ?? "nothing (no intact block)")")
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
