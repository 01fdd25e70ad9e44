#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory map of a whole file: readers use blocks in place instead of copying
/// them out of the page cache. The store never truncates or rewrites a segment in place (new
/// data is appended; compaction writes a new file and renames), so a mapping stays valid.
public final class MappedFile: @unchecked Sendable {
    // Read-only after init; the mapping is shared by the threads that decode its blocks.
    private let base: UnsafeMutableRawPointer?
    /// Mapped length in bytes.
    public let count: Int
    /// The file's path, for reports of damage found while reading it.
    public let path: String

    /// Maps the first `count` bytes of `fd` (the file's size when opened).
    init(fd: Int32, count: Int, path: String) throws {
        self.count = count
        self.path = path
        guard count > 0 else {
            base = nil
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw StoreError.io("map", path, errno: errno) }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// `madvise(MADV_DONTNEED)` over the whole pages inside `range`: safe on a read-only shared
    /// file mapping (a later read faults the page back in from the file).
    func dropPages(_ range: Range<Int>) {
        guard let base, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(base + start, end - start, MADV_DONTNEED)
    }

    /// The mapped bytes.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }
}

/// A block body inside a mapped segment: the mapping stays alive as long as the body does.
public struct BlockBody: @unchecked Sendable {
    // The mapping is immutable and read from several threads.
    let file: MappedFile
    let range: Range<Int>

    /// Lets the kernel drop this body's pages from the process (they stay in the page cache and
    /// are read back from the file if touched again): keeps a long scan's resident memory to the
    /// blocks in flight, not every block it has read.
    public func dropPages() {
        file.dropPages(range)
    }

    /// The body's bytes.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[range])
    }

    /// The segment file the block is in.
    public var segmentPath: String { file.path }

    /// Byte offset of the block's frame in its segment: where a damaged block is reported.
    public var frameOffset: Int { range.lowerBound - SegmentFormat.frameHeaderSize }

    /// Whether the CRC-32 of the whole body matches its frame's: every byte checked, for
    /// answers that use a block without reading its columns (counts from its summary).
    public var frameIntact: Bool {
        var r = ByteReader(file.bytes, offset: frameOffset + 8)
        return r.u32() == Deflate.crc32(bytes)
    }
}
