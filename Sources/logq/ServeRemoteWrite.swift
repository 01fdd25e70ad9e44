import ArgumentParser
import Foundation
import AuditCore
import LogClient
import LogServer
import MetricsAgg

/// `logq serve --remote-write URL`: the options checked, and the writer started over the
/// server's event metrics and health metrics (``RemoteWriter``).
extension ServeCommand {
    func validateRemoteWrite() throws {
        guard let remoteWrite else {
            if remoteWriteTokenFile != nil {
                throw ValidationError("--remote-write-token-file needs --remote-write URL")
            }
            return
        }
        guard remoteWrite.hasPrefix("http://") || remoteWrite.hasPrefix("https://") else {
            throw ValidationError(
                "cannot use --remote-write \(remoteWrite): pass an http:// or https:// URL like http://127.0.0.1:9090/api/v1/write")
        }
        if let remoteWriteCacert {
            guard remoteWrite.hasPrefix("https://") else {
                throw ValidationError("--remote-write-cacert is for an https:// receiver; --remote-write is \(remoteWrite)")
            }
            guard FileManager.default.isReadableFile(atPath: remoteWriteCacert) else {
                throw ValidationError("cannot read --remote-write-cacert \(remoteWriteCacert): no such readable file (PEM certificates expected)")
            }
        }
        do {
            _ = try RemoteClient(url: remoteWrite, token: nil)
        } catch {
            // RemoteClient words its errors for --server.
            throw ValidationError(error.message.replacingOccurrences(of: "--server", with: "--remote-write"))
        }
        guard let nanos = DurationParser.parse(remoteWriteInterval), nanos >= 100_000_000 else {
            throw ValidationError("cannot read --remote-write-interval \(remoteWriteInterval): pass a duration of at least 100ms, like 15s or 1m")
        }
        guard remoteWriteBuffer > 0 else {
            throw ValidationError("cannot use --remote-write-buffer \(remoteWriteBuffer): pass a positive number of snapshots")
        }
    }

    /// Starts pushing when `--remote-write` is given; nil otherwise.
    func startRemoteWrite(metrics: MetricsService, health: ServerHealthMetrics) throws -> RemoteWriter? {
        guard let remoteWrite else { return nil }
        var options = RemoteWriteOptions(url: remoteWrite)
        options.interval = Double(DurationParser.parse(remoteWriteInterval) ?? 15_000_000_000) / 1e9
        options.bufferSnapshots = remoteWriteBuffer
        options.caFile = remoteWriteCacert
        if let remoteWriteTokenFile {
            do {
                let token = try String(contentsOfFile: remoteWriteTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !token.isEmpty else {
                    OutputStream.printError("logq: --remote-write-token-file \(remoteWriteTokenFile) is empty: put the bearer token in it")
                    throw ExitCode(1)
                }
                options.token = token
            } catch let error as ExitCode {
                throw error
            } catch {
                OutputStream.printError("logq: cannot read --remote-write-token-file \(remoteWriteTokenFile): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        }
        let writer: RemoteWriter
        do {
            // Lock order as on /metrics: the health registry's lock, then the aggregator's.
            writer = try RemoteWriter(
                options: options,
                registries: { body in
                    health.withRegistry { own in
                        metrics.withAggregator { aggregator in
                            aggregator.refresh()
                            body([aggregator.registry, own])
                        }
                    }
                },
                counters: { body in health.withRegistry(body) },
                isReady: { metrics.isRestored },
                log: { OutputStream.printError("logq: \($0)") })
        } catch {
            OutputStream.printError("logq: cannot use --remote-write \(remoteWrite): \(error)")
            throw ExitCode(1)
        }
        writer.start()
        OutputStream.printError("logq: pushing every \(remoteWriteInterval) to \(remoteWrite) (remote write)")
        return writer
    }
}
