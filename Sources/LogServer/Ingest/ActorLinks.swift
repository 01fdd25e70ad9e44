import AuditIngest
import Synchronization

/// The identity links of an ``ActorCorrelator`` as a value, to cross between the request tasks
/// that parse (each with a correlator of its own) and the ingest service that keeps the links.
///
/// Parsing happens in the request's task, so that both cores parse; the correlator is a
/// non-`Sendable` class, so each request seeds its own from the last saved links and hands
/// back what it learned. A link learned by one request is seen by requests parsed after its
/// commit (in the CLI, by events after it in the same run): the same rule — a call is linked
/// when its session's record was ingested before it.
public struct ActorLinks: Sendable, Equatable {
    /// Session access key id → service account.
    public var serviceAccountByKey: [String: String] = [:]
    /// Kubernetes username → IAM ARN.
    public var arnByUsername: [String: String] = [:]

    public init() {}

    /// The links `correlator` holds.
    public init(_ correlator: ActorCorrelator) {
        serviceAccountByKey = correlator.serviceAccountByKey
        arnByUsername = correlator.arnByUsername
    }

    /// A correlator holding these links, for one request's parsing.
    public func correlator() -> ActorCorrelator {
        let correlator = ActorCorrelator()
        for (key, account) in serviceAccountByKey { correlator.learnSession(accessKeyId: key, serviceAccount: account) }
        for (user, arn) in arnByUsername { correlator.learnUsername(user, arn: arn) }
        return correlator
    }

    /// The links of `correlator` that are not in `self` (or differ): what a request learned.
    public func learned(by correlator: ActorCorrelator) -> ActorLinks {
        var new = ActorLinks()
        for (key, account) in correlator.serviceAccountByKey where serviceAccountByKey[key] != account {
            new.serviceAccountByKey[key] = account
        }
        for (user, arn) in correlator.arnByUsername where arnByUsername[user] != arn {
            new.arnByUsername[user] = arn
        }
        return new
    }

    /// Adds these links to `correlator`; whether there were any.
    func teach(_ correlator: ActorCorrelator) -> Bool {
        for (key, account) in serviceAccountByKey { correlator.learnSession(accessKeyId: key, serviceAccount: account) }
        for (user, arn) in arnByUsername { correlator.learnUsername(user, arn: arn) }
        return !serviceAccountByKey.isEmpty || !arnByUsername.isEmpty
    }
}

/// The links last saved by the ingest service, read by every request task.
public final class SharedActorLinks: Sendable {
    private let current: Mutex<ActorLinks>

    init(_ links: ActorLinks) {
        current = Mutex(links)
    }

    /// A copy of the links now.
    public var snapshot: ActorLinks { current.withLock { $0 } }

    func replace(with links: ActorLinks) {
        current.withLock { $0 = links }
    }
}
