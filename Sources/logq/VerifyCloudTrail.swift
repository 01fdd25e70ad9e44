import ArgumentParser
import TrailVerify

/// The arguments of `logq verify --cloudtrail DIR [--public-key FILE]… [--bucket NAME]`, as an
/// option group the `verify` command can embed.
struct CloudTrailVerifyOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A local copy of a trail's S3 bucket (a folder with AWSLogs/…/CloudTrail and CloudTrail-Digest below it).",
            valueName: "dir"))
    var cloudtrail: String?

    @Option(
        name: .customLong("public-key"),
        help: ArgumentHelp(
            "A CloudTrail public key (PEM, DER, or the base64 'Value' of 'aws cloudtrail list-public-keys'); repeat for several. Keys are matched to digests by fingerprint.",
            valueName: "file"))
    var publicKeys: [String] = []

    @Option(name: .long, help: ArgumentHelp("The bucket the copy was made from; entries naming another fail.", valueName: "name"))
    var bucket: String?
}

/// Exit statuses of a CloudTrail verification.
enum CloudTrailVerifyExit {
    /// The copy validated.
    static let clean: Int32 = 0
    /// The folder or a key could not be read.
    static let error: Int32 = 1
    /// Something failed validation.
    static let failed: Int32 = 4
}

/// Runs the verification of `options` and prints one line per problem (stdout), notes (stderr,
/// prefixed `note:`) and a summary line (stdout). Returns the exit status: 0 clean, 4 failed,
/// 1 when the folder or a key file cannot be read.
func runCloudTrailVerify(directory: String, options: CloudTrailVerifyOptions) -> Int32 {
    var keys = PublicKeyRing()
    do {
        for path in options.publicKeys { try keys.load(path: path) }
    } catch {
        OutputStream.printError("logq: \(error)")
        return CloudTrailVerifyExit.error
    }
    let report: TrailReport
    do {
        report = try TrailVerifier.verify(TrailVerifier.Options(root: directory, keys: keys, bucket: options.bucket))
    } catch {
        OutputStream.printError("logq: cannot verify \(directory): \(error)")
        return CloudTrailVerifyExit.error
    }
    var err = OutputStream(fd: 2)
    for note in report.notes { err.write("note: \(note)\n") }
    err.flush()
    var out = OutputStream(fd: 1)
    for problem in report.problems { out.write("\(problem)\n") }
    out.write(report.summary + "\n")
    out.flush()
    return report.isClean ? CloudTrailVerifyExit.clean : CloudTrailVerifyExit.failed
}
