#if canImport(Glibc)
import Glibc
#endif

/// The CloudTrail log and digest files found in a local copy of a trail's bucket.
public struct LocalTrail: Sendable {
    /// One file of the copy.
    public struct File: Sendable {
        /// Its path on disk (the root given, joined with the folders below it).
        public var path: String
        public var key: TrailKey
    }

    /// Log files by ``TrailKey/awsLogsKey``.
    public var logs: [String: File] = [:]
    /// Digest files by ``TrailKey/awsLogsKey``.
    public var digests: [String: File] = [:]
    /// Keys found at more than one local path (a copy holding two buckets, say): each pair is
    /// the kept path and the ignored one.
    public var duplicates: [(kept: String, ignored: String)] = []

    /// Walks `root` and collects every `AWSLogs/…/CloudTrail[-Digest]/<region>/…/*.json.gz`.
    /// `root` may be the bucket's folder, a folder above it, or the `AWSLogs` folder's parent.
    /// Symbolic links to files are followed; links to folders are not (no cycles).
    public static func scan(root: String) throws -> LocalTrail {
        var trail = LocalTrail()
        var st = stat()
        guard stat(root, &st) == 0 else { throw TrailVerifyError.cannotOpen(root, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw TrailVerifyError.cannotOpen(root, errno: ENOTDIR) }
        // A root that is itself `…/AWSLogs` still yields `AWSLogs/…` keys from its own name.
        try walk(root, into: &trail)
        return trail
    }

    private static func walk(_ directory: String, into trail: inout LocalTrail) throws {
        guard let dir = opendir(directory) else { throw TrailVerifyError.cannotOpen(directory, errno: errno) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        // Sorted so that which of two duplicates is kept does not depend on the file system.
        for name in names.sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            if type == S_IFDIR {
                try walk(path, into: &trail)
                continue
            }
            if type == S_IFLNK {
                guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            } else if type != S_IFREG {
                continue
            }
            guard let key = TrailKey(path: path) else { continue }
            trail.add(File(path: path, key: key))
        }
    }

    private mutating func add(_ file: File) {
        let existing = file.key.kind == .log ? logs[file.key.awsLogsKey] : digests[file.key.awsLogsKey]
        if let existing {
            duplicates.append((kept: existing.path, ignored: file.path))
        } else if file.key.kind == .log {
            logs[file.key.awsLogsKey] = file
        } else {
            digests[file.key.awsLogsKey] = file
        }
    }
}
