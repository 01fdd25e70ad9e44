import AuditCore

/// Traffic of the cluster's clients: applications, monitoring, health probes, people, watches.
extension K8sTraffic {
    // MARK: Applications

    mutating func applicationRead() -> K8sRequest {
        let actor = rng.pick(cluster.applications)
        let ns = cluster.actors[actor].namespace ?? K8sNamespace.default
        let roll = rng.unit()
        if roll < 0.35 {
            let missing = rng.chance(0.03)
            let name = missing ? "feature-flags-v2" : rng.pick(cluster.configMaps[ns])
            return make(actor, .get, .resource(.configmaps, namespace: ns, name: name, subresource: nil),
                        outcome: missing ? .notFound : nil)
        }
        if roll < 0.5, !cluster.secrets[ns].isEmpty {
            return make(actor, .get, .resource(.secrets, namespace: ns, name: rng.pick(cluster.secrets[ns]), subresource: nil))
        }
        let resources: [(K8sResource, namespaced: Bool)] = [
            (.pods, true), (.services, true), (.endpointslices, true), (.endpoints, true), (.namespaces, false), (.ingresses, true),
        ]
        let (resource, namespaced) = rng.pick(resources)
        let scoped = namespaced && rng.chance(0.5)
        return make(actor, .list, .resource(resource, namespace: scoped ? ns : nil, name: nil, subresource: nil),
                    query: rng.chance(0.5) ? .initialList : .limit500)
    }

    /// The cart service's client library lists secrets cluster-wide, which its role does not allow.
    mutating func misconfiguredApplication() -> K8sRequest {
        make(cluster.misconfiguredApp, .list, .resource(.secrets, namespace: nil, name: nil, subresource: nil),
             query: .limit500, outcome: .forbidden)
    }

    mutating func prometheusScrape() -> K8sRequest {
        if rng.chance(0.55) { return make(cluster.prometheus, .get, .path("/metrics")) }
        let resources: [(K8sResource, namespaced: Bool)] = [(.pods, true), (.services, true), (.endpoints, true), (.nodes, false)]
        let (resource, namespaced) = rng.pick(resources)
        let ns = namespaced ? rng.pick(K8sNamespace.applications + [K8sNamespace.monitoring]) : nil
        return make(cluster.prometheus, .list, .resource(resource, namespace: ns, name: nil, subresource: nil),
                    query: .initialList)
    }

    mutating func healthCheck() -> K8sRequest {
        let paths: [StaticString] = ["/healthz", "/readyz", "/livez", "/readyz", "/livez"]
        return make(cluster.anonymous, .get, .path(rng.pick(paths)))
    }

    mutating func discovery() -> K8sRequest {
        let paths: [StaticString] = ["/api?timeout=32s", "/apis?timeout=32s", "/version", "/version?timeout=32s", "/openapi/v2?timeout=32s"]
        let actor = rng.chance(0.4) ? cluster.humans.draw(&rng) : rng.pick(cluster.applications)
        return make(actor, .get, .path(rng.pick(paths)))
    }

    mutating func addonManager() -> K8sRequest {
        let coredns = cluster.workloads.first { $0.name == "coredns" }!
        let roll = rng.unit()
        if roll < 0.5 {
            return make(cluster.addonManager, .get,
                        .resource(.configmaps, namespace: K8sNamespace.kubeSystem, name: "coredns", subresource: nil))
        }
        if roll < 0.9 {
            return make(cluster.addonManager, .get,
                        .resource(.deployments, namespace: K8sNamespace.kubeSystem, name: coredns.name, subresource: nil))
        }
        return make(cluster.addonManager, .list, .resource(.serviceaccounts, namespace: K8sNamespace.kubeSystem, name: nil, subresource: nil),
                    query: .limit500)
    }

    // MARK: People

