/// The simulated EKS cluster `prod-eu`: its nodes, workloads, config objects and every client
/// that talks to its apiserver. Built once from the seed; each hour's traffic draws from it, so
/// names repeat through the day as they do in a real cluster.
struct K8sCluster: Sendable {
    /// A worker node, and the kubelet that runs on it.
    struct Node: Sendable {
        /// `ip-10-0-1-57.eu-west-1.compute.internal`: node name, lease name, kubelet user.
        let name: String
        let ip: String
        /// The EC2 instance, also the session name of the node's IAM role.
        let instanceID: String
        /// Index of its kubelet in `actors`.
        let actor: Int
    }

    /// A running pod of a workload.
    struct Pod: Sendable {
        let name: String
        let uid: String
        let ip: String
        /// Index into `nodes`.
        let node: Int
    }

    /// A Deployment, its current ReplicaSet and pods.
    struct Workload: Sendable {
        let namespace: Int
        let name: String
        let uid: String
        let replicaSet: String
        let replicaSetUID: String
        let image: String
        let port: Int
        let serviceAccount: String
        let pods: [Pod]
        /// `metadata.generation` of the Deployment.
        let generation: Int
    }

    /// A leader-election Lease in `kube-system` and who renews it.
    struct LeaderLease: Sendable {
        let name: String
        /// Index into `actors` of the leader that renews it.
        let holder: Int
    }

    static let kubernetesVersion = "v1.31.2"
    static let gitCommit = "5864a46"
    static let controlPlaneIP = "10.0.128.14"

    let actors: [K8sActor]
    let nodes: [Node]
    let workloads: [Workload]
    /// ConfigMap names by namespace index.
    let configMaps: [[String]]
    /// Secret names by namespace index.
    let secrets: [[String]]
    let leaderLeases: [LeaderLease]

    /// The controller manager's leader-election client.
    let kubeControllerManager: Int
    /// The scheduler's main client (bindings, lists, watches).
    let kubeScheduler: Int
    /// The scheduler's leader-election client.
    let schedulerLeaderElection: Int
    let replicaSetController: Int
    let deploymentController: Int
    let endpointSliceController: Int
    let garbageCollector: Int
    let namespaceController: Int
    /// Application and add-on service accounts that read config and watch the API.
    let applications: [Int]
    let prometheus: Int
    /// An app whose library lists secrets cluster-wide and is refused every time.
    let misconfiguredApp: Int
    let anonymous: Int
    let addonManager: Int
    /// People and CI, weighted by how often they use kubectl.
    let humans: WeightedTable<Int>
    let alice: Int
    let bob: Int
    let deployer: Int
    let admin: Int
    /// The planted needle: `eve.contractor@example.com`.
    let rareUser: Int

