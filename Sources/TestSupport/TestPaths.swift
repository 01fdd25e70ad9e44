import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where test inputs live, found from this source file's location so tests run from any
/// working directory.
public enum TestPaths {
    /// The package root.
    public static var packageRoot: String {
        var path = #filePath
        for _ in 0..<3 {
            path = String(path[..<path.lastIndex(of: "/")!])
        }
        return path
    }

    /// `fixtures/` of this repository.
    public static var fixtures: String { packageRoot + "/fixtures" }

    /// `../shared/realdata/` beside the repository (present in CI), or nil when absent.
    public static var realdata: String? {
        let path = packageRoot + "/../shared/realdata"
        var st = stat()
        return stat(path, &st) == 0 ? path : nil
    }

    /// The built `logq` binary of this build configuration.
    public static var logqBinary: String? {
        // An explicit binary (e.g. a copy, so that a long crash run survives rebuilds).
        if let explicit = ProcessInfo.processInfo.environment["LOGQ_BINARY"], access(explicit, X_OK) == 0 { return explicit }
        for candidate in [".build/debug/logq", ".build/release/logq"] {
            let path = packageRoot + "/" + candidate
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }
}

/// A fresh directory under the system temp folder, removed by ``remove()``.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The directory's path.
    public let path: String

    public init(_ label: String = "logq-test") {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: created!)
    }

    deinit { remove() }

    /// Deletes the directory and everything in it.
    public func remove() {
        // In-process, not `rm -rf`: a fork here could briefly hold another test's flock.
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the directory; returns the file's path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        if let slash = name.lastIndex(of: "/") {
            try? FileManager.default.createDirectory(
                atPath: path + "/" + String(name[..<slash]), withIntermediateDirectories: true)
        }
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(file)")
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return file
    }

    /// Writes text to `name`; returns the file's path.
    @discardableResult
    public func write(_ name: String, text: String) -> String {
        write(name, Array(text.utf8))
    }
}
