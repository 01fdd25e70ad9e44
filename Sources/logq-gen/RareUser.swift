import AuditCore

/// The needle in the haystack: a contractor with exactly seven Kubernetes events spread over
/// the dataset — reads of secrets, two secret deletes, and one delete the API refuses (403).
/// Benchmarks search for her to measure how fast a rare value is found.
enum RareUser {
    static let username = "eve.contractor@example.com"
    static let eventCount = 7

    /// Her requests, each at its time: one in each seventh of `[start, end)`, jittered.
    static func requests(cluster: K8sCluster, options: Options) -> [K8sRequest] {
        var rng = SplitMix64(seed: options.seed, stream: RandomStream.rareUser)
        let span = options.end - options.start
        let slot = span / Int64(eventCount)
        let eve = cluster.rareUser
        let payments = K8sNamespace.payments
        let prod = K8sNamespace.prod
        let actions: [(K8sVerb, K8sRequest.Target, K8sRequest.Query, K8sRequest.Outcome)] = [
            (.list, .resource(.namespaces, namespace: nil, name: nil, subresource: nil), .limit500, .success(200)),
            (.list, .resource(.secrets, namespace: payments, name: nil, subresource: nil), .limit500, .success(200)),
            (.get, .resource(.secrets, namespace: payments, name: "stripe-live-key", subresource: nil), .none, .success(200)),
            (.delete, .resource(.secrets, namespace: payments, name: "stripe-live-key", subresource: nil), .none, .success(200)),
            (.list, .resource(.pods, namespace: prod, name: nil, subresource: nil), .limit500, .success(200)),
            (.delete, .resource(.secrets, namespace: K8sNamespace.kubeSystem, name: "aws-load-balancer-tls", subresource: nil),
             .none, .forbidden),
            (.delete, .resource(.secrets, namespace: prod, name: "orders-db-credentials", subresource: nil), .none, .success(200)),
        ]
        var requests: [K8sRequest] = []
        for (index, (verb, target, query, outcome)) in actions.enumerated() {
            // Somewhere in the middle 80 % of her slot, on a whole microsecond.
            let offset = slot / 10 + rng.int64(in: 0..<max(slot * 8 / 10, 1))
            let received = (options.start + Int64(index) * slot + offset) / 1_000 * 1_000
            let hourEnd = (received.floorDiv(Timestamp.nanosPerHour) + 1) * Timestamp.nanosPerHour
            let stage = min(received + Int64(rng.int(in: 3_000...40_000)) * 1_000, hourEnd - 1_000)
            requests.append(K8sRequest(
                stageTime: stage, receivedTime: received, actor: eve, verb: verb, target: target, query: query,
                level: K8sAuditPolicy.level(actor: .human, verb: verb, target: target), outcome: outcome,
                seed: rng.next()))
        }
        return requests
    }
}