    init(seed: UInt64, account: AWSAccount) {
        var rng = SplitMix64(seed: seed, stream: RandomStream.k8sCluster)
        var actors: [K8sActor] = []
        func add(_ actor: K8sActor) -> Int {
            actors.append(actor)
            return actors.count - 1
        }
        let version = K8sCluster.kubernetesVersion
        let git = "kubernetes/\(K8sCluster.gitCommit)"

        // Nodes: four per availability zone (subnets 10.0.1-3.0/24).
        var nodes: [Node] = []
        var usedHosts = Set<Int>()
        for index in 0..<12 {
            let subnet = 1 + index % 3
            var host = 0
            repeat { host = rng.int(in: 4...250) } while !usedHosts.insert(subnet * 1000 + host).inserted
            let ip = "10.0.\(subnet).\(host)"
            let name = "ip-10-0-\(subnet)-\(host).\(AWSAccount.clusterRegion).compute.internal"
            let instance = "i-0" + Alphabet.string(Alphabet.hex, 16, &rng)
            let actor = add(K8sActor(
                kind: .kubelet, username: "system:node:\(name)",
                uid: "aws-iam-authenticator:\(AWSAccount.id):\(account.nodeRole.uniqueID)",
                groups: ["system:bootstrappers", "system:nodes", "system:authenticated"],
                extra: [
                    ("accessKeyId", "ASIA" + Alphabet.string(Alphabet.awsID, 16, &rng)),
                    ("arn", account.nodeRole.sessionArn(instance)),
                    ("canonicalArn", account.nodeRole.arn),
                    ("sessionName", instance),
                ],
                sourceIP: ip, userAgent: "kubelet/\(version)-eks-7f9249a (linux/amd64) kubernetes/7f9249a", grant: .none))
            nodes.append(Node(name: name, ip: ip, instanceID: instance, actor: actor))
        }
        self.nodes = nodes

        // Workloads.
        let registry = "\(AWSAccount.id).dkr.ecr.\(AWSAccount.clusterRegion).amazonaws.com"
        let eksRegistry = "602401143452.dkr.ecr.\(AWSAccount.clusterRegion).amazonaws.com"
        let specs: [(Int, String, Int, String, Int)] = [
            (K8sNamespace.shop, "cart", 3, "\(registry)/cart:1.14.2", 8080),
            (K8sNamespace.shop, "catalog", 2, "\(registry)/catalog:2.3.0", 8080),
            (K8sNamespace.shop, "checkout", 2, "\(registry)/checkout:1.9.7", 8080),
            (K8sNamespace.shop, "frontend", 3, "\(registry)/frontend:4.0.1", 3000),
            (K8sNamespace.prod, "api", 3, "\(registry)/api:7.12.0", 8443),
            (K8sNamespace.prod, "orders", 2, "\(registry)/orders:3.4.4", 8080),
            (K8sNamespace.prod, "worker", 2, "\(registry)/worker:3.4.4", 9000),
            (K8sNamespace.payments, "payments-api", 2, "\(registry)/payments-api:3.2.0", 8443),
            (K8sNamespace.payments, "ledger", 2, "\(registry)/ledger:1.0.9", 8080),
            (K8sNamespace.payments, "fraud-scorer", 1, "\(registry)/fraud-scorer:0.8.3", 5000),
            (K8sNamespace.monitoring, "prometheus", 1, "quay.io/prometheus/prometheus:v2.54.1", 9090),
            (K8sNamespace.monitoring, "grafana", 1, "docker.io/grafana/grafana:11.2.2", 3000),
            (K8sNamespace.monitoring, "kube-state-metrics", 1, "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0", 8080),
            (K8sNamespace.kubeSystem, "coredns", 2, "\(eksRegistry)/eks/coredns:v1.11.3-eksbuild.2", 53),
            (K8sNamespace.kubeSystem, "aws-load-balancer-controller", 2, "public.ecr.aws/eks/aws-load-balancer-controller:v2.8.2", 9443),
            (K8sNamespace.kubeSystem, "ebs-csi-controller", 2, "\(eksRegistry)/eks/aws-ebs-csi-driver:v1.35.0", 9808),
            (K8sNamespace.kubeSystem, "metrics-server", 1, "registry.k8s.io/metrics-server/metrics-server:v0.7.2", 10250),
            (K8sNamespace.default, "nginx-test", 1, "docker.io/library/nginx:1.27.2", 80),
        ]
        var workloads: [Workload] = []
        for (namespace, name, replicas, image, port) in specs {
            let hash = Alphabet.string(Alphabet.k8sSafe, 10, &rng)
            var pods: [Pod] = []
            for _ in 0..<replicas {
                let node = rng.below(nodes.count)
                let subnet = 1 + node % 3
                pods.append(Pod(
                    name: "\(name)-\(hash)-\(Alphabet.string(Alphabet.k8sSafe, 5, &rng))", uid: Alphabet.uuid(&rng),
                    ip: "10.0.\(subnet).\(rng.int(in: 4...250))", node: node))
            }
            let serviceAccount = name == "ebs-csi-controller" ? "ebs-csi-controller-sa" : name
            workloads.append(Workload(
                namespace: namespace, name: name, uid: Alphabet.uuid(&rng), replicaSet: "\(name)-\(hash)",
                replicaSetUID: Alphabet.uuid(&rng), image: image, port: port, serviceAccount: serviceAccount,
                pods: pods, generation: rng.int(in: 2...90)))
        }
        self.workloads = workloads

        configMaps = [
            ["kube-root-ca.crt", "nginx-test-config"],
            ["kube-root-ca.crt", "coredns", "aws-auth", "kube-proxy", "kube-proxy-config", "amazon-vpc-cni", "extension-apiserver-authentication"],
            ["kube-root-ca.crt"],
            ["kube-root-ca.crt", "cart-config", "catalog-config", "checkout-config", "feature-flags", "frontend-env"],
            ["kube-root-ca.crt", "api-config", "orders-config", "worker-config", "feature-flags"],
            ["kube-root-ca.crt", "payments-api-config", "ledger-config", "fraud-rules"],
            ["kube-root-ca.crt", "prometheus-server", "grafana", "grafana-dashboards", "kube-state-metrics-config"],
        ]
        secrets = [
            ["default-registry-credentials"],
            ["aws-load-balancer-tls", "ebs-csi-webhook-certs", "bootstrap-token-4m7x2q", "sh.helm.release.v1.aws-load-balancer-controller.v3"],
            [],
            ["stripe-api-key", "cart-redis", "catalog-db", "sh.helm.release.v1.shop.v27"],
            ["orders-db-credentials", "api-tls", "worker-queue-credentials", "sh.helm.release.v1.prod.v41"],
            ["stripe-live-key", "ledger-db", "fraud-model-token", "payments-api-tls"],
            ["grafana-admin", "prometheus-remote-write", "alertmanager-slack-webhook"],
        ]

        // Control plane and controllers.
        kubeControllerManager = add(K8sActor(
            kind: .controlPlane, username: "system:kube-controller-manager", groups: ["system:authenticated"],
            sourceIP: K8sCluster.controlPlaneIP, userAgent: "kube-controller-manager/\(version) (linux/amd64) \(git)/leader-election",
            grant: .clusterRoleBinding(binding: "system:kube-controller-manager", role: "system:kube-controller-manager",
                                       subject: "User \"system:kube-controller-manager\"")))
        // The scheduler's leader election runs under its own client (user agent suffix).
        func scheduler(_ client: String) -> Int {
            add(K8sActor(
                kind: .controlPlane, username: "system:kube-scheduler", groups: ["system:authenticated"],
                sourceIP: K8sCluster.controlPlaneIP, userAgent: "kube-scheduler/\(version) (linux/amd64) \(git)/\(client)",
                grant: .clusterRoleBinding(binding: "system:kube-scheduler", role: "system:kube-scheduler",
                                           subject: "User \"system:kube-scheduler\"")))
        }
        kubeScheduler = scheduler("scheduler")
        schedulerLeaderElection = scheduler("leader-election")
        func controller(_ name: String) -> Int {
            add(K8sActor(
                kind: .controller, username: "system:serviceaccount:kube-system:\(name)", uid: Alphabet.uuid(&rng),
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                sourceIP: K8sCluster.controlPlaneIP,
                userAgent: "kube-controller-manager/\(version) (linux/amd64) \(git)/system:serviceaccount:kube-system:\(name)",
                grant: .clusterRoleBinding(binding: "system:controller:\(name)", role: "system:controller:\(name)",
                                           subject: "ServiceAccount \"\(name)/kube-system\"")))
        }
        replicaSetController = controller("replicaset-controller")
        deploymentController = controller("deployment-controller")
        endpointSliceController = controller("endpointslice-controller")
        garbageCollector = controller("generic-garbage-collector")
        namespaceController = controller("namespace-controller")

        // Application service accounts, authenticated by bound tokens of their first pod.
        func application(_ workloadName: String, userAgent: String, clusterWide: Bool) -> Int {
            let workload = workloads.first { $0.name == workloadName }!
            let pod = workload.pods[0]
            let namespace = K8sNamespace.names[workload.namespace]
            let subject = "ServiceAccount \"\(workload.serviceAccount)/\(namespace)\""
            let grant: K8sActor.Grant = clusterWide
                ? .clusterRoleBinding(binding: workload.name, role: workload.name, subject: subject)
                : .roleBinding(binding: "\(workload.name)-reader", role: "view", clusterBinding: "\(workload.name)-reader",
                               clusterRole: "view", subject: subject)
            return add(K8sActor(
                kind: .serviceAccount, username: "system:serviceaccount:\(namespace):\(workload.serviceAccount)",
                uid: Alphabet.uuid(&rng),
                groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"],
                extra: [
                    ("authentication.kubernetes.io/credential-id", "JTI=\(Alphabet.uuid(&rng))"),
                    ("authentication.kubernetes.io/node-name", nodes[pod.node].name),
                    ("authentication.kubernetes.io/pod-name", pod.name),
                    ("authentication.kubernetes.io/pod-uid", pod.uid),
                ],
                namespace: workload.namespace, sourceIP: pod.ip, userAgent: userAgent, grant: grant))
        }
        let cart = application("cart", userAgent: "fabric8-kubernetes-client/6.13.1", clusterWide: false)
        prometheus = application("prometheus", userAgent: "Prometheus/2.54.1", clusterWide: true)
        applications = [
            cart,
            application("orders", userAgent: "OpenAPI-Generator/31.0.0/python", clusterWide: false),
            application("ledger", userAgent: "ledger/1.0.9 (linux/amd64) kubernetes/$Format", clusterWide: false),
            application("kube-state-metrics", userAgent: "kube-state-metrics/v2.13.0 (linux/amd64) kubernetes/8b8a9a3", clusterWide: true),
            application("coredns", userAgent: "coredns/v1.11.3 (linux/amd64) kubernetes/a8e7ba6", clusterWide: true),
            application("aws-load-balancer-controller", userAgent: "aws-load-balancer-controller/v2.8.2 (linux/amd64) kubernetes/$Format", clusterWide: true),
            application("ebs-csi-controller", userAgent: "csi-provisioner/v5.1.0 (linux/amd64) kubernetes/$Format", clusterWide: true),
            application("metrics-server", userAgent: "metrics-server/v0.7.2 (linux/amd64) kubernetes/$Format", clusterWide: true),
            prometheus,
        ]
        misconfiguredApp = cart

        anonymous = add(K8sActor(
            kind: .anonymous, username: "system:anonymous", groups: ["system:unauthenticated"], sourceIP: "10.0.128.3",
            userAgent: "kube-probe/1.31+", grant: .clusterRoleBinding(
                binding: "system:public-info-viewer", role: "system:public-info-viewer", subject: "Group \"system:unauthenticated\"")))
        addonManager = add(K8sActor(
            kind: .eksInternal, username: "eks:addon-manager",
            uid: "aws-iam-authenticator:\(AWSAccount.id):AROA\(Alphabet.string(Alphabet.awsID, 17, &rng))",
            groups: ["system:authenticated"],
            extra: [
                ("accessKeyId", "ASIA" + Alphabet.string(Alphabet.awsID, 16, &rng)),
                ("arn", "arn:aws:sts::\(AWSAccount.id):assumed-role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-1W9GTC6KJBD7/1732406400123456789"),
                ("canonicalArn", "arn:aws:iam::\(AWSAccount.id):role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-1W9GTC6KJBD7"),
                ("sessionName", "1732406400123456789"),
            ],
            sourceIP: "10.0.128.201", userAgent: "eks-addon-manager/v1.31.0 (linux/amd64) kubernetes/$Format",
            grant: .clusterRoleBinding(binding: "eks:addon-manager", role: "eks:addon-manager", subject: "User \"eks:addon-manager\"")))

        // People and CI.
        alice = add(K8sActor(
            kind: .human, username: "alice@example.com", groups: ["platform-team", "system:authenticated"],
            sourceIP: "203.0.113.24", userAgent: "kubectl/\(version) (darwin/arm64) \(git)",
            grant: .roleBinding(binding: "platform-team-edit", role: "edit", clusterBinding: "platform-team-view",
                                clusterRole: "view", subject: "Group \"platform-team\"")))
        bob = add(K8sActor(
            kind: .human, username: "bob@example.com", groups: ["sre", "system:authenticated"],
            sourceIP: "203.0.113.58", userAgent: "kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5",
            grant: .clusterRoleBinding(binding: "sre-cluster-admin", role: "cluster-admin", subject: "Group \"sre\"")))
        func iamRole(_ role: AWSAccount.Role, session: String, groups: [String], ip: String, userAgent: String,
                     grant: K8sActor.Grant) -> Int {
            add(K8sActor(
                kind: .human, username: role.arn, uid: "aws-iam-authenticator:\(AWSAccount.id):\(role.uniqueID)",
                groups: groups + ["system:authenticated"],
                extra: [
                    ("accessKeyId", "ASIA" + Alphabet.string(Alphabet.awsID, 16, &rng)),
                    ("arn", role.sessionArn(session)),
                    ("canonicalArn", role.arn),
                    ("sessionName", session),
                ],
                sourceIP: ip, userAgent: userAgent, grant: grant))
        }
        deployer = iamRole(
            account.deployer, session: "ci-bot", groups: ["deployers"], ip: "198.51.100.7",
            userAgent: "kubectl/v1.30.4 (linux/amd64) kubernetes/a51b3b7",
            grant: .roleBinding(binding: "deployer", role: "edit", clusterBinding: "deployer-view", clusterRole: "view",
                                subject: "Group \"deployers\""))
        admin = iamRole(
            account.admin, session: "bob", groups: ["platform-admins"], ip: "203.0.113.58",
            userAgent: "kubectl/\(version) (darwin/arm64) \(git)",
            grant: .clusterRoleBinding(binding: "platform-admins", role: "cluster-admin", subject: "Group \"platform-admins\""))
        humans = WeightedTable([(deployer, 35), (alice, 25), (bob, 20), (admin, 20)])
        rareUser = add(K8sActor(
            kind: .human, username: RareUser.username, groups: ["contractors", "system:authenticated"],
            sourceIP: "198.51.100.77", userAgent: "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625",
            grant: .roleBinding(binding: "contractors-edit", role: "edit", clusterBinding: "contractors-view",
                                clusterRole: "view", subject: "Group \"contractors\"")))

        leaderLeases = [
            LeaderLease(name: "kube-controller-manager", holder: kubeControllerManager),
            LeaderLease(name: "kube-scheduler", holder: schedulerLeaderElection),
            LeaderLease(name: "aws-load-balancer-controller-leader", holder: applications[5]),
            LeaderLease(name: "ebs-csi-aws-com", holder: applications[6]),
        ]
        self.actors = actors
    }
}
