/// Writes Container Insights performance events (FORMATS.md §3) for `--perf-minutes N`: every
/// minute, for each node a `Node` and a `NodeFS` event, for each pod a `Pod` and per container
/// a `Container` event, and `Cluster`, `ClusterNamespace` and `ClusterService` events — the
/// even minutes in EMF version 0 (root `CloudWatchMetrics`, string `Timestamp`), the odd ones
/// in the `_aws` form, so readers meet both.
///
/// Values are consistent the way the agent computes them: utilization = usage / node capacity,
/// over-limit = usage / the sum of container limits, node values the sums of their pods', so
/// the rollups logq derives can be checked by hand. One file, `DIR/perf/performance.jsonl`.
struct PerfGenerator {
    let options: Options
    let cluster: PerfCluster

    init(options: Options) {
        self.options = options
        cluster = PerfCluster(seed: options.seed)
    }

    /// Writes the file; returns a summary line.
    func write() throws(GenError) -> String {
        let file = try OutputFile(path: options.outputDirectory + "/perf/performance.jsonl")
        var random = SplitMix64(seed: options.seed, stream: 0x7065_7266_0001)
        var events = 0
        var out: [UInt8] = []
        for minute in 0..<options.perfMinutes {
            out.removeAll(keepingCapacity: true)
            let millis = options.start / 1_000_000 + Int64(minute) * 60_000
            let aws = minute % 2 == 1
            var nodeCPU = [Double](repeating: 0, count: cluster.nodes.count)
            var nodeMemory = [Double](repeating: 0, count: cluster.nodes.count)
            var nodePods = [Int](repeating: 0, count: cluster.nodes.count)
            var nodeContainers = [Int](repeating: 0, count: cluster.nodes.count)
            var namespacePods: [String: Int] = [:]
            var servicePods: [String: Int] = [:]
            for pod in cluster.pods {
                let node = cluster.nodes[pod.node]
                var podCPU = 0.0, podMemory = 0.0, cpuLimits = 0.0, memoryLimits = 0.0
                for container in pod.containers {
                    let cpu = (container.cpuLimit * (0.05 + 0.6 * random.unit())).rounded()
                    let memory = (container.memoryLimit * (0.2 + 0.6 * random.unit())).rounded()
                    podCPU += cpu
                    podMemory += memory
                    cpuLimits += container.cpuLimit
                    memoryLimits += container.memoryLimit
                    let metrics: [(String, Double)] = [
                        ("container_cpu_usage_total", cpu), ("container_cpu_limit", container.cpuLimit),
                        ("container_cpu_utilization", cpu / node.cpuLimit * 100), ("container_memory_working_set", memory),
                        ("container_memory_limit", container.memoryLimit), ("container_memory_utilization", memory / node.memoryLimit * 100),
                        ("number_of_container_restarts", Double(random.chance(0.01) ? 1 : 0)),
                    ]
                    event(&out, type: "Container", millis: millis, aws: aws, dims: podDims(pod, node) + [("ContainerName", container.name)],
                          kubernetes: kubernetes(pod, node, container: container.name), metrics: metrics)
                    events += 1
                }
                let rx = (20_000 * random.unit()).rounded()
                let tx = (8_000 * random.unit()).rounded()
                let metrics: [(String, Double)] = [
                    ("pod_cpu_usage_total", podCPU), ("pod_cpu_utilization", podCPU / node.cpuLimit * 100),
                    ("pod_cpu_utilization_over_pod_limit", podCPU / cpuLimits * 100), ("pod_memory_working_set", podMemory),
                    ("pod_memory_utilization", podMemory / node.memoryLimit * 100), ("pod_memory_utilization_over_pod_limit", podMemory / memoryLimits * 100),
                    ("pod_cpu_reserved_capacity", cpuLimits / node.cpuLimit * 100), ("pod_memory_reserved_capacity", memoryLimits / node.memoryLimit * 100),
                    ("pod_network_rx_bytes", rx), ("pod_network_tx_bytes", tx), ("pod_number_of_containers", Double(pod.containers.count)),
                    ("pod_number_of_running_containers", Double(pod.containers.count)), ("pod_number_of_container_restarts", 0),
                ]
                event(&out, type: "Pod", millis: millis, aws: aws, dims: podDims(pod, node), kubernetes: kubernetes(pod, node, container: nil), metrics: metrics)
                events += 1
                nodeCPU[pod.node] += podCPU
                nodeMemory[pod.node] += podMemory
                nodePods[pod.node] += 1
                nodeContainers[pod.node] += pod.containers.count
                namespacePods[pod.namespace, default: 0] += 1
                servicePods[pod.namespace + "/" + pod.service, default: 0] += 1
            }
            for (k, node) in cluster.nodes.enumerated() {
                // The system's own use on top of the pods'.
                let cpu = nodeCPU[k] + 150
                let memory = nodeMemory[k] + 900_000_000
                let metrics: [(String, Double)] = [
                    ("node_cpu_usage_total", cpu), ("node_cpu_limit", node.cpuLimit), ("node_cpu_utilization", cpu / node.cpuLimit * 100),
                    ("node_memory_working_set", memory), ("node_memory_limit", node.memoryLimit), ("node_memory_utilization", memory / node.memoryLimit * 100),
                    ("node_number_of_running_pods", Double(nodePods[k])), ("node_number_of_running_containers", Double(nodeContainers[k])),
                    ("node_network_rx_bytes", (50_000 * random.unit()).rounded()), ("node_network_tx_bytes", (30_000 * random.unit()).rounded()),
                ]
                let dims = [("ClusterName", cluster.name), ("NodeName", node.name), ("InstanceId", node.instanceID)]
                event(&out, type: "Node", millis: millis, aws: aws, dims: dims, kubernetes: nil, metrics: metrics)
                let used = (node.fsCapacity * (0.2 + 0.1 * random.unit())).rounded()
                event(&out, type: "NodeFS", millis: millis, aws: aws, dims: dims + [("device", "/dev/nvme0n1p1")], kubernetes: nil, metrics: [
                    ("node_filesystem_capacity", node.fsCapacity), ("node_filesystem_usage", used),
                    ("node_filesystem_available", node.fsCapacity - used), ("node_filesystem_utilization", used / node.fsCapacity * 100),
                ])
                events += 2
            }
            event(&out, type: "Cluster", millis: millis, aws: aws, dims: [("ClusterName", cluster.name)], kubernetes: nil, metrics: [
                ("cluster_node_count", Double(cluster.nodes.count)), ("cluster_failed_node_count", 0),
            ])
            events += 1
            for (namespace, count) in namespacePods.sorted(by: { $0.key < $1.key }) {
                event(&out, type: "ClusterNamespace", millis: millis, aws: aws, dims: [("ClusterName", cluster.name), ("Namespace", namespace)],
                      kubernetes: nil, metrics: [("namespace_number_of_running_pods", Double(count))])
                events += 1
            }
            for (key, count) in servicePods.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "/").map(String.init)
                event(&out, type: "ClusterService", millis: millis, aws: aws, dims: [("ClusterName", cluster.name), ("Namespace", parts[0]), ("Service", parts[1])],
                      kubernetes: nil, metrics: [("service_number_of_running_pods", Double(count))])
                events += 1
            }
            try file.write(out)
        }
        try file.commit()
        return "perf: \(events) Container Insights performance events over \(options.perfMinutes) minutes (\(cluster.nodes.count) nodes, \(cluster.pods.count) pods), \(file.size) bytes"
    }

    private func podDims(_ pod: PerfCluster.Pod, _ node: PerfCluster.Node) -> [(String, String)] {
        [("ClusterName", cluster.name), ("NodeName", node.name), ("Namespace", pod.namespace), ("PodName", pod.owner), ("Service", pod.service)]
    }

    private func kubernetes(_ pod: PerfCluster.Pod, _ node: PerfCluster.Node, container: String?) -> String {
        let containerPart = container.map { ",\"container_name\":\"\($0)\"" } ?? ""
        return "{\"host\":\"\(node.name)\",\"namespace_name\":\"\(pod.namespace)\",\"pod_name\":\"\(pod.fullName)\",\"service_name\":\"\(pod.service)\"\(containerPart)}"
    }

    /// Appends one event line: the EMF directive (its metric names), dimensions, `kubernetes`,
    /// the metric values.
    private func event(
        _ out: inout [UInt8], type: String, millis: Int64, aws: Bool, dims: [(String, String)], kubernetes: String?, metrics: [(String, Double)]
    ) {
        let dimensionKeys = dims.map { "\"\($0.0)\"" }.filter { $0 != "\"InstanceId\"" && $0 != "\"device\"" }.joined(separator: ",")
        let names = metrics.map { "{\"Name\":\"\($0.0)\"}" }.joined(separator: ",")
        let directive = "[{\"Namespace\":\"ContainerInsights\",\"Dimensions\":[[\(dimensionKeys)]],\"Metrics\":[\(names)]}]"
        var line = aws
            ? "{\"_aws\":{\"Timestamp\":\(millis),\"CloudWatchMetrics\":\(directive)},\"Type\":\"\(type)\",\"Version\":\"1\""
            : "{\"CloudWatchMetrics\":\(directive),\"Timestamp\":\"\(millis)\",\"Type\":\"\(type)\",\"Version\":\"0\""
        for (key, value) in dims { line += ",\"\(key)\":\"\(value)\"" }
        line += ",\"Sources\":[\"cadvisor\",\"calculated\"]"
        if let kubernetes { line += ",\"kubernetes\":" + kubernetes }
        for (key, value) in metrics { line += ",\"\(key)\":" + Self.number(value) }
        line += "}\n"
        out.append(contentsOf: line.utf8)
    }

    /// A JSON number: integers without a fraction.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
