import AuditCore

/// Checks a store made by `logq segments ship` (``SegmentShipper``) against the chain it was
/// shipped with. Its `CHAIN` is a prefix of the source's, so it may name segments the copy does
/// not hold and the copy may hold segments the chain has since dropped; what counts:
///
/// - every chain line links to the one before (problem otherwise);
/// - every segment file is sealed, its seal names a `seal` line of the chain with the same key
///   and number, and its content hashes to what that line recorded (problem otherwise); its
///   blocks' CRCs check;
/// - a segment the chain has dropped since it was shipped (retention or compaction at the
///   source) is kept here and still verified by its seal line: a note, not a problem (an archive
///   keeps what the source let go; readers skip a compacted segment's originals when the
///   compacted one is here too);
/// - a segment listed in `SHIPPED` and no longer here is a problem (removed after shipping);
/// - a live segment of the chain that is not here was not shipped yet (a note: the next ship
///   copies it); a segment sealed and dropped at the source before any ship is a retention gap
///   (a note with the count: its events were never here).
public struct ShippedStoreVerifier: Sendable {
    public let directory: DataDirectory

    public init(directory: DataDirectory) {
        self.directory = directory
    }

    /// The full check, as `logq verify` prints it.
    public func verify(expectHead: SHA256Digest? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        let ledger = try ChainLedger(path: directory.chainPath)
        let manifest = try ShipManifest(directory: directory)
        let accepted = ledger.acceptedProblemLines
        for problem in ledger.problems {
            if problem.line < accepted {
                report.notes.append("\(problem) (accepted by the repair at CHAIN line \(accepted))")
            } else {
                report.problems.append(problem.description)
            }
        }
        report.problems += manifest.problems
        report.chainEntries = ledger.entries.count
        report.head = ledger.head
        let chain = ChainIndex(ledger)
        let reader = StoreReader(directory: directory)
        var here: Set<String> = []
        for partition in try reader.partitions() {
            let folder = directory.partitionPath(partition.name)
            for name in (try FileHandle.listDirectory(folder) ?? []).sorted() where name.hasSuffix(FileNames.temporarySuffix) {
                report.notes.append("\(partition.name)/\(name): left by an interrupted ship; readers ignore it, the next ship replaces it")
            }
            for path in try reader.segments(of: partition) {
                let key = partition.name + "/" + String(path.split(separator: "/").last!)
                let segment: SegmentReader
                do {
                    segment = try SegmentReader(path: path)
                } catch {
                    report.problems.append("\(key): cannot be read (\(error))")
                    continue
                }
                report.segments += 1
                guard let footer = segment.footer(), let seal = footer.footer.seal else {
                    report.problems.append("\(key): not a sealed segment (a shipped store holds sealed segments only): cut short, or added behind the ship's back")
                    continue
                }
                guard let entry = chain.seals[key + "#\(seal.sequence)"] else {
                    report.problems.append("\(key): its seal #\(seal.sequence) is not in the shipped chain: added behind the ship's back, or its chain lines were removed")
                    continue
                }
                here.insert(key + "#\(seal.sequence)")
                let actual = segment.contentHash(upTo: footer.offset)
                if actual != entry.contentHash {
                    report.problems.append("\(key): altered: content SHA-256 is \(actual), the chain recorded \(entry.contentHash ?? .zero) (CHAIN line \(entry.line))")
                } else if seal.previousLink != entry.previous || seal.contentHash != actual {
                    report.problems.append("\(key): its footer's seal does not match CHAIN line \(entry.line) (the file was replaced)")
                }
                if let reason = chain.dropReasons[key + "#\(seal.sequence)"] {
                    report.notes.append("\(key): dropped at the source by \(reason) after it was shipped; kept here, verified by CHAIN line \(entry.line)")
                }
                checkBlocks(segment, key: key, into: &report)
            }
        }
        for entry in manifest.entries where !here.contains(entry.segment + "#\(entry.sequence)") {
            report.problems.append("\(entry.segment): missing: shipped as #\(entry.sequence) (SHIPPED line \(entry.line)) and removed since")
        }
        let listed = Set(manifest.entries.map { $0.segment + "#\($0.sequence)" })
        var gaps = 0
        for (id, entry) in chain.seals.sorted(by: { $0.value.sequence < $1.value.sequence }) where !here.contains(id) && !listed.contains(id) {
            if chain.dropReasons[id] != nil {
                gaps += 1
            } else {
                report.notes.append("\(entry.segment): sealed at the source as #\(entry.sequence) and not shipped yet; the next ship copies it")
            }
        }
        if gaps > 0 {
            report.notes.append("\(gaps) segment\(gaps == 1 ? "" : "s") sealed and dropped at the source before any ship (retention gaps): their events were never here")
        }
        if let expectHead, expectHead != ledger.head {
            report.problems.append("chain head is \(ledger.head), expected \(expectHead): the history differs from the one recorded")
        }
        return report
    }

