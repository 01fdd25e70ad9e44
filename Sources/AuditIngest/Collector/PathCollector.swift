#if canImport(Glibc)
import Glibc
#endif

/// Expands the paths a user names into the files to read: files as given, directories
/// recursively (sorted, hidden entries skipped), glob patterns (`logs/*.json.gz`, expanded
/// here so that quoting them past the shell works, and so that patterns too long for a
/// command line work), `-` for stdin. Files and folders of the CloudTrail S3 layout that
/// ``S3Pruning`` excludes are left out.
public enum PathCollector {
    /// One input to read.
    public enum Input: Equatable, Sendable {
        case file(String)
        case stdin
    }

    /// A directory, by device and inode: what a walk has entered, whatever path led there.
    struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The inputs under `paths`, in order; throws for a path that does not exist or a
    /// pattern that matches nothing. Each directory is read once, however many symlinks lead
    /// to it: a second way in (a symlink loop, an alias) is left out and reported once to
    /// `onSkip(path, reason)`.
    public static func expand(
        _ paths: [String], pruning: S3Pruning = S3Pruning(), onSkip: (_ path: String, _ reason: String) -> Void = { _, _ in }
    ) throws -> [Input] {
        var pruned = 0
        return try expand(paths, pruning: pruning, pruned: &pruned, onSkip: onSkip)
    }

    /// The same, adding to `pruned` each file or folder the pruning left out.
    public static func expand(
        _ paths: [String], pruning: S3Pruning, pruned: inout Int, onSkip: (_ path: String, _ reason: String) -> Void = { _, _ in }
    ) throws -> [Input] {
        var visited: [DirectoryID: String] = [:]
        return try expand(paths, pruning: pruning, visited: &visited, pruned: &pruned, onSkip: onSkip)
    }

    private static func expand(
        _ paths: [String], pruning: S3Pruning, visited: inout [DirectoryID: String], pruned: inout Int, onSkip: (String, String) -> Void
    ) throws -> [Input] {
        var out: [Input] = []
        for path in paths {
            if path == "-" {
                out.append(.stdin)
                continue
            }
            var st = stat()
            if stat(path, &st) != 0 {
                guard isPattern(path) else { throw IngestError.notFound(path) }
                let matches = glob(path)
                guard !matches.isEmpty else { throw IngestError.noMatch(path) }
                out += try expand(matches, pruning: pruning, visited: &visited, pruned: &pruned, onSkip: onSkip)
                continue
            }
            guard pruning.allows(path) else {
                pruned += 1
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try enter(path, st, pruning: pruning, visited: &visited, pruned: &pruned, onSkip: onSkip, into: &out)
            } else {
                out.append(.file(path))
            }
        }
        return out
    }

    /// Whether `path` holds glob characters.
    static func isPattern(_ path: String) -> Bool {
        path.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// The sorted paths matching `pattern` (glob(3)).
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var out: [String] = []
        for k in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[k] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }

    /// Walks the directory `path` (whose `stat` is `st`) unless it was walked already.
    private static func enter(
        _ path: String, _ st: stat, pruning: S3Pruning, visited: inout [DirectoryID: String], pruned: inout Int,
        onSkip: (String, String) -> Void, into out: inout [Input]
    ) throws {
        let id = DirectoryID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        if let first = visited[id] {
            let loop = path.hasPrefix(first + "/")
            onSkip(path, loop ? "a directory symlink loop back to \(first), already read" : "the same directory as \(first), already read")
            return
        }
        visited[id] = path
        try walk(path, pruning: pruning, visited: &visited, pruned: &pruned, onSkip: onSkip, into: &out)
    }

    private static func walk(
        _ directory: String, pruning: S3Pruning, visited: inout [DirectoryID: String], pruned: inout Int,
        onSkip: (String, String) -> Void, into out: inout [Input]
    ) throws {
        guard let dir = opendir(directory) else { throw IngestError.cannotOpen(directory, errno: errno) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(dir)
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for name in names.sorted() {
            let path = base + "/" + name
            guard pruning.allows(path) else {
                pruned += 1
                continue
            }
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: try enter(path, st, pruning: pruning, visited: &visited, pruned: &pruned, onSkip: onSkip, into: &out)
            case S_IFREG: out.append(.file(path))
            default: continue
            }
        }
    }
}
