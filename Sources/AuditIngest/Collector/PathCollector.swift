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

    /// The inputs under `paths`, in order; throws for a path that does not exist or a
    /// pattern that matches nothing.
    public static func expand(_ paths: [String], pruning: S3Pruning = S3Pruning()) throws -> [Input] {
        var pruned = 0
        return try expand(paths, pruning: pruning, pruned: &pruned)
    }

    /// The inputs under `paths`, adding to `pruned` each file or folder the pruning left out.
    public static func expand(_ paths: [String], pruning: S3Pruning, pruned: inout Int) throws -> [Input] {
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
                out += try expand(matches, pruning: pruning, pruned: &pruned)
                continue
            }
            guard pruning.allows(path) else {
                pruned += 1
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try walk(path, pruning: pruning, pruned: &pruned, into: &out)
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

    private static func walk(_ directory: String, pruning: S3Pruning, pruned: inout Int, into out: inout [Input]) throws {
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
            case S_IFDIR: try walk(path, pruning: pruning, pruned: &pruned, into: &out)
            case S_IFREG: out.append(.file(path))
            default: continue
            }
        }
    }
}
