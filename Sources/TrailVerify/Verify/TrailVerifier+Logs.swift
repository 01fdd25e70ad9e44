import AuditCore
import Crypto

extension TrailVerifier {
    /// Hashes every log file the digests list and compares; then looks for log files no digest lists.
    mutating func checkLogFiles() {
        var listed = Set<String>()
        var hashes: [String: String?] = [:]
        for key in loaded.keys.sorted() {
            guard let digest = loaded[key]!.usable else { continue }
            let digestPath = loaded[key]!.file.path
            for entry in digest.logFiles {
                let logKey = Self.awsLogsKey(entry.s3Object)
                listed.insert(logKey)
                guard let file = trail.logs[logKey] else {
                    fail(
                        .logMissing, "s3://\(entry.s3Bucket)/\(entry.s3Object)",
                        "listed in digest \(digestPath); expected in the copy, found no file")
                    continue
                }
                checkBucket(entry.s3Bucket, named: "s3Bucket of a logFiles entry", at: digestPath)
                guard entry.hashAlgorithm == "SHA-256" else {
                    fail(.unsupportedAlgorithm, file.path, "hashAlgorithm in \(digestPath) expected SHA-256, found \(entry.hashAlgorithm)")
                    continue
                }
                let actual: String?
                if let cached = hashes[logKey] {
                    actual = cached
                } else {
                    actual = hashLogFile(file)
                    hashes[logKey] = actual
                }
                guard let actual else { continue }  // unreadable, reported once
                if actual != entry.hashValue.lowercased() {
                    fail(
                        .logHashMismatch, file.path,
                        "digest \(digestPath) records SHA-256 \(entry.hashValue) of the uncompressed file; found \(actual)")
                }
            }
        }
        checkUnlisted(listed: listed)
    }

    /// Hex SHA-256 of the uncompressed file, streamed; nil (and a problem) when it does not decompress.
    private mutating func hashLogFile(_ file: LocalTrail.File) -> String? {
        var hasher = SHA256()
        do {
            try GzipFileReader.forEachChunk(path: file.path) { hasher.update(bufferPointer: $0) }
        } catch let error as TrailVerifyError {
            fail(.unreadable, file.path, error.message)
            return nil
        } catch {
            fail(.unreadable, file.path, "\(error)")
            return nil
        }
        report.logFilesChecked += 1
        return Hex.encode(hasher.finalize())
    }

    /// Log files that no digest lists: a failure when their delivery minute lies well inside the
    /// delivery windows the copy's digests cover for that account and region; otherwise counted
    /// (delivered after the newest digest, or while validation was off).
    private mutating func checkUnlisted(listed: Set<String>) {
        let windows = coveredWindows()
        for key in trail.logs.keys.sorted() where !listed.contains(key) {
            let file = trail.logs[key]!
            let minute: Int64 = 60 * Timestamp.nanosPerSecond
            guard let delivered = file.key.nameTime,
                let covered = windows[file.key.scope],
                covered.contains(where: { $0.lowerBound + Self.windowMargin <= delivered && delivered + minute + Self.windowMargin <= $0.upperBound })
            else {
                report.logFilesUndigested += 1
                continue
            }
            fail(
                .logUnlisted, file.path,
                "delivered at \(Timestamp.format(delivered, fractionDigits: 0)), inside the window of this copy's digests; expected a digest to list it, found none")
        }
        if report.logFilesUndigested > 0 {
            report.notes.append(
                "\(report.logFilesUndigested) log file(s) lie outside every digest's delivery window (delivered after the newest digest, or while validation was off): no digest vouches for them")
        }
    }

    /// Per scope (account and region), the union of the digests' delivery windows, ns, merged
    /// where they touch.
    private func coveredWindows() -> [String: [Range<Int64>]] {
        var raw: [String: [Range<Int64>]] = [:]
        for entry in loaded.values {
            guard let digest = entry.usable, let start = Timestamp.parse(digest.digestStartTime),
                let end = Timestamp.parse(digest.digestEndTime), start < end
            else { continue }
            raw[entry.file.key.scope, default: []].append(start..<end)
        }
        var merged: [String: [Range<Int64>]] = [:]
        for (scope, ranges) in raw {
            var out: [Range<Int64>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                // Consecutive digests share an instant (one's end is the next's start); a second of
                // slack joins them however CloudTrail rounds.
                if let last = out.last, range.lowerBound <= last.upperBound + Timestamp.nanosPerSecond {
                    out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
                } else {
                    out.append(range)
                }
            }
            merged[scope] = out
        }
        return merged
    }
}
