/// The Container Insights metrics logq turns into Prometheus gauges (FORMATS.md §3.4), with
/// their Prometheus names in base units, and the rollups along Cluster → Node and
/// Cluster → Namespace → Service → Pod → Container (docs/metrics.md says how each is derived).
enum ContainerInsightsCatalog {
    /// Where in the hierarchy a performance event's metrics sit, which fixes their labels.
    enum Level: Int, CaseIterable {
        case node, nodeFilesystem, pod, container, containerFilesystem, cluster, service, namespace

        /// The labels of this level's series, lower case.
        var labels: [String] {
            switch self {
            case .node: ["cluster", "node"]
            case .nodeFilesystem: ["cluster", "node", "device"]
            case .pod: ["cluster", "namespace", "service", "pod"]
            case .container, .containerFilesystem: ["cluster", "namespace", "service", "pod", "container"]
            case .cluster: ["cluster"]
            case .service: ["cluster", "namespace", "service"]
            case .namespace: ["cluster", "namespace"]
            }
        }
    }

    /// How a raw value becomes the exported one.
    enum Scale {
        /// As is (bytes, counts).
        case one
        /// Percent 0–100 → ratio 0–1.
        case percent
        /// Millicores → cores.
        case millicores

        /// What the raw value is divided by (a division, not a product with 0.01, so 50 % is exactly 0.5).
        var divisor: Double {
            switch self {
            case .one: 1
            case .percent: 100
            case .millicores: 1000
            }
        }
    }

    /// One exported metric: the key in the performance event, the level, the Prometheus name
    /// (without the `containerinsights_` prefix) and the scale.
    struct Metric {
        var key: String
        var level: Level
        var name: String
        var scale: Scale
        var help: String
    }

    /// How a rollup combines the latest values of its children.
    enum Combine {
        /// The mean: CloudWatch's Average over the dimension set, used for ratios.
        case mean
        /// The sum: totals of bytes, cores and counts.
        case sum
    }

    /// A rollup of a leaf metric to a coarser level: its series are keyed by that level's
    /// labels, a prefix of the leaf's.
    struct Rollup {
        var leaf: String
        var level: Level
        var combine: Combine
    }

    static let prefix = "containerinsights_"

