import AuditCore
import Foundation
import SegmentStore
@testable import MetricsAgg
import Testing
import TestSupport

/// A pod performance event: `aws` picks the EMF v1 form (`_aws`, numeric Timestamp), else
/// version 0 (root CloudWatchMetrics, string Timestamp).
func podEvent(
    aws: Bool, millis: Int64, cluster: String = "prod", namespace: String, service: String, pod: String, node: String = "ip-10-0-1-5",
    cpuPercent: Double, memoryWorkingSet: Int, memoryLimit: Int = 1_000_000_000, rxBytes: Double, restarts: Int = 0
) -> String {
    let directive = #"{"Namespace":"ContainerInsights","Dimensions":[["PodName","Namespace","ClusterName"]],"Metrics":[{"Name":"pod_cpu_utilization","Unit":"Percent"}]}"#
    let head = aws
        ? #"{"_aws":{"Timestamp":\#(millis),"CloudWatchMetrics":[\#(directive)]},"Type":"Pod","Version":"1""#
        : #"{"CloudWatchMetrics":[\#(directive)],"Timestamp":"\#(millis)","Type":"Pod","Version":"0""#
    let owner = pod.split(separator: "-").first.map(String.init) ?? pod
    return head + #","ClusterName":"\#(cluster)","NodeName":"\#(node)","Namespace":"\#(namespace)","PodName":"\#(owner)","Service":"\#(service)","kubernetes":{"pod_name":"\#(pod)","namespace_name":"\#(namespace)","service_name":"\#(service)"},"pod_cpu_utilization":\#(cpuPercent),"pod_memory_working_set":\#(memoryWorkingSet),"pod_memory_utilization_over_pod_limit":\#(Double(memoryWorkingSet) / Double(memoryLimit) * 100),"pod_network_rx_bytes":\#(rxBytes),"pod_number_of_container_restarts":\#(restarts)}"#
}

@Suite("Container Insights rollups")
struct ContainerInsightsMetricsTests {
    static let node = "ip-192-0-2-0.us-west-2.compute.internal"
    static let pod = ["myCICluster", "amazon-cloudwatch", "cloudwatch-agent-statsd", "cloudwatch-agent-statsd-df44f855f-ts4q2"]

