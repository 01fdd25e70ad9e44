#if canImport(Glibc)
import Glibc
#endif

/// Expands the paths a user names into the files to read: files as given, directories
/// recursively (sorted, hidden entries skipped), `-` for stdin.
public enum PathCollector {
    /// One input to read.
    public enum Input: Equatable, Sendable {
        case file(String)
        case stdin
    }

    /// The inputs under `paths`, in order; throws for a path that does not exist.
    public static func expand(_ paths: [String]) throws -> [Input] {
        var out: [Input] = []
        for path in paths {
            if path == "-" {
                out.append(.stdin)
                continue
            }
            var st = stat()
            guard stat(path, &st) == 0 else { throw IngestError.notFound(path) }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try walk(path, into: &out)
            } else {
                out.append(.file(path))
            }
        }
        return out
    }

    private static func walk(_ directory: String, into out: inout [Input]) throws {
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
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: try walk(path, into: &out)
            case S_IFREG: out.append(.file(path))
            default: continue
            }
        }
    }
}
