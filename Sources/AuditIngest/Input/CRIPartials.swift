/// Joins the partial lines of a container-runtime (CRI) log. The runtime splits a line longer
/// than its buffer (16 KiB) into pieces tagged `P`, the last tagged `F`, each with its own time
/// and stream prefix: `<time> stdout P <piece>` … `<time> stdout F <last piece>`. The joined
/// line is the first piece's whole line (its prefix, so its time) followed by the other
/// pieces' messages. Pieces are joined per stream, as stdout and stderr interleave.
struct CRIPartials {
    /// What to do with a line.
    enum Outcome {
        /// Not a piece to join: read the line as it is.
        case line
        /// A partial piece, held until its stream's `F` line.
        case held
        /// A whole line joined from pieces, starting on `line` at stream offset `offset`.
        case joined([UInt8], line: Int, offset: Int)
    }

    /// The longest joined line; past it the pieces so far are handed out on their own.
    let maxBytes: Int
    /// The pieces held for stdout (0) and stderr (1), with where the first one started.
    private var held: [(bytes: [UInt8], line: Int, offset: Int)] = [([], 0, 0), ([], 0, 0)]

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    static let streams: [[UInt8]] = ["stdout ", "stderr "].map { Array($0.utf8) }

    /// The stream (0, 1), the tag (`P`, `F`) and where the message starts, when `b[range]` is
    /// a CRI line: `<RFC 3339 time> stdout|stderr P|F <message>`.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (stream: Int, tag: UInt8, message: Int)? {
        let s = range.lowerBound
        guard range.count > 30, KlogParser.isDigit(b[s]), b[s + 4] == UInt8(ascii: "-"),
            b[s + 10] == UInt8(ascii: "T") || b[s + 10] == UInt8(ascii: "t")
        else { return nil }
        var space = s + 11
        while space < range.upperBound, space - s <= 40, b[space] != 0x20 { space += 1 }
        let p = space + 1
        guard p + 9 <= range.upperBound, b[space] == 0x20 else { return nil }
        for (stream, name) in streams.enumerated() where EventDecoder.startsWith(b, p..<range.upperBound, name) {
            let tag = b[p + 7]
            guard tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F"), b[p + 8] == 0x20 else { return nil }
            return (stream, tag, p + 9)
        }
        return nil
    }

    /// Takes the line `b[range]` that starts on `line` at stream offset `offset`.
    mutating func take(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int, offset: Int) -> Outcome {
        guard let cri = Self.parse(b, range) else { return .line }
        let message = UnsafeBufferPointer(rebasing: b[cri.message..<range.upperBound])
        if held[cri.stream].bytes.isEmpty {
            guard cri.tag == UInt8(ascii: "P") else { return .line }
            held[cri.stream] = (Array(UnsafeBufferPointer(rebasing: b[range])), line, offset)
            return .held
        }
        if held[cri.stream].bytes.count + message.count > maxBytes {
            // Too long to join: what was held goes out alone; this piece starts afresh.
            let out = held[cri.stream]
            held[cri.stream] = ([], 0, 0)
            if cri.tag == UInt8(ascii: "P") { held[cri.stream] = (Array(UnsafeBufferPointer(rebasing: b[range])), line, offset) }
            return .joined(out.bytes, line: out.line, offset: out.offset)
        }
        held[cri.stream].bytes.append(contentsOf: message)
        guard cri.tag == UInt8(ascii: "F") else { return .held }
        let out = held[cri.stream]
        held[cri.stream] = ([], 0, 0)
        return .joined(out.bytes, line: out.line, offset: out.offset)
    }

    /// At the end of the input: pieces whose `F` line never came, each stream's as one line.
    mutating func rest() -> [(bytes: [UInt8], line: Int, offset: Int)] {
        let out = held.filter { !$0.bytes.isEmpty }.sorted { $0.offset < $1.offset }
        held = [([], 0, 0), ([], 0, 0)]
        return out
    }
}
