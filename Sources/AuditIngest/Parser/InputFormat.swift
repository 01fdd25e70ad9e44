/// The input formats `logq ingest --format` can force. `auto` (the default) tells them apart by
/// content, value by value and line by line, never by file name.
public enum InputFormat: String, CaseIterable, Sendable {
    /// Detect by content.
    case auto
    /// CloudTrail: S3 delivery files `{"Records":[…]}`, bare records, arrays of records.
    case cloudtrail
    /// Kubernetes audit: `Event`s and `EventList`s (`audit.k8s.io/v1`, `v1beta1`).
    case k8sAudit = "k8s-audit"
    /// `aws cloudtrail lookup-events` output (`CloudTrailEvent` is a JSON string).
    case lookupEvents = "lookup-events"
    /// EventBridge envelopes whose `detail` is a CloudTrail record.
    case eventBridge = "eventbridge"
    /// CloudWatch Logs: subscription payloads (`DATA_MESSAGE`, also base64 gzip), Lambda
    /// `awslogs` events, `aws logs filter-log-events` output, export lines (`<time> <message>`).
    case cloudwatch
    /// Container Insights performance events (EMF, `Version` "0" or `_aws`).
    case emf
    /// klog lines of kube-apiserver (`Lmmdd hh:mm:ss.uuuuuu thread file:line] msg`).
    case klog
    /// klog lines of kube-controller-manager.
    case controllerManager = "klog-controller-manager"
    /// klog lines of kube-scheduler.
    case scheduler = "klog-scheduler"
    /// aws-iam-authenticator (logrus) lines.
    case authenticator

    /// Whether the format is line-oriented text rather than JSON.
    public var isText: Bool {
        switch self {
        case .klog, .controllerManager, .scheduler, .authenticator: true
        default: false
        }
    }

    /// The names `--format` accepts, for help and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
