extension StoreVerifier {
    /// What `logq verify --data A --data B` says across stores, besides each store's own report:
    /// a shipped copy whose chain is a prefix of another store's is that store's copy (a note
    /// with how far behind it is); a shipped copy that names one of the stores as its source
    /// while its chain is not a prefix of that store's chain is a problem (one of the two
    /// histories was rewritten).
    public static func crossCheck(_ directories: [DataDirectory]) throws -> (problems: [String], notes: [String]) {
        var problems: [String] = []
        var notes: [String] = []
        let chains = try directories.map { try SegmentShipper.readAll($0.chainPath) ?? [] }
        for (k, copy) in directories.enumerated() where ShipManifest.isShipped(copy) {
            let manifest = try ShipManifest(directory: copy)
            var matched = false
            for (j, origin) in directories.enumerated() where j != k && !chains[k].isEmpty {
                let theirs = chains[j]
                if theirs.count >= chains[k].count && Array(theirs[0..<chains[k].count]) == chains[k] {
                    matched = true
                    let mine = try ChainLedger(path: copy.chainPath).entries.count
                    let all = try ChainLedger(path: origin.chainPath).entries.count
                    notes.append(
                        "\(copy.path) is a copy shipped from \(origin.path): its chain is the first \(mine) of \(all) entries\(mine == all ? " (up to date)" : " (ship again for the rest)")")
                }
            }
            let named = directories.first { SegmentShipper.canonical($0.path) == manifest.source }
            if !matched, let named {
                problems.append(
                    "\(copy.path) was shipped from \(named.path) but its chain is not a prefix of that store's: one of the two histories was rewritten")
            }
        }
        return (problems, notes)
    }
}
