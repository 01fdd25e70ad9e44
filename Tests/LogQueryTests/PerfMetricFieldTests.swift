import AuditCore
import AuditIngest
import LogQuery
import SegmentStore
import Testing
import TestSupport

/// Container Insights metric keys (FORMATS.md §3.4) are fields of perf events, in the plain
/// (version 0) and the `_aws` EMF forms alike.
@Suite("Perf metric fields")
struct PerfMetricFieldTests {
    /// An `_aws` (EMF v1) pod event with `pod_cpu_utilization` 75.5.
    static let awsPod =
        #"{"_aws":{"Timestamp":1795521000000,"CloudWatchMetrics":[{"Namespace":"ContainerInsights","Dimensions":[["PodName","Namespace","ClusterName"]],"Metrics":[{"Name":"pod_cpu_utilization","Unit":"Percent"}]}]},"Type":"Pod","ClusterName":"prod","Namespace":"shop","PodName":"cart","pod_cpu_utilization":75.5,"pod_memory_utilization":12}"#

    /// The real Container Insights sample plus ``awsPod``, ingested into a real store.
    static func store() throws -> (TemporaryDirectory, DataDirectory) {
        let temp = TemporaryDirectory("logq-perf")
        let directory = DataDirectory(path: temp.path + "/data")
        let writer = try openWriter(directory)
        let ingestor = Ingestor(writer: writer, onRejection: { _ in }, onInputError: { _ in })
        let aws = temp.write("aws.jsonl", text: awsPod + "\n")
        var paths = [aws]
        if let realdata = TestPaths.realdata { paths.append(realdata + "/container-insights-emf-awsdocs/container_insights_performance_events.jsonl") }
        try ingestor.ingest(paths: paths)
        try writer.close()
        return (temp, directory)
    }

    static func names(_ query: String, in directory: DataDirectory) throws -> [String] {
        var events: [AuditEvent] = []
        _ = try QueryRunner(executor: QueryExecutor(reader: StoreReader(directory: directory))).run(
            try Query.parse(query, now: fixedNow), onEvent: { events.append($0); return true }, onTable: { _ in })
        return events.map { $0.fields[.name] }.sorted()
    }

    @Test("metric names with a Container Insights prefix resolve to the event's top-level key")
    func names() {
        for name in ["pod_cpu_utilization", "node_memory_working_set", "container_cpu_usage_total", "cluster_node_count", "number_of_container_restarts"] {
            #expect(FieldRef(name: name) != nil, "\(name)")
            #expect(FieldRef(name: name)?.readsRaw == true)
        }
        #expect(FieldRef(name: "usr") == nil)
    }

    @Test("source=perf pod_cpu_utilization>50 finds the busy pod, in both EMF forms")
    func filterByMetric() throws {
        let (temp, directory) = try Self.store()
        _ = temp
        #expect(try Self.names("source=perf pod_cpu_utilization>50", in: directory) == ["cart"])
        if TestPaths.realdata != nil {
            // The real sample's pod (version 0 form) uses 0.145 % CPU.
            #expect(try Self.names("source=perf pod_cpu_utilization>0.1", in: directory) == ["cart", "cloudwatch-agent-statsd"])
            #expect(try Self.names("source=perf node_cpu_utilization>3", in: directory).count == 1)
        }
    }
}
