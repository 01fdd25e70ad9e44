import AuditCore
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// The quarantine file of rejected input (``FileNames/rejects`` in the data directory): one
/// JSON object per line,
/// `{"at":"<ingest time>","file":…,"line":…,"offset":…,"reason":…,"length":…,"raw":"…"}`,
/// where `raw` is the rejected bytes as a JSON string (`raw_base64` instead when they are not
/// UTF-8) and `length` their full size (a value longer than ``Rejection/maxKeptBytes`` keeps
/// its start only). Appended by ingest, listed by `logq rejects`; nothing rejected is lost
/// silently. A reject already in the file (same input, offset, reason and bytes) is not added
/// again, so re-ingesting an input does not repeat its rejects.
public final class Quarantine {
    /// The file's path.
    public let path: String
    private var pending: [UInt8] = []
    private let at: String
    /// The rejects in the file and added since: read on the first ``add(_:)``.
    private var seen: Set<Key>?

    /// What makes two rejects the same: input, offset, reason, and a hash of the bytes.
    private struct Key: Hashable {
        var file: String
        var offset: Int
        var reason: String
        var length: Int
        var bytes: UInt64

        init(_ rejection: Rejection) {
            file = rejection.file
            offset = rejection.offset
            reason = rejection.reason
            length = rejection.length
            bytes = Hash64.hash(rejection.raw)
        }
    }

    public init(directory: DataDirectory, now: Int64) {
        path = directory.path + "/" + FileNames.rejects
        at = Timestamp.format(now, fractionDigits: 3)
    }

    /// Adds `rejection` (written by ``flush()``).
    public func add(_ rejection: Rejection) {
        if seen == nil { seen = Set(Self.read(path: path).map { Key($0.rejection) }) }
        guard seen!.insert(Key(rejection)).inserted else { return }
        // Moved out and back so that appending does not copy the buffer.
        var out = pending
        pending = []
        out.append(contentsOf: #"{"at":"#.utf8)
        Self.appendString(at, to: &out)
        out.append(contentsOf: #","file":"#.utf8)
        Self.appendString(rejection.file, to: &out)
        out.append(contentsOf: ",\"line\":\(rejection.line),\"offset\":\(rejection.offset),\"reason\":".utf8)
        Self.appendString(rejection.reason, to: &out)
        out.append(contentsOf: ",\"length\":\(rejection.length),".utf8)
        if let text = String(validating: rejection.raw, as: UTF8.self) {
            out.append(contentsOf: #""raw":"#.utf8)
            Self.appendString(text, to: &out)
        } else {
            out.append(contentsOf: #""raw_base64":""#.utf8)
            out.append(contentsOf: Self.base64(rejection.raw))
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: "}\n".utf8)
        pending = out
        if pending.count > 1 << 20 { try? flush() }
    }

    /// Appends what was added to the file and fsyncs it.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        // Through the store's I/O layer: power-loss and fault tests see these writes too.
        do {
            try FileHandle.appendDurably(pending, to: path)
        } catch let error as StoreError {
            throw IngestError.cannotWrite(error)
        }
        pending.removeAll()
    }

    /// One entry of the file.
    public struct Entry: Sendable {
        public var at: String
        public var rejection: Rejection
    }

    /// The entries of the quarantine at `path` (none when it does not exist). A line that is
    /// not an entry (a torn last line after a crash) is skipped.
    public static func read(path: String) -> [Entry] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        let source = FileSource(fd: fd, name: path)
        defer { close(fd) }
        var reader = JSONValueReader(source: source)
        reader.maxLineBytes = Rejection.maxKeptBytes * 8
        var entries: [Entry] = []
        while let item = reader.next() {
            guard case .value(let range, _, _) = item else { continue }
            reader.buffer.withUnsafeBufferPointer { b in
                var at = "", file = "", reason = "", raw: [UInt8] = []
                var line = 0, offset = 0, length = 0
                _ = try? JSONScanner.walkObject(b, range.lowerBound) { k, v in
                    if JSONScanner.keyEquals(b, k, "at") { at = JSONScanner.string(b, v) ?? "" }
                    else if JSONScanner.keyEquals(b, k, "file") { file = JSONScanner.string(b, v) ?? "" }
                    else if JSONScanner.keyEquals(b, k, "reason") { reason = JSONScanner.string(b, v) ?? "" }
                    else if JSONScanner.keyEquals(b, k, "line") { line = Int(JSONScanner.scalarText(b, v) ?? "") ?? 0 }
                    else if JSONScanner.keyEquals(b, k, "offset") { offset = Int(JSONScanner.scalarText(b, v) ?? "") ?? 0 }
                    else if JSONScanner.keyEquals(b, k, "length") { length = Int(JSONScanner.scalarText(b, v) ?? "") ?? 0 }
                    else if JSONScanner.keyEquals(b, k, "raw") { raw = Array((JSONScanner.string(b, v) ?? "").utf8) }
                    else if JSONScanner.keyEquals(b, k, "raw_base64"), JSONScanner.isString(b, v) {
                        raw = Base64.decode(b, (v.lowerBound + 1)..<(v.upperBound - 1)) ?? []
                    }
                }
                guard !file.isEmpty else { return }
                entries.append(Entry(at: at, rejection: Rejection(file: file, line: line, offset: offset, reason: reason, raw: raw, length: length)))
            }
        }
        return entries
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var v = UInt32(bytes[i]) << 16
            if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { v |= UInt32(bytes[i + 2]) }
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }
}