    @Test("the awsdocs sample: node, file system, pod, container and cluster gauges in base units and 0-1 ratios")
    func realSample() throws {
        guard let path = containerInsightsSample else { return }
        let (temp, directory) = try store(paths: [path])
        _ = temp
        let a = try aggregate(directory)
        let node = ["myCICluster", Self.node]
        // node_cpu_utilization 3.4119630423110245 % = usage 136.478 millicores / limit 4000.
        #expect(close(value(a, "containerinsights_node_cpu_utilization_ratio", node), 136.47852169244098 / 4000))
        #expect(close(value(a, "containerinsights_node_cpu_usage_cores", node), 0.13647852169244098))
        #expect(close(value(a, "containerinsights_node_cpu_limit_cores", node), 4))
        // node_memory_utilization = working set / limit.
        #expect(close(value(a, "containerinsights_node_memory_utilization_ratio", node), 1097457664.0 / 16624865280))
        #expect(value(a, "containerinsights_node_memory_working_set_bytes", node) == 1097457664)
        #expect(value(a, "containerinsights_node_running_pods", node) == 13)
        #expect(value(a, "containerinsights_node_running_containers", node) == 16)
        #expect(close(value(a, "containerinsights_node_network_receive_bytes_per_second", node), 35918.392817386324))
        // NodeFS: usage / capacity.
        #expect(close(value(a, "containerinsights_node_filesystem_utilization_ratio", node + ["/dev/nvme0n1p1"]), 4163837952.0 / 21462233088))
        // Pod: CPU over the node's capacity (5.817 / 4000), memory over the pod's limit.
        #expect(close(value(a, "containerinsights_pod_cpu_utilization_ratio", Self.pod), 0.0014542542168575312))
        #expect(close(value(a, "containerinsights_pod_memory_utilization_over_pod_limit_ratio", Self.pod), 18268160.0 / 104857600))
        #expect(value(a, "containerinsights_pod_memory_working_set_bytes", Self.pod) == 18268160)
        #expect(value(a, "containerinsights_pod_container_restarts", Self.pod) == 0)
        #expect(value(a, "containerinsights_pod_running_containers", Self.pod) == 1)
        // Container: labels down to the container name from kubernetes.container_name.
        #expect(close(value(a, "containerinsights_container_memory_utilization_ratio", Self.pod + ["cloudwatch-agent"]), 0.0010574541028701798))
        #expect(close(value(a, "containerinsights_container_cpu_limit_cores", Self.pod + ["cloudwatch-agent"]), 0.2))
        // Cluster-level events.
        #expect(value(a, "containerinsights_cluster_nodes", ["myCICluster"]) == 3)
        #expect(value(a, "containerinsights_cluster_failed_nodes", ["myCICluster"]) == 0)
        #expect(value(a, "containerinsights_service_running_pods", ["myCICluster", "amazon-cloudwatch", "cloudwatch-agent-statsd"]) == 1)
        #expect(value(a, "containerinsights_namespace_running_pods", ["myCICluster", "amazon-cloudwatch"]) == 7)
        // Rollups of one node and one pod are their values.
        #expect(close(value(a, "containerinsights_cluster_node_cpu_utilization_ratio", ["myCICluster"]), 136.47852169244098 / 4000))
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["myCICluster", "amazon-cloudwatch"]), 0.0014542542168575312))
        // ECS events and the Prometheus-scraped apiserver event make no Container Insights series.
        #expect(a.samples("containerinsights_node_cpu_utilization_ratio").count == 1)
        #expect(!a.samples("containerinsights_cluster_nodes").contains { $0.labels == ["MyCluster"] })
    }

    /// Three pods in two namespaces, two samples of one of them given newest first, in both EMF forms.
    static let generated = [
        podEvent(aws: true, millis: 1_795_510_000_000, namespace: "shop", service: "cart", pod: "cart-6d9f-aaaaa", cpuPercent: 20, memoryWorkingSet: 250_000_000, rxBytes: 1000, restarts: 2),
        podEvent(aws: false, millis: 1_795_510_060_000, namespace: "shop", service: "cart", pod: "cart-6d9f-bbbbb", cpuPercent: 50, memoryWorkingSet: 500_000_000, rxBytes: 3000),
        podEvent(aws: false, millis: 1_795_509_940_000, namespace: "shop", service: "cart", pod: "cart-6d9f-bbbbb", cpuPercent: 90, memoryWorkingSet: 900_000_000, rxBytes: 9000),
        podEvent(aws: true, millis: 1_795_510_000_000, namespace: "ops", service: "grafana", pod: "grafana-77c-ccccc", cpuPercent: 10, memoryWorkingSet: 100_000_000, rxBytes: 500, restarts: 1),
    ]

    @Test("generated pods in both EMF forms: gauges at the latest sample; rollups average ratios and add totals")
    func generatedRollups() throws {
        let (temp, directory) = try store(lines: Self.generated)
        _ = temp
        let a = try aggregate(directory)
        // The later sample of pod b (50 %) wins over the earlier one (90 %), whatever the order.
        #expect(close(value(a, "containerinsights_pod_cpu_utilization_ratio", ["prod", "shop", "cart", "cart-6d9f-bbbbb"]), 0.5))
        #expect(value(a, "containerinsights_pod_memory_working_set_bytes", ["prod", "shop", "cart", "cart-6d9f-bbbbb"]) == 500_000_000)
        #expect(close(value(a, "containerinsights_pod_cpu_utilization_ratio", ["prod", "shop", "cart", "cart-6d9f-aaaaa"]), 0.2))
        // Service and namespace shop: mean of 20 % and 50 %; cluster: mean of 20, 50, 10 %.
        #expect(close(value(a, "containerinsights_service_pod_cpu_utilization_ratio", ["prod", "shop", "cart"]), 0.35))
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["prod", "shop"]), 0.35))
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["prod", "ops"]), 0.1))
        #expect(close(value(a, "containerinsights_cluster_pod_cpu_utilization_ratio", ["prod"]), (0.2 + 0.5 + 0.1) / 3))
        // Memory over the pod limit: 0.25 and 0.5 → 0.375.
        #expect(close(value(a, "containerinsights_namespace_pod_memory_utilization_over_pod_limit_ratio", ["prod", "shop"]), 0.375))
        // Totals add up: received bytes 1000 + 3000 in shop, + 500 in the cluster; restarts 2 + 1.
        #expect(value(a, "containerinsights_namespace_pod_network_receive_bytes_per_second", ["prod", "shop"]) == 4000)
        #expect(value(a, "containerinsights_cluster_pod_network_receive_bytes_per_second", ["prod"]) == 4500)
        #expect(value(a, "containerinsights_cluster_pod_container_restarts", ["prod"]) == 3)
    }

    @Test("rollups follow a change: a sample folded after a scrape moves the namespace mean")
    func rollupsFollow() {
        /// The event the EMF parser would make of `line` (cluster and namespace fields, raw bytes).
        func event(_ line: String, time: Int64) -> AuditEvent {
            var f = FieldValues()
            f[.cluster] = "prod"
            f[.ns] = "shop"
            return AuditEvent(time: time, source: .perf, fields: f, raw: Array(line.utf8))
        }
        let a = MetricsAggregator()
        a.add(event(Self.generated[0], time: 1))
        a.add(event(Self.generated[1], time: 2))
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["prod", "shop"]), 0.35))
        _ = a.render(.text)
        a.add(event(podEvent(aws: true, millis: 3, namespace: "shop", service: "cart", pod: "cart-6d9f-aaaaa", cpuPercent: 40, memoryWorkingSet: 1, rxBytes: 0), time: 3))
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["prod", "shop"]), 0.45))
        let text = String(decoding: a.render(.text), as: UTF8.self)
        #expect(text.contains(#"containerinsights_namespace_pod_cpu_utilization_ratio{cluster="prod",namespace="shop"} 0.45"#))
    }
}

