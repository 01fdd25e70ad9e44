/// An API resource as the audit `objectRef` and request URI name it.
struct K8sResource: Sendable {
    /// Plural resource name: `pods`, `leases`.
    let name: StaticString
    /// API group, empty for the core group.
    let group: StaticString
    /// API version within the group.
    let version: StaticString
    /// Kind of its objects, for `Event` bodies and `Status` details.
    let kind: StaticString
    /// True when the audit policy logs it at `Metadata` only, whatever the verb (secrets must
    /// never reach the log; config maps and leases are too chatty).
    let metadataOnly: Bool

    init(name: StaticString, group: StaticString, version: StaticString, kind: StaticString, metadataOnly: Bool = false) {
        self.name = name
        self.group = group
        self.version = version
        self.kind = kind
        self.metadataOnly = metadataOnly
    }

    var isCore: Bool { group.utf8CodeUnitCount == 0 }

    static let pods = K8sResource(name: "pods", group: "", version: "v1", kind: "Pod")
    static let nodes = K8sResource(name: "nodes", group: "", version: "v1", kind: "Node")
    static let configmaps = K8sResource(name: "configmaps", group: "", version: "v1", kind: "ConfigMap", metadataOnly: true)
    static let secrets = K8sResource(name: "secrets", group: "", version: "v1", kind: "Secret", metadataOnly: true)
    static let services = K8sResource(name: "services", group: "", version: "v1", kind: "Service")
    static let endpoints = K8sResource(name: "endpoints", group: "", version: "v1", kind: "Endpoints")
    static let namespaces = K8sResource(name: "namespaces", group: "", version: "v1", kind: "Namespace")
    static let serviceaccounts = K8sResource(name: "serviceaccounts", group: "", version: "v1", kind: "ServiceAccount")
    static let events = K8sResource(name: "events", group: "", version: "v1", kind: "Event")
    static let persistentvolumeclaims = K8sResource(name: "persistentvolumeclaims", group: "", version: "v1", kind: "PersistentVolumeClaim")
    static let leases = K8sResource(name: "leases", group: "coordination.k8s.io", version: "v1", kind: "Lease", metadataOnly: true)
    static let deployments = K8sResource(name: "deployments", group: "apps", version: "v1", kind: "Deployment")
    static let replicasets = K8sResource(name: "replicasets", group: "apps", version: "v1", kind: "ReplicaSet")
    static let endpointslices = K8sResource(name: "endpointslices", group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")
    static let eventsV1 = K8sResource(name: "events", group: "events.k8s.io", version: "v1", kind: "Event")
    static let ingresses = K8sResource(name: "ingresses", group: "networking.k8s.io", version: "v1", kind: "Ingress")
    static let cronjobs = K8sResource(name: "cronjobs", group: "batch", version: "v1", kind: "CronJob")
}

/// The Kubernetes verb of a request (FORMATS.md §2.2).
enum K8sVerb: UInt8, Sendable {
    case get, list, watch, create, update, patch, delete, deletecollection

    var text: StaticString {
        switch self {
        case .get: "get"
        case .list: "list"
        case .watch: "watch"
        case .create: "create"
        case .update: "update"
        case .patch: "patch"
        case .delete: "delete"
        case .deletecollection: "deletecollection"
        }
    }

    /// True for verbs that change state.
    var isWrite: Bool {
        switch self {
        case .get, .list, .watch: false
        default: true
        }
    }
}

/// The audit policy level that produced an event.
enum K8sLevel: UInt8, Sendable {
    case metadata, request, requestResponse

    var text: StaticString {
        switch self {
        case .metadata: "Metadata"
        case .request: "Request"
        case .requestResponse: "RequestResponse"
        }
    }
}

/// The stage of a request an event records.
enum K8sStage: UInt8, Sendable {
    /// Headers sent, body streaming (long-running requests such as watch).
    case responseStarted
    /// The response is complete.
    case responseComplete

    var text: StaticString {
        switch self {
        case .responseStarted: "ResponseStarted"
        case .responseComplete: "ResponseComplete"
        }
    }
}

/// The cluster's namespaces, by index (the request model stores the index).
enum K8sNamespace {
    static let names = ["default", "kube-system", "kube-node-lease", "shop", "prod", "payments", "monitoring"]
    static let `default` = 0
    static let kubeSystem = 1
    static let kubeNodeLease = 2
    static let shop = 3
    static let prod = 4
    static let payments = 5
    static let monitoring = 6
    /// Namespaces where the business applications run.
    static let applications = [shop, prod, payments]
}
