import TestSupport
import Testing
import TrailVerify

@Suite struct GzipFileReaderTests {
    /// Seeded pseudo-random bytes with some repetition, so DEFLATE has matches to copy.
    func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let word = Array("event-\(state >> 50) ".utf8)
            out.append(contentsOf: word)
        }
        return Array(out.prefix(count))
    }

    @Test(arguments: [0, 1, 1000, 300_000, 1_000_000])
    func readsBackWhatZlibWrote(size: Int) throws {
        let dir = TemporaryDirectory("gzipreader")
        let data = sample(size, seed: UInt64(size))
        let path = dir.write("a.json.gz", Gzip.compress(data))
        #expect(try GzipFileReader.readAll(path: path) == data)
    }

    @Test func readsConcatenatedMembersAsOneStream() throws {
        let dir = TemporaryDirectory("gzipreader")
        let a = sample(70_000, seed: 1)
        let b = sample(200_000, seed: 2)
        let path = dir.write("ab.json.gz", Gzip.compress(a) + Gzip.compress(b))
        #expect(try GzipFileReader.readAll(path: path) == a + b)
    }

    @Test func aTruncatedFileNamesTheOffsetWhereItStopped() throws {
        let dir = TemporaryDirectory("gzipreader")
        let whole = Gzip.compress(sample(50_000, seed: 3))
        let path = dir.write("t.json.gz", Array(whole.prefix(whole.count - 10)))
        do {
            _ = try GzipFileReader.readAll(path: path)
            Issue.record("a truncated file read without error")
        } catch let error as TrailVerifyError {
            #expect(error.code == .gzip)
            #expect(error.message.contains("truncated"))
            #expect(error.message.contains("compressed byte \(whole.count - 10)"))
        }
    }

    @Test func aFileThatIsNotGzipIsRejected() throws {
        let dir = TemporaryDirectory("gzipreader")
        let path = dir.write("plain.json.gz", text: #"{"Records":[]}"#)
        #expect(throws: TrailVerifyError.self) { try GzipFileReader.readAll(path: path) }
        let empty = dir.write("empty.json.gz", [])
        #expect(throws: TrailVerifyError.self) { try GzipFileReader.readAll(path: empty) }
    }
}
