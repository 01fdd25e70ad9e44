/// Where an event came from: the kind of log that produced it.
///
/// The raw value is stored on disk (one byte per event), so cases are only ever appended.
public enum SourceKind: UInt8, CaseIterable, Sendable, Comparable {
    /// An AWS CloudTrail record (S3 delivery file, CloudWatch Logs, EventBridge).
    case cloudtrail = 1
    /// A Kubernetes audit `Event` (`audit.k8s.io/v1` or `v1beta1`).
    case k8sAudit = 2
    /// A kube-apiserver klog line.
    case apiserver = 3
    /// An aws-iam-authenticator logrus line.
    case authenticator = 4
    /// A kube-controller-manager klog line.
    case controllerManager = 5
    /// A kube-scheduler klog line.
    case scheduler = 6
    /// A Container Insights performance event (EMF).
    case perf = 7

    /// The name users type (`source=k8s-audit`) and output prints.
    public var name: String {
        switch self {
        case .cloudtrail: "cloudtrail"
        case .k8sAudit: "k8s-audit"
        case .apiserver: "apiserver"
        case .authenticator: "authenticator"
        case .controllerManager: "controller-manager"
        case .scheduler: "scheduler"
        case .perf: "perf"
        }
    }

    /// Looks a source up by the name users type; nil when there is none.
    public init?(name: String) {
        guard let kind = SourceKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    public static func < (lhs: SourceKind, rhs: SourceKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
