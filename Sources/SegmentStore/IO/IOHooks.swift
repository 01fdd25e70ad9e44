/// One file-system operation of the store, as the I/O seam sees it before it happens.
///
/// Tests install an ``IOObserver`` to record these (and replay them as a power loss would
/// leave the disk) or to make one of them fail (write errors, full disks, fsync failures).
public enum IOOperation: Sendable, Equatable {
    /// A new file was created (empty).
    case create(path: String)
    /// `bytes` written at byte `offset` of `path` (page cache only until a `sync`).
    case write(path: String, offset: Int, bytes: [UInt8])
    /// `path` cut to `size` bytes.
    case truncate(path: String, size: Int)
    /// fsync of a file: its data is durable.
    case sync(path: String)
    /// fsync of a directory: its entries (creates, renames, removals) are durable.
    case syncDirectory(path: String)
    /// A directory was created.
    case makeDirectory(path: String)
    /// `from` renamed over `to` (atomically replacing it).
    case rename(from: String, to: String)
    /// A file was removed.
    case remove(path: String)
    /// An empty directory was removed.
    case removeDirectory(path: String)
    /// A second name `to` for the file `from` (a hard link); durable once `to`'s folder is synced.
    case link(from: String, to: String)
    /// `size` bytes of zeros allocated from the start of `path` (posix_fallocate).
    case allocate(path: String, size: Int)
}

/// Sees every file-system operation of the store before it is carried out, and may make it
/// fail as the system call would.
public protocol IOObserver: AnyObject, Sendable {
    /// Called before `operation`; returns 0 to let it happen, or an errno (`EIO`, `ENOSPC`, …)
    /// to make it fail with that error without touching the disk.
    func willPerform(_ operation: IOOperation) -> Int32
}

/// The store's test seam under its file I/O. Production code never sets it; when nil (the
/// default) each operation costs one load and compare.
public enum IOHooks {
    /// The observer, installed by tests for the span of one scenario. Not synchronized: set it
    /// before the store runs and clear it after, never while a writer is running.
    nonisolated(unsafe) public static var observer: (any IOObserver)?

    /// The errno an installed observer wants `operation` to fail with, else 0.
    @inline(__always)
    static func failure(_ operation: @autoclosure () -> IOOperation) -> Int32 {
        guard let observer else { return 0 }
        return observer.willPerform(operation())
    }
}