    /// What a query over the partitions meeting `range` should say about the copy, cheaply (no
    /// block or hash is read): damaged chain or `SHIPPED` lines, segments not in the chain,
    /// shipped segments gone.
    public func integrityProblems(in range: ClosedRange<Int64>? = nil) throws -> [SegmentProblem] {
        var problems: [SegmentProblem] = []
        let ledger = try ChainLedger(path: directory.chainPath)
        let manifest = try ShipManifest(directory: directory)
        let accepted = ledger.acceptedProblemLines
        for problem in ledger.problems where problem.line >= accepted {
            problems.append(SegmentProblem(path: directory.chainPath, offset: -1, message: problem.description))
        }
        for problem in manifest.problems {
            problems.append(SegmentProblem(path: manifest.path, offset: -1, message: problem))
        }
        let sealed = Set(ledger.entries.filter { $0.kind == .seal }.map(\.segment))
        let reader = StoreReader(directory: directory)
        let partitions = try reader.partitions(in: range)
        var here: Set<String> = []
        for partition in partitions {
            for path in try reader.segments(of: partition) {
                let key = partition.name + "/" + String(path.split(separator: "/").last!)
                here.insert(key)
                if !sealed.contains(key) {
                    problems.append(
                        SegmentProblem(
                            path: path, offset: -1,
                            message: "not in the shipped chain (added behind the ship's back): its events are not vouched for"))
                }
            }
        }
        for entry in manifest.entries where !here.contains(entry.segment) {
            if let range {
                guard let start = Timestamp.parseHourName(String(entry.segment.prefix { $0 != "/" })),
                    start + Timestamp.nanosPerHour - 1 >= range.lowerBound, start <= range.upperBound
                else { continue }
            }
            problems.append(
                SegmentProblem(
                    path: directory.partitionsPath + "/" + entry.segment, offset: -1,
                    message: "missing: shipped as #\(entry.sequence) (SHIPPED line \(entry.line)) and removed since"))
        }
        return problems
    }

    private func checkBlocks(_ segment: SegmentReader, key: String, into report: inout VerifyReport) {
        do {
            let result = try segment.forEachBlock(wholeFrames: true) { offset, header, body in
                report.blocks += 1
                report.events += Int(header.eventCount)
                if let view = BlockView(body: body), view.loadAll() { return true }
                report.problems.append("\(key) block at byte \(offset): its columns do not decode")
                return true
            }
            report.problems += result.problems.map { "\(key) block at byte \($0.offset): \($0.message)" }
        } catch {
            report.problems.append("\(key): \(error)")
        }
    }
}

/// The seal lines of a chain by `<key>#<sequence>`, and why each dropped one was dropped.
struct ChainIndex {
    var seals: [String: ChainLedger.Entry] = [:]
    var dropReasons: [String: String] = [:]

    init(_ ledger: ChainLedger) {
        for entry in ledger.entries {
            let id = entry.segment + "#\(entry.sequence)"
            switch entry.kind {
            case .seal: seals[id] = entry
            case .drop: dropReasons[id] = entry.reason
            case .repair: break
            }
        }
    }
}

extension StoreReader {
    /// ``integrityProblems(in:)`` for a store of its own, the shipped-copy check
    /// (``ShippedStoreVerifier/integrityProblems(in:)``) for one made by `logq segments ship`.
    public func anyIntegrityProblems(in range: ClosedRange<Int64>? = nil) throws -> [SegmentProblem] {
        ShipManifest.isShipped(directory)
            ? try ShippedStoreVerifier(directory: directory).integrityProblems(in: range)
            : try integrityProblems(in: range)
    }
}

extension StoreVerifier {
    /// The check that fits the store: ``ShippedStoreVerifier`` for a shipped copy.
    public static func verify(_ directory: DataDirectory, expectHead: SHA256Digest? = nil) throws -> VerifyReport {
        ShipManifest.isShipped(directory)
            ? try ShippedStoreVerifier(directory: directory).verify(expectHead: expectHead)
            : try StoreVerifier(directory: directory).verify(expectHead: expectHead)
    }
}
