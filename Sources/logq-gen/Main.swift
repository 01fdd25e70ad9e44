#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AuditCore

/// `logq-gen`: writes a deterministic, realistic benchmark dataset — Kubernetes audit hours and
/// CloudTrail files — for logq and the tools it is compared with.
@main
enum LogqGen {
    static func main() async {
        do {
            guard let options = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
                print(Options.help)
                return
            }
            try await run(options)
        } catch let error as GenError {
            printError("logq-gen: error: \(error.message)")
            if error.code == .usage { printError("Run 'logq-gen --help' for the options.") }
            exit(error.exitStatus)
        } catch {
            printError("logq-gen: error: \(error)")
            exit(1)
        }
    }

    /// One unit of parallel work; each writes its own files from its own random stream.
    enum Job: Sendable {
        case k8sHour(Int)
        case cloudTrailFile(Int)
    }

    /// What a job produced.
    enum JobResult: Sendable {
        case k8sHour(K8sAuditGenerator.HourResult)
        case cloudTrailFile(CloudTrailGenerator.FileResult)
    }

    static func run(_ options: Options) async throws {
        try checkOutputIsFresh(options)
        let account = AWSAccount(seed: options.seed)
        let cluster = K8sCluster(seed: options.seed, account: account)
        let k8s = K8sAuditGenerator(options: options, cluster: cluster)
        let cloudTrail = CloudTrailGenerator(options: options, account: account, cluster: cluster)

        // Big jobs first so the last ones to finish are small; the order changes no output.
        var jobs: [Job] = []
        if options.k8sEvents > 0 {
            let hours = Array(0..<options.hours).sorted { k8s.eventsPerHour[$0] != k8s.eventsPerHour[$1] ? k8s.eventsPerHour[$0] > k8s.eventsPerHour[$1] : $0 < $1 }
            jobs += hours.map { .k8sHour($0) }
        }
        jobs += cloudTrail.files.indices.map { .cloudTrailFile($0) }

        let results = try await runInParallel(jobs, width: processorCount()) { job in
            switch job {
            case .k8sHour(let hour): .k8sHour(try k8s.writeHour(hour))
            case .cloudTrailFile(let file): .cloudTrailFile(try cloudTrail.writeFile(file))
            }
        }

        var summary = Summary()
        for result in results {
            switch result {
            case .k8sHour(let hour): summary.add(hour)
            case .cloudTrailFile(let file): summary.add(file)
            }
        }
        if options.k8sEvents > 0 { print(summary.k8sLine(plain: options.writePlain)) }
        if options.cloudTrailRecords > 0 { print(summary.cloudTrailLine()) }
        if options.perfMinutes > 0 { print(try PerfGenerator(options: options).write()) }
        let range = "\(Timestamp.format(options.start, fractionDigits: 0)) to \(Timestamp.format(options.end, fractionDigits: 0)) (\(options.hours) h)"
        if options.k8sEvents > 0 {
            print("rare user: \(RareUser.username) with \(RareUser.eventCount) k8s events; data from \(range)")
        } else {
            print("rare user: none (no k8s events); data from \(range)")
        }
    }

    /// Runs `work` on every job with at most `width` at a time; results come back in job order.
    static func runInParallel(
        _ jobs: [Job], width: Int, _ work: @escaping @Sendable (Job) throws -> JobResult
    ) async throws -> [JobResult] {
        try await withThrowingTaskGroup(of: (Int, JobResult).self) { group in
            var results = [JobResult?](repeating: nil, count: jobs.count)
            var next = 0
            while next < min(width, jobs.count) {
                let index = next
                group.addTask { (index, try work(jobs[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < jobs.count {
                    let index = next
                    group.addTask { (index, try work(jobs[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    /// Refuses to mix a new dataset into the files of an earlier run.
    static func checkOutputIsFresh(_ options: Options) throws(GenError) {
        var folders: [String] = []
        if options.k8sEvents > 0 {
            folders.append("k8s-audit")
            if options.writePlain { folders.append("k8s-audit-plain") }
        }
        if options.cloudTrailRecords > 0 { folders.append("cloudtrail") }
        if FileSystem.exists(options.outputDirectory) && !FileSystem.isDirectory(options.outputDirectory) {
            throw GenError.usage("--out \(options.outputDirectory) is a file: pass a folder")
        }
        for folder in folders where FileSystem.isNonEmptyDirectory(options.outputDirectory + "/" + folder) {
            throw GenError.usage(
                "\(options.outputDirectory)/\(folder) already holds files from an earlier run: remove it or pass another --out")
        }
    }

    static func processorCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }
}
