import AuditCore

/// Every on-disk name of the store, in one place.
///
///     <data>/
///       LOCK                        single writer (flock); any number of readers
///       CHAIN                       hash chain of sealed segments (see ``ChainLedger``)
///       RESERVE                     space held back so retention can run on a full disk
///       quarantine/2026-11-24T12/   segments a writer found outside the chain, set aside
///         000099.seg                (not queried, not trusted) until `logq repair --adopt`
///         000007.seg.damaged        a crashed writer's segment whose damaged blocks recovery
///                                   could not keep (its intact ones were): evidence, not adopted
///       SHIPPED                     only in a copy made by `logq segments ship`: what was shipped
///       rejects.jsonl               quarantine: rejected input, with file, line, offset, reason
///       actors.tsv                  identity links learned by ingest (IRSA sessions, usernames)
///       journal/00000000000000000001.jnl   the arrival order: one line per commit, rewrite and
///                                   drop, in order (see ``CommitJournal``), in files named by
///                                   their first sequence number
///       partitions/2026-11-24T12/   one partition per UTC hour of event time
///         000001.seg                a segment: header, framed blocks, footer once sealed
///         000004.seg.tmp            a segment being rewritten (compaction, retention, recovery);
///                                   renamed to .seg once sealed and fsync'd, removed if a crash left it
public enum FileNames {
    /// The writer's lock file, held with `flock(LOCK_EX)` while a writer runs.
    public static let lock = "LOCK"
    /// The store's hash chain ledger.
    public static let chain = "CHAIN"
    /// The suffix of a segment being rewritten, invisible to readers until renamed.
    public static let temporarySuffix = ".tmp"
    /// The folder of segments set aside: sealed segments the chain does not name (copied in,
    /// forged, or orphaned by a damaged ledger) and files that are not segments, one folder
    /// per partition. Nothing there is read by queries; `logq verify` fails while it holds
    /// anything; `logq repair --adopt` adds its segments to the chain.
    public static let quarantine = "quarantine"
    /// The suffix of a crashed writer's segment kept in the quarantine because recovery lost
    /// some of its blocks to damage.
    public static let damagedSuffix = ".damaged"
    /// A file of ``Limits/reserveBytes`` zero bytes, removed to make room when the disk is full
    /// so that retention can still record its removals; recreated by the next writer.
    public static let reserve = "RESERVE"
    /// The folder holding one folder per partition.
    public static let partitions = "partitions"
    /// The suffix of segment files.
    public static let segmentSuffix = ".seg"
    /// The mark and manifest of a store made by `logq segments ship`: read-only (no writer opens
    /// it), one line per segment shipped (see ``ShipManifest``).
    public static let shipped = "SHIPPED"
    /// The folder of collector positions (follow mode, planned).
    public static let checkpoints = "checkpoints"

    /// The quarantine of ingest: one JSON line per rejected value (its bytes, where it was,
    /// why), read by `logq rejects`.
    public static let rejects = "rejects.jsonl"
    /// The identity links ingest learns and keeps across runs (`AuditIngest.ActorCorrelator`):
    /// IRSA session keys → service accounts, Kubernetes usernames → IAM ARNs.
    public static let actors = "actors.tsv"

    /// The folder of the commit journal (the store's arrival order).
    public static let journal = "journal"
    /// The suffix of commit journal files.
    public static let journalSuffix = ".jnl"

    /// The name of the journal file whose first record is `first` (20 digits, so names sort).
    public static func journalFile(_ first: UInt64) -> String {
        let digits = String(first)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + journalSuffix
    }

    /// The first sequence number of a journal file's name, or nil when `name` is not one.
    public static func journalFileFirst(_ name: String) -> UInt64? {
        guard name.hasSuffix(journalSuffix) else { return nil }
        return UInt64(name.dropLast(journalSuffix.count))
    }

    /// The file name of segment number `sequence` (`000007.seg`).
    public static func segment(_ sequence: Int) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + segmentSuffix
    }

    /// The sequence number of a segment file name, or nil when `name` is not one.
    public static func segmentSequence(_ name: String) -> Int? {
        guard name.hasSuffix(segmentSuffix) else { return nil }
        return Int(name.dropLast(segmentSuffix.count))
    }

    /// The folder name of the partition holding time `nanos` (`2026-11-24T12`).
    public static func partition(containing nanos: Int64) -> String {
        Timestamp.hourName(nanos)
    }
}
