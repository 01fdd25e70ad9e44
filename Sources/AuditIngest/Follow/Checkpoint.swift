import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Where follow mode stopped reading one path: the file's identity (device, inode) and the
/// offset just past the last line whose events are durable. Stored in
/// `<data>/checkpoints/<hash of the path>.ckpt` as one text line
/// `<dev> <ino> <offset> <path>`, replaced atomically (write, fsync, rename) and only after
/// the store committed the events before `offset`.
public struct Checkpoint: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: Int

    /// The checkpoint file of `path` in `directory`.
    static func file(for path: String, in directory: DataDirectory) -> String {
        var hasher = Hash64()
        hasher.combine(path)
        return directory.path + "/" + FileNames.checkpoints + "/" + String(hasher.finalize(), radix: 16) + ".ckpt"
    }

    /// The saved checkpoint of `path`, or nil.
    static func load(for path: String, in directory: DataDirectory) -> Checkpoint? {
        let fd = open(file(for: path, in: directory), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let fields = String(decoding: bytes[0..<n], as: UTF8.self).split(separator: " ", maxSplits: 3)
        guard fields.count >= 3, let dev = UInt64(fields[0]), let ino = UInt64(fields[1]), let offset = Int(fields[2]) else { return nil }
        return Checkpoint(device: dev, inode: ino, offset: offset)
    }

    /// Saves this checkpoint for `path` atomically and durably.
    func save(for path: String, in directory: DataDirectory) throws {
        let folder = directory.path + "/" + FileNames.checkpoints
        // Through the store's I/O layer: power-loss and fault tests see these writes too.
        do {
            if try FileHandle.makeDirectory(folder) { try FileHandle.syncDirectory(directory.path) }
            try FileHandle.replaceDurably(Self.file(for: path, in: directory), with: Array("\(device) \(inode) \(offset) \(path)\n".utf8))
        } catch let error as StoreError {
            throw IngestError.cannotWrite(error)
        }
    }
}
