/// The cluster whose Container Insights performance events `--perf-minutes` writes: nodes,
/// namespaces, services and pods with fixed capacities and requests, chosen once from the seed.
struct PerfCluster: Sendable {
    struct Node: Sendable {
        var name: String
        var instanceID: String
        /// Capacity in millicores and bytes (Container Insights' node_cpu_limit, node_memory_limit).
        var cpuLimit: Double
        var memoryLimit: Double
        var fsCapacity: Double
    }

    struct Pod: Sendable {
        var namespace: String
        var service: String
        /// The owner's name (Container Insights' PodName) and the pod's full name.
        var owner: String
        var fullName: String
        var node: Int
        /// Container names, each with a CPU limit (millicores) and a memory limit (bytes).
        var containers: [(name: String, cpuLimit: Double, memoryLimit: Double)]
    }

    let name = "bench"
    var nodes: [Node] = []
    var pods: [Pod] = []

    /// Six nodes, four namespaces, twelve workloads of two or three replicas.
    init(seed: UInt64) {
        var random = SplitMix64(seed: seed, stream: 0x7065_7266)  // "perf"
        for k in 0..<6 {
            nodes.append(Node(
                name: "ip-10-0-\(k / 3)-\(10 + k).eu-west-1.compute.internal", instanceID: "i-0\(String(random.next(), radix: 16).prefix(15))",
                cpuLimit: k < 3 ? 4000 : 8000, memoryLimit: k < 3 ? 16_624_865_280 : 33_249_730_560, fsCapacity: 85_886_742_528))
        }
        let workloads = [
            ("shop", "cart"), ("shop", "checkout"), ("shop", "catalog"), ("payments", "ledger"), ("payments", "gateway"),
            ("ops", "grafana"), ("ops", "prometheus"), ("ops", "loki"), ("kube-system", "coredns"), ("kube-system", "metrics-server"),
            ("shop", "search"), ("payments", "fraud"),
        ]
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        for (namespace, owner) in workloads {
            let replicas = 2 + random.below(2)
            let hash = String((0..<10).map { _ in alphabet[random.below(alphabet.count)] })
            for _ in 0..<replicas {
                let suffix = String((0..<5).map { _ in alphabet[random.below(alphabet.count)] })
                var containers = [(owner, Double(250 * (1 + random.below(4))), Double(268_435_456 * (1 + random.below(4))))]
                if random.chance(0.3) { containers.append(("istio-proxy", 100, 134_217_728)) }
                pods.append(Pod(namespace: namespace, service: owner, owner: owner, fullName: "\(owner)-\(hash)-\(suffix)", node: random.below(nodes.count), containers: containers))
            }
        }
    }
}
