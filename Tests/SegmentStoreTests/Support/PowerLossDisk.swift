import SegmentStore
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Records every file-system operation of the store (through ``IOHooks``) and rebuilds, for any
/// prefix of them, what a disk could hold after the power failed right there — the approach of
/// SQLite's TH3 and of LazyFS:
///
/// - file data reaches the disk only through `fsync` of that file; writes after the last fsync
///   are lost, or (other variants) persisted in order up to a point and torn at a 512 B or
///   4 KiB boundary, or all persisted (which is what a process kill leaves);
/// - a create, rename or removal reaches the disk only through `fsync` of its folder; before
///   that it may be lost (strict variant) or kept.
///
/// The rebuilt tree is written as real files into a fresh folder, where the real store code
/// reopens it.
final class PowerLossDisk: IOObserver, @unchecked Sendable {
    /// How a crash treats what was not made durable.
    enum Variant: CaseIterable {
        /// Everything not fsync'd is lost.
        case strict
        /// Unsynced writes persist in order up to a seeded point, the last one torn at a sector
        /// (512 B) or page (4 KiB) boundary; unsynced names are lost.
        case torn
        /// Everything reached the page cache and the disk (a process crash, `kill -9`).
        case processCrash
    }

    private final class Inode {
        var data: [UInt8] = []
        var durable: [UInt8] = []
        /// Writes since the last fsync, in order: (offset, bytes) or a truncation (bytes nil).
        var pending: [(offset: Int, bytes: [UInt8]?)] = []
    }

    /// Every recorded operation, in order.
    private(set) var operations: [IOOperation] = []
    /// The next operation that matches fails with this errno (once).
    var pendingFailure: (errno: Int32, matches: (IOOperation) -> Bool)?
    private let root: String

    /// Records operations under `root` (the parent of the data directory, taken as durable).
    init(root: String) {
        self.root = root
    }

    func willPerform(_ operation: IOOperation) -> Int32 {
        // Other tests run store code at the same time in their own folders: ignore them.
        let path = Self.path(of: operation)
        guard path == root || path.hasPrefix(root + "/") else { return 0 }
        if let failure = pendingFailure, failure.matches(operation) {
            pendingFailure = nil
            return failure.errno
        }
        operations.append(operation)
        return 0
    }

    private static func path(of operation: IOOperation) -> String {
        switch operation {
        case .create(let path), .write(let path, _, _), .truncate(let path, _), .sync(let path), .syncDirectory(let path),
            .makeDirectory(let path), .remove(let path), .removeDirectory(let path):
            path
        case .rename(let from, _), .link(let from, _):
            from
        case .allocate(let path, _):
            path
        }
    }

    /// The number of operations so far: a crash point.
    var count: Int { operations.count }

    /// Writes into `target` what the disk holds after a power failure once the first `prefix`
    /// operations happened. Paths under `root` map to the same paths under `target`.
    func materialize(prefix: Int, variant: Variant, seed: UInt64, into target: String) {
        var rng = SeededGenerator(seed: seed)
        var volatileNames: [String: Inode] = [:]
        var durableNames: [String: Inode] = [:]
        var volatileDirectories: Set<String> = [root]
        var durableDirectories: Set<String> = [root]
        for operation in operations[0..<prefix] {
            switch operation {
            case .create(let path):
                volatileNames[path] = Inode()
            case .write(let path, let offset, let bytes):
                guard let inode = volatileNames[path] else { continue }
                Self.apply(&inode.data, offset: offset, bytes: bytes)
                inode.pending.append((offset, bytes))
            case .truncate(let path, let size):
                guard let inode = volatileNames[path] else { continue }
                inode.data = Array(inode.data.prefix(size))
                inode.pending.append((size, nil))
            case .sync(let path):
                guard let inode = volatileNames[path] else { continue }
                inode.durable = inode.data
                inode.pending = []
            case .syncDirectory(let folder):
                for (name, inode) in volatileNames where Self.parent(name) == folder { durableNames[name] = inode }
                for name in durableNames.keys where Self.parent(name) == folder && volatileNames[name] == nil {
                    durableNames[name] = nil
                }
                for dir in volatileDirectories where Self.parent(dir) == folder { durableDirectories.insert(dir) }
                for dir in durableDirectories where Self.parent(dir) == folder && !volatileDirectories.contains(dir) {
                    durableDirectories.remove(dir)
                }
            case .makeDirectory(let path):
                volatileDirectories.insert(path)
            case .rename(let from, let to):
                volatileNames[to] = volatileNames[from]
                volatileNames[from] = nil
            case .remove(let path):
                volatileNames[path] = nil
            case .removeDirectory(let path):
                volatileDirectories.remove(path)
            case .link(let from, let to):
                // One inode under two names.
                volatileNames[to] = volatileNames[from]
            case .allocate(let path, let size):
                guard let inode = volatileNames[path], inode.data.count < size else { continue }
                let zeros = [UInt8](repeating: 0, count: size - inode.data.count)
                let offset = inode.data.count
                Self.apply(&inode.data, offset: offset, bytes: zeros)
                inode.pending.append((offset, zeros))
            }
        }
        let names = variant == .processCrash ? volatileNames : durableNames
        let directories = variant == .processCrash ? volatileDirectories : durableDirectories
        for dir in directories.sorted(by: { $0.count < $1.count }) where dir != root {
            // A folder whose parent was lost is lost with it.
            guard Self.ancestors(of: dir).allSatisfy({ directories.contains($0) || $0.count < root.count }) else { continue }
            mkdir(target + dir.dropFirst(root.count), 0o755)
        }
        for (path, inode) in names {
            guard directories.contains(Self.parent(path)) else { continue }
            var content: [UInt8]
            switch variant {
            case .strict:
                content = inode.durable
            case .processCrash:
                content = inode.data
            case .torn:
                content = inode.durable
                let applied = inode.pending.isEmpty ? 0 : Int.random(in: 0...inode.pending.count, using: &rng)
                for (k, write) in inode.pending[0..<applied].enumerated() {
                    guard let bytes = write.bytes else {
                        content = Array(content.prefix(write.offset))
                        continue
                    }
                    if k == applied - 1 {
                        // The last write reaches the disk only up to a sector or page boundary.
                        let unit = Bool.random(using: &rng) ? 512 : 4096
                        let end = write.offset + bytes.count
                        let cut = max(write.offset, (Int.random(in: write.offset...end, using: &rng) / unit) * unit)
                        Self.apply(&content, offset: write.offset, bytes: Array(bytes.prefix(cut - write.offset)))
                    } else {
                        Self.apply(&content, offset: write.offset, bytes: bytes)
                    }
                }
            }
            let file = target + path.dropFirst(root.count)
            let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            precondition(fd >= 0, "cannot create \(file)")
            content.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    private static func apply(_ data: inout [UInt8], offset: Int, bytes: [UInt8]) {
        if data.count < offset + bytes.count { data += [UInt8](repeating: 0, count: offset + bytes.count - data.count) }
        data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    private static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var current = parent(path)
        while current.count > 1 {
            out.append(current)
            current = parent(current)
        }
        return out
    }
}
