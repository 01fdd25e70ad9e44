import AuditCore

/// Decides what one hour of apiserver traffic looks like: which clients call, with which verbs,
/// on which objects, and how each call ends. The mix follows what busy EKS clusters log: lease
/// renewals and kubelet status traffic dominate, controllers and informers follow, people are rare.
struct K8sTraffic {
    /// A kind of interaction; each adds one event, except `watch`, which adds two stages.
    enum Activity: Sendable, Equatable {
        case nodeLeaseRenew, nodeLeaseGet, leaderLeaseRenew, leaderLeaseGet
        case kubeletGetPod, kubeletPodStatus, kubeletNodeStatus, kubeletGetNode, kubeletGetConfig
        case kubeletListPods, kubeletTokenRequest, kubeletEvent
        case watch
        case replicaSetSync, deploymentSync, endpointSliceSync, garbageCollection, namespaceSync
        case controllerEvent, podChurn, schedulerBinding, schedulerList
        case applicationRead, misconfiguredApplication, prometheusScrape, healthCheck, discovery
        case person, addonManager
    }

    /// How often each activity happens, per 10,000 drawn.
    static let mix = WeightedTable<Activity>([
        (.nodeLeaseRenew, 1_100), (.nodeLeaseGet, 40), (.leaderLeaseRenew, 1_900), (.leaderLeaseGet, 150),
        (.kubeletGetPod, 300), (.kubeletPodStatus, 150), (.kubeletNodeStatus, 120), (.kubeletGetNode, 200),
        (.kubeletGetConfig, 300), (.kubeletListPods, 60), (.kubeletTokenRequest, 80), (.kubeletEvent, 60),
        (.watch, 250),
        (.replicaSetSync, 200), (.deploymentSync, 80), (.endpointSliceSync, 100), (.garbageCollection, 220),
        (.namespaceSync, 60), (.controllerEvent, 80), (.podChurn, 50), (.schedulerBinding, 40), (.schedulerList, 60),
        (.applicationRead, 450), (.misconfiguredApplication, 200), (.prometheusScrape, 300), (.healthCheck, 1_200),
        (.discovery, 200), (.person, 300), (.addonManager, 60),
    ])

    let cluster: K8sCluster
    /// Start of the hour, nanoseconds.
    let hourStart: Int64
    var rng: SplitMix64
    /// The requests decided so far, in the order they were drawn.
    var requests: [K8sRequest] = []

    init(cluster: K8sCluster, hourStart: Int64, rng: SplitMix64) {
        self.cluster = cluster
        self.hourStart = hourStart
        self.rng = rng
    }

    /// Adds requests until exactly `count` more events exist.
    mutating func generate(events count: Int) {
        requests.reserveCapacity(requests.count + count)
        var remaining = count
        while remaining > 0 {
            let activity = K8sTraffic.mix.draw(&rng)
            if activity == .watch {
                guard remaining >= 2 else { continue }
                addWatch()
                remaining -= 2
            } else {
                requests.append(request(for: activity))
                remaining -= 1
            }
        }
    }

    /// Adds an already decided request (the rare user's).
    mutating func add(_ request: K8sRequest) {
        requests.append(request)
    }

    private mutating func request(for activity: Activity) -> K8sRequest {
        switch activity {
        case .nodeLeaseRenew: nodeLease(renew: true)
        case .nodeLeaseGet: nodeLease(renew: false)
        case .leaderLeaseRenew: leaderLease(renew: true)
        case .leaderLeaseGet: leaderLease(renew: false)
        case .kubeletGetPod: kubeletGetPod()
        case .kubeletPodStatus: kubeletPodStatus()
        case .kubeletNodeStatus: kubeletNodeStatus()
        case .kubeletGetNode: kubeletGetNode()
        case .kubeletGetConfig: kubeletGetConfig()
        case .kubeletListPods: kubeletListPods()
        case .kubeletTokenRequest: kubeletTokenRequest()
        case .kubeletEvent: kubeletEvent()
        case .watch: preconditionFailure("watches add two events; see addWatch()")
        case .replicaSetSync: replicaSetSync()
        case .deploymentSync: deploymentSync()
        case .endpointSliceSync: endpointSliceSync()
        case .garbageCollection: garbageCollection()
        case .namespaceSync: namespaceSync()
        case .controllerEvent: controllerEvent()
        case .podChurn: podChurn()
        case .schedulerBinding: schedulerBinding()
        case .schedulerList: schedulerList()
        case .applicationRead: applicationRead()
        case .misconfiguredApplication: misconfiguredApplication()
        case .prometheusScrape: prometheusScrape()
        case .healthCheck: healthCheck()
        case .discovery: discovery()
        case .person: person()
        case .addonManager: addonManager()
        }
    }

