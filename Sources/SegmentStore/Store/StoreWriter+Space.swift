#if canImport(Glibc)
import Glibc
#endif

/// Room to free room: a full disk must not keep retention from deleting old data, yet
/// retention records every removal in the chain first (a small append), and the file system
/// may refuse even that. `<data>/RESERVE` holds ``Limits/reserveBytes`` for that moment.
extension StoreWriter {
    /// Creates `<data>/RESERVE` with its blocks allocated when it is missing. Best effort: on a
    /// disk already full it is left for a later writer.
    func ensureReserve() {
        let path = directory.reservePath
        guard !FileHandle.exists(path) else { return }
        guard let file = try? FileHandle.create(path) else { return }
        defer { file.close() }
        do {
            try file.allocate(size: Limits.reserveBytes)
            try file.sync()
            try FileHandle.syncDirectory(directory.path)
        } catch {
            try? FileHandle.remove(path)
        }
    }

    /// Runs `body`; when it fails for want of space and the reserve is there, removes the
    /// reserve (recorded in ``spaceReleased``) and runs `body` once more.
    func withReserve<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError where error.isNoSpace && FileHandle.exists(directory.reservePath) {
            try FileHandle.remove(directory.reservePath)
            try FileHandle.syncDirectory(directory.path)
            spaceReleased = true
            return try body()
        }
    }

    /// Forgets a rewrite of `partition` that failed for want of space: its chain entries not
    /// yet durable, and its `.tmp`. Whatever of it was already durable is finished or removed
    /// by the next open, as after a crash.
    func abandonRewrite(partition: String) {
        ledger.discardPending()
        let folder = directory.partitionPath(partition)
        for name in (try? FileHandle.listDirectory(folder)) ?? [] where name.hasSuffix(FileNames.temporarySuffix) {
            try? FileHandle.remove(folder + "/" + name)
        }
    }
}
