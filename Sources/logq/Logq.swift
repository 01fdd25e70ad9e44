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
        subcommands: [
            QueryCommand.self, IngestCommand.self, RejectsCommand.self, ServeCommand.self, StatsCommand.self,
            VerifyCommand.self, RetentionCommand.self, CompactCommand.self,
        ],
        defaultSubcommand: QueryCommand.self
    )
}
