import ArgumentParser

/// The `logq` command: ingest audit logs, query them, serve them.
@main
struct Logq: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logq",
        abstract: "Ingest, store and query AWS CloudTrail and Kubernetes audit logs.",
        discussion: """
            Store events once, then ask who did what, when, from where — across AWS and Kubernetes:

              logq ingest ./audit-logs/ ./AWSLogs/        # files, directories, .gz, or - for stdin
              logq 'verb=delete since=1h'                 # deletes of the last hour, both sources
              logq 'user=alice code>=400 | count by verb'
              logq -o ndjson 'resource=secrets verb=delete'

            The data directory is --data, else $LOGQ_DATA, else ~/.local/share/logq.
            Run 'logq help query' for the query language.
            """,
        version: LogqVersion.string,
        subcommands: [
            QueryCommand.self, IngestCommand.self, RejectsCommand.self, ServeCommand.self, StatsCommand.self,
            MetricsCommand.self, ExportCommand.self,
            VerifyCommand.self, RetentionCommand.self, CompactCommand.self, RepairCommand.self,
            SegmentsCommand.self,
        ],
        defaultSubcommand: QueryCommand.self
    )

    /// Rewrites argv first (``CommandLineRewrite``): global options before the subcommand,
    /// misspelled subcommands, `version`.
    static func main() async {
        switch CommandLineRewrite.action(for: Array(CommandLine.arguments.dropFirst())) {
        case .parse(let arguments):
            await main(arguments)
        case .version:
            print(LogqVersion.string)
        case .fail(let message):
            OutputStream.printError(message)
            Foundation_exit(2)
        }
    }

    /// For queries: keeps large buffers (decompressed columns) in the heap instead of a fresh
    /// `mmap` each: glibc maps every allocation over 128 KiB by default and unmaps it
    /// on free, so each block read paid page faults and zeroing for every column again. With
    /// a higher threshold freed buffers are reused; the trim threshold keeps them a while. Not
    /// for ingest: its buffers pass between threads, and kept in the heap they raised its peak
    /// resident memory on the benchmark's day from 252 to 354 MiB.
    static func tuneAllocator() {
        #if os(Linux)
        // <malloc.h>: M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD is -3.
        _ = glibcMallopt(-3, 64 << 20)
        _ = glibcMallopt(-1, 256 << 20)
        #endif
    }
}

/// exit(3), declared here rather than importing Glibc into the entry point's file.
@_silgen_name("exit")
private func Foundation_exit(_ status: Int32) -> Never

#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not include).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