    static let metrics: [Metric] = [
        // Node (Type Node)
        Metric(key: "node_cpu_utilization", level: .node, name: "node_cpu_utilization_ratio", scale: .percent, help: "Node CPU usage over the node's CPU capacity, 0-1."),
        Metric(key: "node_cpu_reserved_capacity", level: .node, name: "node_cpu_reserved_capacity_ratio", scale: .percent, help: "CPU requested by the node's pods over its capacity, 0-1."),
        Metric(key: "node_memory_utilization", level: .node, name: "node_memory_utilization_ratio", scale: .percent, help: "Node memory working set over its memory capacity, 0-1."),
        Metric(key: "node_memory_reserved_capacity", level: .node, name: "node_memory_reserved_capacity_ratio", scale: .percent, help: "Memory requested by the node's pods over its capacity, 0-1."),
        Metric(key: "node_cpu_usage_total", level: .node, name: "node_cpu_usage_cores", scale: .millicores, help: "CPU the node uses, in cores."),
        Metric(key: "node_cpu_limit", level: .node, name: "node_cpu_limit_cores", scale: .millicores, help: "The node's CPU capacity, in cores."),
        Metric(key: "node_cpu_request", level: .node, name: "node_cpu_request_cores", scale: .millicores, help: "CPU requested by the node's pods, in cores."),
        Metric(key: "node_memory_working_set", level: .node, name: "node_memory_working_set_bytes", scale: .one, help: "The node's memory working set."),
        Metric(key: "node_memory_limit", level: .node, name: "node_memory_limit_bytes", scale: .one, help: "The node's memory capacity."),
        Metric(key: "node_memory_request", level: .node, name: "node_memory_request_bytes", scale: .one, help: "Memory requested by the node's pods."),
        Metric(key: "node_network_rx_bytes", level: .node, name: "node_network_receive_bytes_per_second", scale: .one, help: "Bytes the node receives per second."),
        Metric(key: "node_network_tx_bytes", level: .node, name: "node_network_transmit_bytes_per_second", scale: .one, help: "Bytes the node sends per second."),
        Metric(key: "node_network_total_bytes", level: .node, name: "node_network_bytes_per_second", scale: .one, help: "Bytes the node receives and sends per second."),
        Metric(key: "node_number_of_running_pods", level: .node, name: "node_running_pods", scale: .one, help: "Pods running on the node."),
        Metric(key: "node_number_of_running_containers", level: .node, name: "node_running_containers", scale: .one, help: "Containers running on the node."),
        // NodeFS
        Metric(key: "node_filesystem_utilization", level: .nodeFilesystem, name: "node_filesystem_utilization_ratio", scale: .percent, help: "Used over capacity of a node file system, 0-1."),
        Metric(key: "node_filesystem_capacity", level: .nodeFilesystem, name: "node_filesystem_capacity_bytes", scale: .one, help: "Capacity of a node file system."),
        Metric(key: "node_filesystem_usage", level: .nodeFilesystem, name: "node_filesystem_usage_bytes", scale: .one, help: "Bytes used on a node file system."),
        Metric(key: "node_filesystem_available", level: .nodeFilesystem, name: "node_filesystem_available_bytes", scale: .one, help: "Bytes available on a node file system."),
        // Pod
        Metric(key: "pod_cpu_utilization", level: .pod, name: "pod_cpu_utilization_ratio", scale: .percent, help: "Pod CPU usage over the node's CPU capacity, 0-1."),
        Metric(key: "pod_memory_utilization", level: .pod, name: "pod_memory_utilization_ratio", scale: .percent, help: "Pod memory working set over the node's memory capacity, 0-1."),
        Metric(key: "pod_cpu_utilization_over_pod_limit", level: .pod, name: "pod_cpu_utilization_over_pod_limit_ratio", scale: .percent, help: "Pod CPU usage over the sum of its containers' CPU limits, 0-1."),
        Metric(key: "pod_memory_utilization_over_pod_limit", level: .pod, name: "pod_memory_utilization_over_pod_limit_ratio", scale: .percent, help: "Pod memory working set over the sum of its containers' memory limits, 0-1."),
        Metric(key: "pod_cpu_reserved_capacity", level: .pod, name: "pod_cpu_reserved_capacity_ratio", scale: .percent, help: "Pod CPU request over the node's CPU capacity, 0-1."),
        Metric(key: "pod_memory_reserved_capacity", level: .pod, name: "pod_memory_reserved_capacity_ratio", scale: .percent, help: "Pod memory request over the node's memory capacity, 0-1."),
        Metric(key: "pod_cpu_usage_total", level: .pod, name: "pod_cpu_usage_cores", scale: .millicores, help: "CPU the pod uses, in cores."),
        Metric(key: "pod_memory_working_set", level: .pod, name: "pod_memory_working_set_bytes", scale: .one, help: "The pod's memory working set."),
        Metric(key: "pod_network_rx_bytes", level: .pod, name: "pod_network_receive_bytes_per_second", scale: .one, help: "Bytes the pod receives per second."),
        Metric(key: "pod_network_tx_bytes", level: .pod, name: "pod_network_transmit_bytes_per_second", scale: .one, help: "Bytes the pod sends per second."),
        Metric(key: "pod_number_of_container_restarts", level: .pod, name: "pod_container_restarts", scale: .one, help: "Restarts of the pod's containers."),
        Metric(key: "pod_number_of_containers", level: .pod, name: "pod_containers", scale: .one, help: "Containers in the pod."),
        Metric(key: "pod_number_of_running_containers", level: .pod, name: "pod_running_containers", scale: .one, help: "Containers of the pod that run."),
        // Container
        Metric(key: "container_cpu_utilization", level: .container, name: "container_cpu_utilization_ratio", scale: .percent, help: "Container CPU usage over the node's CPU capacity, 0-1."),
        Metric(key: "container_memory_utilization", level: .container, name: "container_memory_utilization_ratio", scale: .percent, help: "Container memory working set over the node's memory capacity, 0-1."),
        Metric(key: "container_cpu_usage_total", level: .container, name: "container_cpu_usage_cores", scale: .millicores, help: "CPU the container uses, in cores."),
        Metric(key: "container_cpu_limit", level: .container, name: "container_cpu_limit_cores", scale: .millicores, help: "The container's CPU limit, in cores."),
        Metric(key: "container_memory_working_set", level: .container, name: "container_memory_working_set_bytes", scale: .one, help: "The container's memory working set."),
        Metric(key: "container_memory_limit", level: .container, name: "container_memory_limit_bytes", scale: .one, help: "The container's memory limit."),
        Metric(key: "number_of_container_restarts", level: .container, name: "container_restarts", scale: .one, help: "Restarts of the container."),
        // ContainerFS
        Metric(key: "container_filesystem_utilization", level: .containerFilesystem, name: "container_filesystem_utilization_ratio", scale: .percent, help: "Used over capacity of a container's file system, 0-1."),
        Metric(key: "container_filesystem_usage", level: .containerFilesystem, name: "container_filesystem_usage_bytes", scale: .one, help: "Bytes the container uses on its file system."),
        // Cluster, ClusterService, ClusterNamespace
        Metric(key: "cluster_node_count", level: .cluster, name: "cluster_nodes", scale: .one, help: "Nodes in the cluster."),
        Metric(key: "cluster_failed_node_count", level: .cluster, name: "cluster_failed_nodes", scale: .one, help: "Nodes with a failing node condition."),
        Metric(key: "cluster_number_of_running_pods", level: .cluster, name: "cluster_running_pods", scale: .one, help: "Pods running in the cluster."),
        Metric(key: "service_number_of_running_pods", level: .service, name: "service_running_pods", scale: .one, help: "Pods running behind the service."),
        Metric(key: "namespace_number_of_running_pods", level: .namespace, name: "namespace_running_pods", scale: .one, help: "Pods running in the namespace."),
    ]

