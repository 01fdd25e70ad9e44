/// A normalized field of the event model: the short names users type in queries.
///
/// Every source fills the fields that apply to it; an absent field is the empty string.
/// The raw value is the field's position in ``FieldValues`` and on disk, so cases are only
/// ever appended, never reordered.
public enum Field: Int, CaseIterable, Sendable {
    /// Unified action: k8s verbs as the apiserver derives them; CloudTrail eventName mapped by
    /// its leading word, with `readOnly` as the authority for read vs write.
    case verb
    /// The caller in the source's own terms (k8s username; CloudTrail user name or role/session).
    case user
    /// The caller's groups (k8s), comma-separated.
    case groups
    /// The caller's source IP address (first of k8s sourceIPs; CloudTrail sourceIPAddress).
    case ip
    /// The client's user agent.
    case agent
    /// The kind of object acted on (k8s objectRef.resource).
    case resource
    /// The Kubernetes namespace.
    case ns
    /// The object's name.
    case name
    /// The k8s subresource (`exec`, `status`, …).
    case subresource
    /// The HTTP status code of the response (k8s responseStatus.code).
    case code
    /// The reason of a failed response (k8s responseStatus.reason).
    case reason
    /// The authorization decision (k8s `authorization.k8s.io/decision` annotation).
    case decision
    /// Time from request received to this stage, in milliseconds (k8s).
    case latency
    /// The AWS account that received the event.
    case account
    /// The AWS region.
    case region
    /// The AWS service (CloudTrail eventSource).
    case service
    /// The AWS API action (CloudTrail eventName).
    case event
    /// The AWS error code (CloudTrail errorCode).
    case error
    /// The cluster name, where the source says it.
    case cluster
    /// The k8s audit stage (`ResponseComplete`, …).
    case stage
    /// The k8s audit level (`Metadata`, `Request`, `RequestResponse`).
    case level
    /// The event's identifier: k8s auditID, CloudTrail eventID.
    case id
    /// The same person or role across sources: the IAM ARN behind a k8s user
    /// (`user.extra.canonicalArn`), or the session issuer / user ARN of a CloudTrail call.
    case actor
    /// The request URI (k8s requestURI).
    case uri
    /// Log severity of a text log line: `info`, `warning`, `error`, `fatal` (klog `I/W/E/F`,
    /// logrus `level`).
    case severity
    /// The message of a text log line (klog / logrus `msg`), unquoted.
    case message
    /// Where a klog line was logged: `file.go:123`.
    case location
    /// The Kubernetes node (Container Insights `NodeName`).
    case node
    /// The kind of a performance event (Container Insights `Type`: `Node`, `Pod`, …).
    case kind
    /// Where the event's time came from when the event carries none: `mtime` (the input
    /// file's modification time) or `ingest` (the time of ingest, for stdin); empty when
    /// the event has its own time.
    case timesource

    /// The name users type.
    public var name: String {
        switch self {
        case .verb: "verb"
        case .user: "user"
        case .groups: "groups"
        case .ip: "ip"
        case .agent: "agent"
        case .resource: "resource"
        case .ns: "ns"
        case .name: "name"
        case .subresource: "subresource"
        case .code: "code"
        case .reason: "reason"
        case .decision: "decision"
        case .latency: "latency"
        case .account: "account"
        case .region: "region"
        case .service: "service"
        case .event: "event"
        case .error: "error"
        case .cluster: "cluster"
        case .stage: "stage"
        case .level: "level"
        case .id: "id"
        case .actor: "actor"
        case .uri: "uri"
        case .severity: "severity"
        case .message: "message"
        case .location: "location"
        case .node: "node"
        case .kind: "kind"
        case .timesource: "timesource"
        }
    }

    /// Looks a field up by the name users type; nil when there is none.
    public init?(name: String) {
        guard let field = Field.allCases.first(where: { $0.name == name }) else { return nil }
        self = field
    }

    /// Number of fields: the last case's raw value plus one (no lazy global, unlike `allCases`).
    @inlinable public static var fieldCount: Int { Field.timesource.rawValue + 1 }

    /// Whether values of this field compare as numbers (`code>=400`).
    public var isNumeric: Bool { self == .code || self == .latency }
}
