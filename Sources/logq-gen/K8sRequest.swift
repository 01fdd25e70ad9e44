/// One audit event to write, decided by the traffic model and encoded by `K8sAuditEncoder`.
///
/// Everything that sets the event's place in the file (its times) or its meaning (who, verb,
/// target, outcome) is decided here; small random details (auditID, resourceVersions, UIDs
/// inside bodies) come from `seed` at encoding time. The two stages of one watch share a seed,
/// and so an auditID.
struct K8sRequest: Sendable {
    /// What the request is about.
    enum Target: Sendable {
        /// A non-resource URL (`/healthz`, `/version`): no objectRef.
        case path(StaticString)
        /// A resource request; `name` is nil for list, watch, deletecollection and namespaced creates
        /// by generateName.
        case resource(K8sResource, namespace: Int?, name: String?, subresource: StaticString?)
    }

    /// The query string of the request URI.
    enum Query: Sendable {
        case none
        /// `?timeout=10s` (client-go's default for leases and node status).
        case timeout(seconds: Int)
        /// `?limit=500`.
        case limit500
        /// `?resourceVersion=0` (read from the watch cache).
        case resourceVersionZero
        /// `?limit=500&resourceVersion=0` (an informer's initial list).
        case initialList
        /// Pods bound to one node: `?fieldSelector=spec.nodeName%3D<node>&limit=500&resourceVersion=0`.
        case podsOfNode(String)
        /// An informer watch: `?allowWatchBookmarks=true&resourceVersion=…&timeout=…&timeoutSeconds=…&watch=true`
        /// (the resourceVersion follows from the time the watch started).
        case watch(timeoutSeconds: Int, fieldSelector: String?)
        /// `?labelSelector=app%3D<app>`.
        case labelSelector(String)
        /// kubectl apply: `?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`.
        case apply
        /// kubectl logs: `?container=<c>&tailLines=200`.
        case logs(container: String)
        /// kubectl exec into a shell.
        case exec(container: String)
    }

    /// How the request ended.
    enum Outcome: Sendable, Equatable {
        /// 2xx: 200, or 201 for creates.
        case success(Int)
        case forbidden
        case notFound
        case conflict
        case alreadyExists
        case invalid
        case internalError

        var code: Int {
            switch self {
            case .success(let code): code
            case .forbidden: 403
            case .notFound: 404
            case .conflict, .alreadyExists: 409
            case .invalid: 422
            case .internalError: 500
            }
        }

        var isSuccess: Bool {
            if case .success = self { return true }
            return false
        }
    }

    /// The request body (`requestObject`) and, for `RequestResponse`, the response body.
    enum Body: Sendable {
        case none
        /// The kubelet's strategic-merge patch of node conditions.
        case nodeStatus(node: Int)
        /// The kubelet's patch of a pod's conditions and container statuses.
        case podStatus(workload: Int, pod: Int)
        /// `DeleteOptions`, with a UID precondition when the garbage collector sends it.
        case deleteOptions(precondition: Bool)
        /// The scheduler's pod binding.
        case binding(workload: Int, pod: Int, node: Int)
        /// An EndpointSlice of a workload's service.
        case endpointSlice(workload: Int)
        /// A ReplicaSet status update.
        case replicaSetStatus(workload: Int)
        /// A Deployment status update.
        case deploymentStatus(workload: Int)
        /// A core/v1 Event about a pod, reported by `component`.
        case event(workload: Int, pod: Int, reason: StaticString, component: StaticString)
        /// A new pod of a workload (`replicaset-controller` creates).
        case pod(workload: Int, pod: Int)
        /// kubectl apply of a Deployment (patch with the last-applied annotation).
        case deploymentApply(workload: Int)
        /// kubectl scale (patch of the scale subresource).
        case scale(workload: Int, replicas: Int)
        /// A TokenRequest for a pod's service account.
        case tokenRequest(workload: Int, pod: Int)
        /// kubectl delete of a pod: DeleteOptions in, the terminating Pod out.
        case podDeletion(workload: Int, pod: Int)
    }

    /// When this stage happened; the file is sorted by it.
    var stageTime: Int64
    /// When the apiserver received the request.
    var receivedTime: Int64
    var stage: K8sStage = .responseComplete
    /// Index into `K8sCluster.actors`.
    var actor: Int
    /// Index into `K8sCluster.actors` of an impersonated user, or nil.
    var impersonated: Int?
    var verb: K8sVerb
    var target: Target
    var query: Query = .none
    var level: K8sLevel = .metadata
    var outcome: Outcome
    var body: Body = .none
    /// Whether objectRef carries the object's uid and resourceVersion (updates of known objects).
    var refersToVersion = false
    /// Extra annotation: Pod Security admission's policy, on pod creates.
    var podSecurity: StaticString?
    /// Seeds the random details written by the encoder.
    var seed: UInt64
}
