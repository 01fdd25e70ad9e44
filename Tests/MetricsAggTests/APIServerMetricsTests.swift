import AuditCore
@testable import MetricsAgg
import Testing
import TestSupport

/// A Kubernetes audit event line whose request took `millis` ms.
func k8sLine(
    _ id: String, verb: String, user: String, resource: String, namespace: String = "", name: String = "",
    subresource: String? = nil, code: Int = 200, stage: String = "ResponseComplete", millis: Int = 0
) -> String {
    let sub = subresource.map { ",\"subresource\":\"\($0)\"" } ?? ""
    let ns = namespace.isEmpty ? "" : ",\"namespace\":\"\(namespace)\""
    let nm = name.isEmpty ? "" : ",\"name\":\"\(name)\""
    let stageTime = String(format2(millis))
    return """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"\(id)","stage":"\(stage)","requestURI":"/api/v1/\(resource)","verb":"\(verb)","user":{"username":"\(user)","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"\(resource)"\(ns)\(nm)\(sub),"apiVersion":"v1"},"responseStatus":{"metadata":{},"code":\(code)},"requestReceivedTimestamp":"2026-11-24T10:00:00.000000Z","stageTimestamp":"2026-11-24T10:00:\(stageTime)Z"}
        """
}

/// `SS.ffffff` seconds for `millis` below 60 s.
private func format2(_ millis: Int) -> String {
    let s = millis / 1000
    let us = (millis % 1000) * 1000
    let frac = String(us)
    return (s < 10 ? "0" : "") + String(s) + "." + String(repeating: "0", count: 6 - frac.count) + frac
}

@Suite("API-server request metrics")
struct APIServerMetricsTests {
    static let lines = [
        // Counted: ResponseComplete only.
        k8sLine("a1", verb: "get", user: "alice", resource: "secrets", namespace: "shop", name: "db", millis: 30),
        k8sLine("a1", verb: "get", user: "alice", resource: "secrets", namespace: "shop", name: "db", stage: "RequestReceived"),
        k8sLine("a2", verb: "get", user: "alice", resource: "secrets", namespace: "shop", name: "api", millis: 70),
        k8sLine("a3", verb: "list", user: "system:serviceaccount:shop:ci", resource: "pods", namespace: "shop", millis: 450),
        k8sLine("a4", verb: "list", user: "system:node:ip-10-0-0-1", resource: "nodes", millis: 1_300),
        k8sLine("a5", verb: "delete", user: "bob", resource: "secrets", namespace: "shop", name: "db", code: 403, millis: 2),
        k8sLine("a6", verb: "create", user: "system:serviceaccount:shop:ci", resource: "pods", namespace: "shop", code: 403, millis: 5),
        k8sLine("a7", verb: "create", user: "system:kube-scheduler", resource: "pods", namespace: "shop", subresource: "binding", code: 500, millis: 61_000 - 2_000),
        k8sLine("a8", verb: "watch", user: "system:kube-controller-manager", resource: "deployments", millis: 0),
    ]

    @Test("apiserver_request_total counts each request once, by upper-case verb, resource, subresource, scope and code")
    func requests() throws {
        let (temp, directory) = try store(lines: Self.lines)
        _ = temp
        let a = try aggregate(directory)
        let id = "apiserver_request"
        #expect(value(a, id, ["GET", "secrets", "", "resource", "200"]) == 2)
        #expect(value(a, id, ["LIST", "pods", "", "namespace", "200"]) == 1)
        #expect(value(a, id, ["LIST", "nodes", "", "cluster", "200"]) == 1)
        #expect(value(a, id, ["DELETE", "secrets", "", "resource", "403"]) == 1)
        #expect(value(a, id, ["CREATE", "pods", "", "resource", "403"]) == 1)
        #expect(value(a, id, ["CREATE", "pods", "binding", "resource", "500"]) == 1)
        #expect(value(a, id, ["WATCH", "deployments", "", "cluster", "200"]) == 1)
        #expect(a.samples(id).map(\.value).reduce(0, +) == 8)
    }

    @Test("the latency histogram uses kube-apiserver's buckets: stageTimestamp minus requestReceivedTimestamp")
    func latency() throws {
        let (temp, directory) = try store(lines: Self.lines)
        _ = temp
        let a = try aggregate(directory)
        let family = try #require(a.registry.family(id: "apiserver_request_duration_seconds"))
        #expect(family.observations(["GET", "secrets", "", "resource"]) == 2)
        #expect(close(family.value(["GET", "secrets", "", "resource"]), 0.1))
        let text = String(decoding: a.render(.text), as: UTF8.self)
        // 30 ms and 70 ms: one in le=0.05, both in le=0.1.
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="GET",resource="secrets",subresource="",scope="resource",le="0.05"} 1"#))
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="GET",resource="secrets",subresource="",scope="resource",le="0.1"} 2"#))
        // 1.3 s: above 1.25, within 1.5.
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="LIST",resource="nodes",subresource="",scope="cluster",le="1.25"} 0"#))
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="LIST",resource="nodes",subresource="",scope="cluster",le="1.5"} 1"#))
        // 59 s: above 45, within 60.
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="CREATE",resource="pods",subresource="binding",scope="resource",le="45.0"} 0"#))
        #expect(text.contains(#"apiserver_request_duration_seconds_bucket{verb="CREATE",resource="pods",subresource="binding",scope="resource",le="60.0"} 1"#))
    }

    @Test("denied (403) and error counts by user class")
    func denied() throws {
        let (temp, directory) = try store(lines: Self.lines)
        _ = temp
        let a = try aggregate(directory)
        #expect(value(a, "logq_apiserver_requests_denied", ["human"]) == 1)
        #expect(value(a, "logq_apiserver_requests_denied", ["service_account"]) == 1)
        #expect(a.samples("logq_apiserver_requests_denied").count == 2)
        #expect(value(a, "logq_apiserver_request_errors", ["system", "500"]) == 1)
        #expect(value(a, "logq_apiserver_request_errors", ["human", "403"]) == 1)
        #expect(a.samples("logq_apiserver_request_errors").map(\.value).reduce(0, +) == 3)
    }

    @Test("user classes and scopes follow kube-apiserver's rules", arguments: [
        ("system:serviceaccount:kube-system:coredns", "service_account"), ("system:node:ip-1", "node"),
        ("system:anonymous", "system"), ("arn:aws:iam::1:role/admin", "human"), ("", "unknown"),
    ])
    func userClass(user: String, expected: String) {
        #expect(APIServerMetrics.userClass(user) == expected)
    }

    @Test("scope: a named object or a create is resource, a namespace collection namespace, else cluster; none off resources")
    func scope() {
        #expect(APIServerMetrics.scope(verb: "GET", resource: "pods", namespace: "a", name: "b") == "resource")
        #expect(APIServerMetrics.scope(verb: "CREATE", resource: "pods", namespace: "a", name: "") == "resource")
        #expect(APIServerMetrics.scope(verb: "LIST", resource: "pods", namespace: "a", name: "") == "namespace")
        #expect(APIServerMetrics.scope(verb: "LIST", resource: "nodes", namespace: "", name: "") == "cluster")
        #expect(APIServerMetrics.scope(verb: "GET", resource: "", namespace: "", name: "") == "")
        #expect(APIServerMetrics.canonicalVerb("deletecollection") == "DELETECOLLECTION")
        #expect(APIServerMetrics.canonicalVerb("frobnicate") == "other")
    }
}