    /// kubectl sessions of people and CI: reads mostly, some applies, scales, deletes and execs.
    mutating func person() -> K8sRequest {
        let actor = cluster.humans.draw(&rng)
        let pick = randomPod(in: K8sNamespace.applications + [K8sNamespace.default, K8sNamespace.monitoring])
        let workload = cluster.workloads[pick.workload]
        let ns = workload.namespace
        let roll = rng.unit()
        switch roll {
        case ..<0.28:
            return make(actor, .list, .resource(.pods, namespace: ns, name: nil, subresource: nil), query: .limit500)
        case ..<0.38:
            return make(actor, .get, .resource(.deployments, namespace: ns, name: workload.name, subresource: nil))
        case ..<0.46:
            let missing = rng.chance(0.1)
            return make(actor, .get,
                        .resource(.pods, namespace: ns, name: missing ? "\(workload.name)-debug" : podName(pick), subresource: nil),
                        outcome: missing ? .notFound : nil)
        case ..<0.54:
            return make(actor, .get, .resource(.pods, namespace: ns, name: podName(pick), subresource: "log"),
                        query: .logs(container: workload.name))
        case ..<0.58:
            return make(actor, .create, .resource(.pods, namespace: ns, name: podName(pick), subresource: "exec"),
                        query: .exec(container: workload.name))
        case ..<0.68:
            return make(actor, .patch, .resource(.deployments, namespace: ns, name: workload.name, subresource: nil),
                        query: .apply, outcome: rng.chance(0.04) ? .invalid : nil,
                        body: .deploymentApply(workload: pick.workload), refersToVersion: false)
        case ..<0.72:
            return make(actor, .patch, .resource(.deployments, namespace: ns, name: workload.name, subresource: "scale"),
                        body: .scale(workload: pick.workload, replicas: workload.pods.count + rng.int(in: -1...2)))
        case ..<0.78:
            let gone = rng.chance(0.12)
            return make(actor, .delete,
                        .resource(.pods, namespace: ns, name: gone ? "\(workload.name)-debug" : podName(pick), subresource: nil),
                        outcome: gone ? .notFound : nil, body: .podDeletion(workload: pick.workload, pod: pick.pod))
        case ..<0.84:
            // Secrets in kube-system are off limits for everyone but the admins.
            let inKubeSystem = rng.chance(0.3)
            let secretNamespace = inKubeSystem ? K8sNamespace.kubeSystem : ns
            let allowed = !inKubeSystem || actor == cluster.bob || actor == cluster.admin
            let names = cluster.secrets[secretNamespace]
            return make(actor, .get,
                        .resource(.secrets, namespace: secretNamespace, name: names.isEmpty ? "registry" : rng.pick(names), subresource: nil),
                        outcome: allowed ? nil : .forbidden)
        case ..<0.88:
            return make(actor, .get, .resource(.configmaps, namespace: ns, name: rng.pick(cluster.configMaps[ns]), subresource: nil))
        case ..<0.885:
            // kubectl delete pods -l app=<name>: one request for the lot.
            return make(actor, .deletecollection, .resource(.pods, namespace: ns, name: nil, subresource: nil),
                        query: .labelSelector(workload.name), body: .deleteOptions(precondition: false))
        case ..<0.895:
            // An admin checks what an application may do by impersonating its service account.
            return make(cluster.admin, .list, .resource(.secrets, namespace: K8sNamespace.shop, name: nil, subresource: nil),
                        query: .limit500, outcome: .forbidden, impersonated: cluster.misconfiguredApp)
        case ..<0.95:
            return make(actor, .list, .resource(.nodes, namespace: nil, name: nil, subresource: nil), query: .limit500)
        default:
            return make(actor, .list, .resource(.events, namespace: ns, name: nil, subresource: nil), query: .limit500)
        }
    }

    // MARK: Watches

    /// A long-running informer watch: `ResponseStarted` at once, `ResponseComplete` when its
    /// timeout ends minutes later; both in this hour, one auditID.
    mutating func addWatch() {
        let timeout = rng.int(in: 300...599)
        let (actor, resource, namespace, selector) = watcher()
        let started = make(
            actor, .watch, .resource(resource, namespace: namespace, name: nil, subresource: nil),
            query: .watch(timeoutSeconds: timeout, fieldSelector: selector))
        // Place the whole watch inside the hour.
        let duration = Int64(timeout) * 1_000_000_000 + Int64(rng.int(in: 100...4_000)) * 1_000
        let received = randomMoment(before: Timestamp.nanosPerHour - duration)
        var first = started
        first.receivedTime = received
        first.stageTime = received + started.stageTime - started.receivedTime
        first.stage = .responseStarted
        first.outcome = .success(200)
        var last = first
        last.stageTime = received + duration
        last.stage = .responseComplete
        requests.append(first)
        requests.append(last)
    }

    /// Who watches what: kubelets their pods' config, controllers and add-ons their informers.
    private mutating func watcher() -> (Int, K8sResource, Int?, String?) {
        let roll = rng.unit()
        if roll < 0.4 {
            let pick = randomPod()
            let ns = namespace(of: pick.workload)
            if rng.chance(0.5) || cluster.secrets[ns].isEmpty {
                return (kubelet(of: pick), .configmaps, ns, "metadata.name=" + rng.pick(cluster.configMaps[ns]))
            }
            return (kubelet(of: pick), .secrets, ns, "metadata.name=" + rng.pick(cluster.secrets[ns]))
        }
        if roll < 0.65 {
            let controllers = [
                (cluster.replicaSetController, K8sResource.replicasets), (cluster.replicaSetController, .pods),
                (cluster.deploymentController, .deployments), (cluster.endpointSliceController, .endpointslices),
                (cluster.endpointSliceController, .services), (cluster.garbageCollector, .pods),
                (cluster.namespaceController, .namespaces),
            ]
            let (actor, resource) = rng.pick(controllers)
            return (actor, resource, nil, nil)
        }
        if roll < 0.75 {
            return (cluster.kubeScheduler, .pods, nil, "status.phase!=Succeeded,status.phase!=Failed")
        }
        let resources: [K8sResource] = [.pods, .services, .endpointslices, .endpoints, .namespaces, .nodes]
        return (rng.pick(cluster.applications), rng.pick(resources), nil, nil)
    }
}
