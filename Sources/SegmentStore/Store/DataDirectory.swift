import AuditCore

#if canImport(Glibc)
import Glibc
#endif

/// The store's folder and the paths inside it (see ``FileNames``).
public struct DataDirectory: Sendable {
    /// The data directory path.
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The environment variable that names the data directory when `--data` is not given.
    public static let environmentVariable = "LOGQ_DATA"

    /// The data directory used when none is given: `$LOGQ_DATA`, else `$XDG_DATA_HOME/logq`,
    /// else `~/.local/share/logq`, else `./logq-data`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/logq" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/share/logq" }
        return "logq-data"
    }

    /// `<data>/partitions`.
    public var partitionsPath: String { path + "/" + FileNames.partitions }

    /// `<data>/partitions/<name>`.
    public func partitionPath(_ name: String) -> String { partitionsPath + "/" + name }

    /// `<data>/CHAIN`.
    public var chainPath: String { path + "/" + FileNames.chain }

    /// `<data>/journal`: the commit journal.
    public var journalPath: String { path + "/" + FileNames.journal }

    /// `<data>/quarantine`.
    public var quarantinePath: String { path + "/" + FileNames.quarantine }

    /// `<data>/RESERVE`.
    public var reservePath: String { path + "/" + FileNames.reserve }

    /// `<data>/LOCK`.
    public var lockPath: String { path + "/" + FileNames.lock }

    /// Whether the directory exists and looks like a store (has `partitions/`).
    public var exists: Bool {
        var st = stat()
        return stat(partitionsPath, &st) == 0
    }
}

/// One partition: the events of one UTC hour of event time.
public struct PartitionInfo: Sendable, Equatable {
    /// Folder name, e.g. `2026-11-24T12`.
    public var name: String
    /// Start of the hour, ns UTC.
    public var start: Int64
    /// End of the hour (inclusive), ns UTC.
    public var end: Int64 { start + Timestamp.nanosPerHour - 1 }
}
