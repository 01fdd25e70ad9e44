import ArgumentParser
import AuditIngest
import SegmentStore

/// `logq rejects`: lists the quarantine of ingest.
struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List the input that ingest rejected (the quarantine).",
        discussion: """
            Every value ingest could not store — malformed JSON, a line past --max-line, a \
            placeholder time such as "...", a record of no known format — is kept in \
            <data>/rejects.jsonl with the file, line, byte offset and reason. This lists them, \
            oldest first: one line each, or with --raw the rejected bytes under each (cut at \
            64 KiB). The file itself is JSON lines, for jq.
            """
    )

    @OptionGroup var options: DataOptions

    @Flag(name: .long, help: "Print the rejected bytes under each entry.")
    var raw = false

    @Option(name: .long, help: "Only entries whose file path contains this text.")
    var file: String?

    func run() throws {
        let path = options.directory.path + "/" + FileNames.rejects
        let entries = Quarantine.read(path: path)
        var out = OutputStream(fd: 1)
        var shown = 0
        for entry in entries where file.map({ entry.rejection.file.contains($0) }) ?? true {
            shown += 1
            let r = entry.rejection
            out.write("\(entry.at) \(r)" + (r.length > r.raw.count ? " [\(r.length) bytes, first \(r.raw.count) kept]" : "") + "\n")
            if raw {
                out.write(bytes: r.raw)
                out.write("\n")
            }
        }
        out.flush()
        if shown == 0 {
            OutputStream.printError("logq: no rejects in \(path)")
        }
    }
}
