import ArgumentParser
import Hummingbird
import LogServer

/// `logq serve`
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve /healthz and /metrics (Prometheus text) over the store.",
        discussion: "Binds to 127.0.0.1 by default. Ingest, query and tail endpoints arrive in a later release."
    )

    @OptionGroup var options: DataOptions

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port = 9420

    func validate() throws {
        guard (1...65535).contains(port) else {
            throw ValidationError("cannot listen on port \(port): pass --port between 1 and 65535")
        }
    }

    func run() async throws {
        let app = LogServer.application(directory: options.directory, host: host, port: port)
        try await app.runService()
    }
}