/// `logq-gen --perf-minutes`: the generated cluster's rollups agree with its leaves.
@Suite("Container Insights on generated perf events")
struct GeneratedPerfTests {
    /// The built `logq-gen`, when there is one.
    static var generator: String? {
        TestPaths.logqBinary.map { String($0.dropLast("logq".count)) + "logq-gen" }.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
    }

    @Test("five minutes of generated events: rollups are the means and sums of the latest leaves")
    func rollups() throws {
        guard let generator = Self.generator else {
            print("GeneratedPerfTests: logq-gen is not built; skipped")
            return
        }
        let temp = TemporaryDirectory("logq-perf-gen")
        let run = Shell.run(generator, ["--out", temp.path + "/gen", "--k8s", "0", "--cloudtrail", "0", "--perf-minutes", "5", "--seed", "7"])
        #expect(run.status == 0, "\(run.stderr)")
        let directory = DataDirectory(path: temp.path + "/data")
        try ingest(lines: [], paths: [temp.path + "/gen/perf/performance.jsonl"], into: directory, temp: temp)
        let a = try aggregate(directory)
        let nodes = a.samples("containerinsights_node_cpu_usage_cores")
        let pods = a.samples("containerinsights_pod_cpu_utilization_ratio")
        #expect(nodes.count == 6)
        #expect(pods.count > 20)
        // Every node: utilization = usage / capacity (the agent's formula, kept by the generator).
        for node in nodes {
            let limit = try #require(value(a, "containerinsights_node_cpu_limit_cores", node.labels))
            #expect(close(value(a, "containerinsights_node_cpu_utilization_ratio", node.labels), node.value / limit))
        }
        // Cluster rollups: running pods add up to the pods seen; ratios are the mean over pods.
        #expect(value(a, "containerinsights_cluster_node_running_pods", ["bench"]) == Double(pods.count))
        let namespaces = a.samples("containerinsights_namespace_running_pods")
        #expect(namespaces.map(\.value).reduce(0, +) == Double(pods.count))
        let mean = pods.map(\.value).reduce(0, +) / Double(pods.count)
        #expect(close(value(a, "containerinsights_cluster_pod_cpu_utilization_ratio", ["bench"]), mean))
        #expect(close(value(a, "containerinsights_cluster_node_cpu_usage_cores", ["bench"]), nodes.map(\.value).reduce(0, +)))
        // Namespace shop: the mean of its pods' latest values.
        let shop = pods.filter { $0.labels[1] == "shop" }.map(\.value)
        #expect(close(value(a, "containerinsights_namespace_pod_cpu_utilization_ratio", ["bench", "shop"]), shop.reduce(0, +) / Double(shop.count)))
    }
}
