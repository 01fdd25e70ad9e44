import SegmentStore

#if canImport(Glibc)
import Glibc
#endif

/// Links identities across sources, so that `actor=` follows one person or role through the
/// AWS account and the cluster (DESIGN.md, "actor").
///
/// Two links are learned while ingesting and kept in a small file of the data directory
/// (``FileNames/actors``), so that they hold across ingest runs:
/// - IRSA sessions: an `AssumeRoleWithWebIdentity` record names the Kubernetes service account
///   (`userIdentity.userName` = `system:serviceaccount:<ns>:<sa>`) and the access key of the
///   session it opens (`responseElements.credentials.accessKeyId`). Later CloudTrail calls made
///   with that key carry the service account as a second actor.
/// - Authenticator logins: an aws-iam-authenticator `access granted` line maps the IAM ARN to
///   the Kubernetes username, so audit events without `user.extra` still get the ARN.
///
/// A call is linked only when its session's record was ingested before it (in this run or an
/// earlier one): records ingested earlier keep the actor they were stored with.
public final class ActorCorrelator {
    /// Session access key id → service account (`system:serviceaccount:<ns>:<sa>`).
    public private(set) var serviceAccountByKey: [String: String] = [:]
    /// Kubernetes username → IAM ARN (canonical role or user ARN).
    public private(set) var arnByUsername: [String: String] = [:]
    /// Links learned and not yet written to the file.
    private var pending: [UInt8] = []

    public init() {}

    /// Loads the links saved at `path`; a missing file is an empty map. Lines that do not
    /// parse are ignored (the file is a cache of what the stored events already say).
    public init(loading path: String) {
        guard let bytes = Self.readFile(path) else { return }
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let columns = bytes[start..<end].split(separator: 0x09, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if columns.count == 3 {
                switch columns[0] {
                case "key": serviceAccountByKey[columns[1]] = columns[2]
                case "user": arnByUsername[columns[1]] = columns[2]
                default: break
                }
            }
            start = end + 1
        }
    }

    /// Whether a value can be stored in a line of the file (no tab, no newline, not empty).
    private static func storable(_ text: String) -> Bool {
        !text.isEmpty && !text.utf8.contains(0x09) && !text.utf8.contains(0x0A)
    }

    /// Records that the session of `accessKeyId` belongs to `serviceAccount`.
    public func learnSession(accessKeyId: String, serviceAccount: String) {
        guard Self.storable(accessKeyId), Self.storable(serviceAccount),
            serviceAccountByKey[accessKeyId] != serviceAccount
        else { return }
        serviceAccountByKey[accessKeyId] = serviceAccount
        pending.append(contentsOf: "key\t\(accessKeyId)\t\(serviceAccount)\n".utf8)
    }

    /// Records that Kubernetes `username` is IAM `arn`.
    public func learnUsername(_ username: String, arn: String) {
        guard Self.storable(username), Self.storable(arn), arnByUsername[username] != arn else { return }
        arnByUsername[username] = arn
        pending.append(contentsOf: "user\t\(username)\t\(arn)\n".utf8)
    }

    /// The service account whose session used `accessKeyId`, if known.
    @inline(__always)
    public func serviceAccount(forKey accessKeyId: String) -> String? {
        serviceAccountByKey.isEmpty || accessKeyId.isEmpty ? nil : serviceAccountByKey[accessKeyId]
    }

    /// The IAM ARN of Kubernetes `username`, if an authenticator line named it.
    @inline(__always)
    public func arn(forUsername username: String) -> String? {
        arnByUsername.isEmpty || username.isEmpty ? nil : arnByUsername[username]
    }

    /// Appends the links learned since the last save to `path` and fsyncs it.
    public func save(to path: String) throws {
        guard !pending.isEmpty else { return }
        // Through the store's I/O layer: power-loss and fault tests see these writes too.
        do {
            try FileHandle.appendDurably(pending, to: path)
        } catch let error as StoreError {
            throw IngestError.cannotWrite(error)
        }
        pending.removeAll()
    }

    /// The canonical IAM ARN of `arn`: an STS assumed-role session ARN
    /// (`arn:aws:sts::1:assumed-role/Deployer/ci-bot`) becomes its role
    /// (`arn:aws:iam::1:role/Deployer`), as EKS computes `canonicalArn`; other ARNs unchanged.
    /// A role path is not in the session ARN, so a role with a path comes out without it.
    public static func canonical(_ arn: String) -> String {
        guard arn.hasPrefix("arn:"), arn.utf8.count > 14 else { return arn }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        // arn : partition : sts : (empty region) : account : assumed-role/<role>/<session>
        guard parts.count == 6, parts[2] == "sts", parts[5].hasPrefix("assumed-role/") else { return arn }
        let path = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        guard path.count >= 2, !path[1].isEmpty else { return arn }
        return "arn:\(parts[1]):iam::\(parts[4]):role/\(path[1])"
    }

    /// Joins actor values comma-separated, without empties or repeats, in order.
    public static func join(_ values: [String]) -> String {
        var out: [String] = []
        for value in values where !value.isEmpty && !out.contains(value) { out.append(value) }
        return out.joined(separator: ",")
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
