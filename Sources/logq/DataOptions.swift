import ArgumentParser
import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// `--data DIR`, for the subcommands that work on one store (ingest, serve, compact, …).
struct DataOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The data directory (default: $LOGQ_DATA, else ~/.local/share/logq).", valueName: "dir"))
    var data: [String] = []

    /// Several stores are read-only beyond the first, so a command that writes takes one.
    func validate() throws {
        if data.count > 1 {
            throw ValidationError(
                "--data was given \(data.count) times (\(data.joined(separator: ", "))): this command works on one store; several stores are for queries and 'logq verify' (read-only beyond the first)")
        }
    }

    var directory: DataDirectory {
        DataDirectory(path: data.first ?? DataDirectory.defaultPath(environment: Environment.current))
    }
}

/// `--data DIR` repeated, or `--store A,B`: several stores read as one (queries, verify). The
/// first is the store of record (the only one a follower or a writer would use); the others
/// are read only.
struct StoresOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A data directory (default: $LOGQ_DATA, else ~/.local/share/logq); repeat it to read several stores as one.",
            valueName: "dir"))
    var data: [String] = []

    @Option(name: .long, help: ArgumentHelp("Data directories to read as one, comma-separated (after any --data).", valueName: "dirs"))
    var store: [String] = []

    /// Every store named, in order, each once; the default store when none is.
    var directories: [DataDirectory] {
        var paths: [String] = []
        for path in data + store.flatMap({ $0.split(separator: ",").map(String.init) }) where !path.isEmpty {
            let directory = DataDirectory(path: path)
            if !paths.contains(directory.path) { paths.append(directory.path) }
        }
        if paths.isEmpty { paths.append(DataDirectory.defaultPath(environment: Environment.current)) }
        return paths.map(DataDirectory.init(path:))
    }

    /// The first store.
    var directory: DataDirectory { directories[0] }

    /// Whether more than one store is named.
    var isSeveral: Bool { directories.count > 1 }
}

enum Environment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }

    /// Now, ns since the epoch UTC.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static var stdoutIsTerminal: Bool { isatty(1) != 0 }
    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// Buffered writes to stdout / stderr without Foundation.
struct OutputStream {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered; false when the descriptor is closed (a reader that went away,
    /// `| head`), which a follower takes as its cue to end quietly.
    @discardableResult
    mutating func flush() -> Bool {
        var offset = 0
        defer { buffer.removeAll(keepingCapacity: true) }
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    static func printError(_ text: String) {
        var err = OutputStream(fd: 2)
        err.write(text + "\n")
        err.flush()
    }
}