    /// The rollups: the CloudWatch dimension sets of FORMATS.md §3.5 ([ClusterName] for node
    /// metrics; [Service, Namespace, ClusterName], [Namespace, ClusterName] and [ClusterName]
    /// for pod metrics). Ratios average, totals add up.
    static let rollups: [Rollup] = {
        var out: [Rollup] = []
        for leaf in ["node_cpu_utilization_ratio", "node_memory_utilization_ratio", "node_cpu_reserved_capacity_ratio", "node_memory_reserved_capacity_ratio", "node_filesystem_utilization_ratio"] {
            out.append(Rollup(leaf: leaf, level: .cluster, combine: .mean))
        }
        for leaf in ["node_cpu_usage_cores", "node_cpu_limit_cores", "node_memory_working_set_bytes", "node_memory_limit_bytes", "node_network_bytes_per_second", "node_running_pods", "node_running_containers"] {
            out.append(Rollup(leaf: leaf, level: .cluster, combine: .sum))
        }
        for level in [Level.service, .namespace, .cluster] {
            for leaf in ["pod_cpu_utilization_ratio", "pod_memory_utilization_ratio", "pod_cpu_utilization_over_pod_limit_ratio", "pod_memory_utilization_over_pod_limit_ratio"] {
                out.append(Rollup(leaf: leaf, level: level, combine: .mean))
            }
            for leaf in ["pod_network_receive_bytes_per_second", "pod_network_transmit_bytes_per_second", "pod_container_restarts"] {
                out.append(Rollup(leaf: leaf, level: level, combine: .sum))
            }
        }
        return out
    }()

    /// The rollup family's name: the level's name before the leaf's (`namespace_pod_cpu_utilization_ratio`).
    static func rollupName(_ rollup: Rollup) -> String {
        let level = switch rollup.level {
        case .cluster: "cluster"
        case .service: "service"
        case .namespace: "namespace"
        default: "node"
        }
        return prefix + level + "_" + rollup.leaf
    }
}
