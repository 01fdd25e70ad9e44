#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being written: created under a hidden temporary name beside its final path and renamed
/// into place by `commit()`, so tools that glob the output never see a half-written file.
final class OutputFile {
    /// Where the file will be once committed.
    let path: String
    private let temporaryPath: String
    private var fd: Int32
    /// Bytes written so far.
    private(set) var size = 0

    /// Creates the file (and its parent directories).
    init(path: String) throws(GenError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        try FileSystem.makeDirectories(directory)
        self.path = path
        temporaryPath = directory + "/." + name + ".tmp"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GenError.io("create", temporaryPath, errno: errno) }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    /// Appends all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(GenError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw GenError.io("write", temporaryPath, errno: errno)
            }
            done += n
        }
        size += bytes.count
    }

    /// Appends the first `count` bytes of `bytes` (all of them by default).
    func write(_ bytes: [UInt8], count: Int? = nil) throws(GenError) {
        var failure: GenError?
        bytes.withUnsafeBytes { raw in
            do throws(GenError) { try write(UnsafeRawBufferPointer(rebasing: raw[0..<(count ?? raw.count)])) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Closes the file and moves it to its final path.
    func commit() throws(GenError) {
        let descriptor = fd
        fd = -1
        guard close(descriptor) == 0 else { throw GenError.io("close", temporaryPath, errno: errno) }
        guard rename(temporaryPath, path) == 0 else { throw GenError.io("rename", temporaryPath, errno: errno) }
    }
}

/// The few file-system operations besides writing files.
enum FileSystem {
    /// Creates `path` and its missing parents (`mkdir -p`).
    static func makeDirectories(_ path: String) throws(GenError) {
        if isDirectory(path) { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw GenError.io("create directory", path, errno: errno)
        }
    }

    /// True when `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// True when `path` exists as anything at all.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// True when `path` is a directory holding at least one entry.
    static func isNonEmptyDirectory(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { return true }
        }
        return false
    }
}