    // MARK: Building blocks

    /// A request at a random moment of the hour, with a latency typical of its verb.
    mutating func make(
        _ actor: Int, _ verb: K8sVerb, _ target: K8sRequest.Target, query: K8sRequest.Query = .none,
        outcome: K8sRequest.Outcome? = nil, body: K8sRequest.Body = .none, refersToVersion: Bool = false,
        impersonated: Int? = nil
    ) -> K8sRequest {
        var outcome = outcome ?? .success(verb == .create ? 201 : 200)
        // A rare internal error (etcd timeout, webhook failure), on any resource request.
        if outcome.isSuccess, case .resource = target, rng.chance(0.0002) { outcome = .internalError }
        let latency = self.latency(verb, target)
        let received = randomMoment(before: Timestamp.nanosPerHour - latency)
        let kind = cluster.actors[impersonated ?? actor].kind
        return K8sRequest(
            stageTime: received + latency, receivedTime: received, actor: actor, impersonated: impersonated,
            verb: verb, target: target, query: query,
            level: K8sAuditPolicy.level(actor: kind, verb: verb, target: target),
            outcome: outcome, body: outcome == .forbidden ? .none : body,
            refersToVersion: refersToVersion && outcome != .forbidden, seed: rng.next())
    }

    /// A time in `[hourStart, hourStart + limit)`, whole microseconds (MicroTime's precision).
    mutating func randomMoment(before limit: Int64) -> Int64 {
        hourStart + rng.int64(in: 0..<(limit / 1_000)) * 1_000
    }

    /// How long the apiserver takes, in nanoseconds (whole microseconds): skewed toward the fast end,
    /// with a slow tail.
    mutating func latency(_ verb: K8sVerb, _ target: K8sRequest.Target) -> Int64 {
        let (low, high): (Double, Double)
        if case .path = target {
            (low, high) = (150, 2_500)
        } else {
            switch verb {
            case .get: (low, high) = (600, 9_000)
            case .list: (low, high) = (3_000, 140_000)
            case .watch: (low, high) = (500, 5_000)
            case .create: (low, high) = (2_500, 45_000)
            case .update, .patch: (low, high) = (1_800, 28_000)
            case .delete, .deletecollection: (low, high) = (2_500, 38_000)
            }
        }
        let u = rng.unit()
        var micros = low + (high - low) * u * u * u
        if rng.chance(0.01) { micros *= 8 }
        return Int64(micros) * 1_000
    }

    /// A random workload (optionally in one of `namespaces`) and one of its pod indexes.
    mutating func randomPod(in namespaces: [Int]? = nil) -> (workload: Int, pod: Int) {
        var workload = rng.below(cluster.workloads.count)
        if let namespaces {
            while !namespaces.contains(cluster.workloads[workload].namespace) { workload = rng.below(cluster.workloads.count) }
        }
        return (workload, rng.below(cluster.workloads[workload].pods.count))
    }

    /// The kubelet actor of the node running a pod.
    func kubelet(of pick: (workload: Int, pod: Int)) -> Int {
        cluster.nodes[cluster.workloads[pick.workload].pods[pick.pod].node].actor
    }

    func podName(_ pick: (workload: Int, pod: Int)) -> String {
        cluster.workloads[pick.workload].pods[pick.pod].name
    }

    func namespace(of workload: Int) -> Int {
        cluster.workloads[workload].namespace
    }
}
