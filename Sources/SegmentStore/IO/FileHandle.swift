#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX file descriptor with the few operations the store needs, each throwing a
/// ``StoreError`` that names the file. This is the seam under the store's file I/O.
public final class FileHandle {
    /// The file's path, for messages.
    public let path: String
    let fd: Int32
    private var closed = false

    init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        if !closed { _ = Glibc.close(fd) }
    }

    /// Opens an existing file for reading.
    public static func openForReading(_ path: String) throws -> FileHandle {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("open", path, errno: errno) }
        return FileHandle(path: path, fd: fd)
    }

    /// Creates a new file for writing; fails if it exists (a writer never overwrites).
    public static func create(_ path: String) throws -> FileHandle {
        let injected = IOHooks.failure(.create(path: path))
        guard injected == 0 else { throw StoreError.io("create", path, errno: injected) }
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("create", path, errno: errno) }
        return FileHandle(path: path, fd: fd)
    }

    /// Opens an existing file for reading and writing (appends to the chain ledger).
    public static func openForUpdate(_ path: String) throws -> FileHandle {
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("open", path, errno: errno) }
        return FileHandle(path: path, fd: fd)
    }

    /// Opens `path` for writing at its end, creating it when missing (`created` then says so:
    /// its folder must be synced for the new name to be durable).
    public static func openForAppend(_ path: String) throws -> (handle: FileHandle, created: Bool) {
        let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        if fd >= 0 { return (FileHandle(path: path, fd: fd), false) }
        guard errno == ENOENT else { throw StoreError.io("open", path, errno: errno) }
        return (try create(path), true)
    }

    /// Appends `bytes` to the file at `path` (created when missing) and makes them durable:
    /// fsync of the file, and of its folder when the file is new. For the small side files of a
    /// store (quarantine, correlation table): every step goes through ``IOHooks``.
    public static func appendDurably(_ bytes: [UInt8], to path: String) throws {
        let (file, created) = try openForAppend(path)
        defer { file.close() }
        let end = try file.size()
        try bytes.withUnsafeBytes { try file.write($0, at: end) }
        try file.sync()
        if created { try syncDirectory(parent(of: path)) }
    }

    /// Replaces the file at `path` with `bytes` atomically and durably: `path.tmp` written and
    /// fsync'd, renamed over `path`, the folder fsync'd.
    public static func replaceDurably(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        try remove(temporary)
        let file = try create(temporary)
        do {
            try bytes.withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try rename(temporary, to: path)
        try syncDirectory(parent(of: path))
    }

    /// The folder of `path` (`.` for a bare name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Gives the file at `from` a second name `to` (a hard link; fails if `to` exists).
    /// Durable once `to`'s folder is synced.
    public static func link(_ from: String, to: String) throws {
        let injected = IOHooks.failure(.link(from: from, to: to))
        guard injected == 0 else { throw StoreError.io("link", from, errno: injected) }
        guard Glibc.link(from, to) == 0 else { throw StoreError.io("link \(from) to", to, errno: errno) }
    }

    /// Allocates `size` bytes of real blocks from the start of the file (not a sparse file:
    /// the space exists, to be given back later).
    public func allocate(size: Int) throws {
        let injected = IOHooks.failure(.allocate(path: path, size: size))
        guard injected == 0 else { throw StoreError.io("allocate", path, errno: injected) }
        let result = posix_fallocate(fd, 0, off_t(size))
        guard result == 0 else { throw StoreError.io("allocate", path, errno: result) }
    }

    /// Opens (creating if needed) a file for locking.
    static func openLockFile(_ path: String) throws -> FileHandle {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("open", path, errno: errno) }
        return FileHandle(path: path, fd: fd)
    }

    /// Takes an exclusive lock without waiting; false when another process holds it.
    func tryLockExclusive() throws -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw StoreError.io("lock", path, errno: errno)
    }

    /// Takes a shared lock without waiting (and releases it on close); false when a writer holds
    /// the exclusive one.
    func tryLockShared() throws -> Bool {
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw StoreError.io("lock", path, errno: errno)
    }

    /// Maps the first `count` bytes of the file read-only.
    func map(count: Int) throws -> MappedFile {
        try MappedFile(fd: fd, count: count, path: path)
    }

    /// The file's size in bytes.
    public func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.io("stat", path, errno: errno) }
        return Int(st.st_size)
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        let injected = IOHooks.failure(.write(path: path, offset: offset, bytes: Array(bytes)))
        guard injected == 0 else { throw StoreError.io("write", path, errno: injected) }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io("write", path, errno: errno)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (replacing its contents); fewer at EOF.
    public func read(into buffer: inout [UInt8], count: Int, at offset: Int) throws {
        guard count > 0 else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var failure: Int32 = 0
        buffer = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            // pread fills our own freshly allocated buffer; `initialized` is what it filled.
            var got = 0
            while got < count {
                let n = pread(fd, out.baseAddress! + got, count - got, off_t(offset + got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if failure != 0 { throw StoreError.io("read", path, errno: failure) }
    }

    /// Forces the file's data to stable storage. A failure is final: see ``StoreError/fsyncFailed(_:errno:)``.
    public func sync() throws {
        let injected = IOHooks.failure(.sync(path: path))
        guard injected == 0 else { throw StoreError.fsyncFailed(path, errno: injected) }
        guard fsync(fd) == 0 else { throw StoreError.fsyncFailed(path, errno: errno) }
    }

    /// Closes the descriptor.
    public func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(fd)
    }

    /// Forces a directory's entries (new files, renames) to stable storage.
    public static func syncDirectory(_ path: String) throws {
        let injected = IOHooks.failure(.syncDirectory(path: path))
        guard injected == 0 else { throw StoreError.fsyncFailed(path, errno: injected) }
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("open directory", path, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.fsyncFailed(path, errno: errno) }
    }

    /// Creates a directory if missing; returns true when it was created.
    @discardableResult
    public static func makeDirectory(_ path: String) throws -> Bool {
        var st = stat()
        if stat(path, &st) == 0 { return false }
        let injected = IOHooks.failure(.makeDirectory(path: path))
        guard injected == 0 else { throw StoreError.io("create directory", path, errno: injected) }
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw StoreError.io("create directory", path, errno: errno)
    }

    /// Cuts the file to `size` bytes. Only for files that are never mapped (the chain ledger):
    /// segments are append-only because readers map them.
    public func truncate(to size: Int) throws {
        let injected = IOHooks.failure(.truncate(path: path, size: size))
        guard injected == 0 else { throw StoreError.io("truncate", path, errno: injected) }
        guard ftruncate(fd, off_t(size)) == 0 else { throw StoreError.io("truncate", path, errno: errno) }
    }

    /// Renames `from` to `to`, atomically replacing `to`. Durable once the folder is synced.
    public static func rename(_ from: String, to: String) throws {
        let injected = IOHooks.failure(.rename(from: from, to: to))
        guard injected == 0 else { throw StoreError.io("rename", from, errno: injected) }
        guard Glibc.rename(from, to) == 0 else { throw StoreError.io("rename \(from) to", to, errno: errno) }
    }

    /// Removes a file; a missing file is not an error. Durable once the folder is synced.
    public static func remove(_ path: String) throws {
        let injected = IOHooks.failure(.remove(path: path))
        guard injected == 0 else { throw StoreError.io("remove", path, errno: injected) }
        guard unlink(path) == 0 || errno == ENOENT else { throw StoreError.io("remove", path, errno: errno) }
    }

    /// Removes an empty directory; a missing one is not an error.
    public static func removeDirectory(_ path: String) throws {
        let injected = IOHooks.failure(.removeDirectory(path: path))
        guard injected == 0 else { throw StoreError.io("remove directory", path, errno: injected) }
        guard rmdir(path) == 0 || errno == ENOENT else { throw StoreError.io("remove directory", path, errno: errno) }
    }

    /// Whether `path` exists.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The names in a directory (without `.` and `..`), or nil if it does not exist.
    public static func listDirectory(_ path: String) throws -> [String]? {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return nil }
            throw StoreError.io("list", path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
