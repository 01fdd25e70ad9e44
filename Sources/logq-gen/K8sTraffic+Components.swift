/// Traffic of the cluster's own components: kubelets, leader election, controllers, scheduler.
extension K8sTraffic {
    // MARK: Leases

    mutating func nodeLease(renew: Bool) -> K8sRequest {
        let node = rng.below(cluster.nodes.count)
        let target = K8sRequest.Target.resource(
            .leases, namespace: K8sNamespace.kubeNodeLease, name: cluster.nodes[node].name, subresource: nil)
        guard renew else { return make(cluster.nodes[node].actor, .get, target, query: .timeout(seconds: 10)) }
        return make(
            cluster.nodes[node].actor, .update, target, query: .timeout(seconds: 10),
            outcome: rng.chance(0.003) ? .conflict : nil, refersToVersion: true)
    }

    mutating func leaderLease(renew: Bool) -> K8sRequest {
        // The control plane renews every 2 s, add-ons less often.
        let index = rng.chance(0.92) ? rng.below(2) : 2 + rng.below(cluster.leaderLeases.count - 2)
        let lease = cluster.leaderLeases[index]
        let target = K8sRequest.Target.resource(.leases, namespace: K8sNamespace.kubeSystem, name: lease.name, subresource: nil)
        guard renew else { return make(lease.holder, .get, target, query: .timeout(seconds: 5)) }
        return make(
            lease.holder, .update, target, query: .timeout(seconds: 5), outcome: rng.chance(0.002) ? .conflict : nil,
            refersToVersion: true)
    }

    // MARK: Kubelets

    mutating func kubeletGetPod() -> K8sRequest {
        let pick = randomPod()
        return make(
            kubelet(of: pick), .get,
            .resource(.pods, namespace: namespace(of: pick.workload), name: podName(pick), subresource: nil))
    }

    mutating func kubeletPodStatus() -> K8sRequest {
        let pick = randomPod()
        return make(
            kubelet(of: pick), .patch,
            .resource(.pods, namespace: namespace(of: pick.workload), name: podName(pick), subresource: "status"),
            outcome: rng.chance(0.004) ? .notFound : nil, body: .podStatus(workload: pick.workload, pod: pick.pod))
    }

    mutating func kubeletNodeStatus() -> K8sRequest {
        let node = rng.below(cluster.nodes.count)
        return make(
            cluster.nodes[node].actor, .patch,
            .resource(.nodes, namespace: nil, name: cluster.nodes[node].name, subresource: "status"),
            query: .timeout(seconds: 10), body: .nodeStatus(node: node))
    }

    mutating func kubeletGetNode() -> K8sRequest {
        let node = rng.below(cluster.nodes.count)
        return make(
            cluster.nodes[node].actor, .get, .resource(.nodes, namespace: nil, name: cluster.nodes[node].name, subresource: nil),
            query: rng.chance(0.7) ? .resourceVersionZero : .timeout(seconds: 10))
    }

    /// A kubelet fetching a config map or secret mounted by one of its pods.
    mutating func kubeletGetConfig() -> K8sRequest {
        let pick = randomPod()
        let ns = namespace(of: pick.workload)
        let secrets = cluster.secrets[ns]
        if !secrets.isEmpty && rng.chance(0.4) {
            return make(kubelet(of: pick), .get, .resource(.secrets, namespace: ns, name: rng.pick(secrets), subresource: nil))
        }
        // Optional config maps that were never created answer 404.
        let missing = rng.chance(0.04)
        let name = missing ? "\(cluster.workloads[pick.workload].name)-overrides" : rng.pick(cluster.configMaps[ns])
        return make(
            kubelet(of: pick), .get, .resource(.configmaps, namespace: ns, name: name, subresource: nil),
            outcome: missing ? .notFound : nil)
    }

    mutating func kubeletListPods() -> K8sRequest {
        let node = rng.below(cluster.nodes.count)
        return make(
            cluster.nodes[node].actor, .list, .resource(.pods, namespace: nil, name: nil, subresource: nil),
            query: .podsOfNode(cluster.nodes[node].name))
    }

    mutating func kubeletTokenRequest() -> K8sRequest {
        let pick = randomPod()
        let workload = cluster.workloads[pick.workload]
        return make(
            kubelet(of: pick), .create,
            .resource(.serviceaccounts, namespace: workload.namespace, name: workload.serviceAccount, subresource: "token"),
            body: .tokenRequest(workload: pick.workload, pod: pick.pod))
    }

    mutating func kubeletEvent() -> K8sRequest {
        let pick = randomPod()
        let reasons: [StaticString] = ["Pulled", "Created", "Started", "Unhealthy", "Killing", "BackOff"]
        return make(
            kubelet(of: pick), .create, .resource(.events, namespace: namespace(of: pick.workload), name: nil, subresource: nil),
            body: .event(workload: pick.workload, pod: pick.pod, reason: rng.pick(reasons), component: "kubelet"))
    }

    // MARK: Controllers

    mutating func replicaSetSync() -> K8sRequest {
        let w = rng.below(cluster.workloads.count)
        let workload = cluster.workloads[w]
        if rng.chance(0.7) {
            return make(
                cluster.replicaSetController, .get,
                .resource(.replicasets, namespace: workload.namespace, name: workload.replicaSet, subresource: nil))
        }
        return make(
            cluster.replicaSetController, .update,
            .resource(.replicasets, namespace: workload.namespace, name: workload.replicaSet, subresource: "status"),
            outcome: rng.chance(0.04) ? .conflict : nil, body: .replicaSetStatus(workload: w), refersToVersion: true)
    }

    mutating func deploymentSync() -> K8sRequest {
        let w = rng.below(cluster.workloads.count)
        let workload = cluster.workloads[w]
        if rng.chance(0.6) {
            return make(
                cluster.deploymentController, .list,
                .resource(.replicasets, namespace: workload.namespace, name: nil, subresource: nil),
                query: .labelSelector(workload.name))
        }
        return make(
            cluster.deploymentController, .update,
            .resource(.deployments, namespace: workload.namespace, name: workload.name, subresource: "status"),
            outcome: rng.chance(0.05) ? .conflict : nil, body: .deploymentStatus(workload: w), refersToVersion: true)
    }

    mutating func endpointSliceSync() -> K8sRequest {
        let w = rng.below(cluster.workloads.count)
        let workload = cluster.workloads[w]
        let name = EndpointSliceName.of(workload)
        let roll = rng.unit()
        if roll < 0.02 {
            return make(
                cluster.endpointSliceController, .create,
                .resource(.endpointslices, namespace: workload.namespace, name: name, subresource: nil),
                outcome: rng.chance(0.2) ? .alreadyExists : nil, body: .endpointSlice(workload: w))
        }
        if roll < 0.055 {
            return make(
                cluster.endpointSliceController, .delete,
                .resource(.endpointslices, namespace: workload.namespace,
                          name: "\(workload.name)-\(Alphabet.string(Alphabet.k8sSafe, 5, &rng))", subresource: nil),
                outcome: rng.chance(0.1) ? .notFound : nil, body: .deleteOptions(precondition: false))
        }
        return make(
            cluster.endpointSliceController, .update,
            .resource(.endpointslices, namespace: workload.namespace, name: name, subresource: nil),
            outcome: rng.chance(0.05) ? .conflict : nil, body: .endpointSlice(workload: w), refersToVersion: true)
    }

    mutating func garbageCollection() -> K8sRequest {
        let pick = randomPod()
        let ns = namespace(of: pick.workload)
        let roll = rng.unit()
        if roll < 0.55 {
            let resource: K8sResource = rng.chance(0.5) ? .replicasets : .pods
            return make(cluster.garbageCollector, .list, .resource(resource, namespace: nil, name: nil, subresource: nil),
                        query: .limit500)
        }
        if roll < 0.72 {
            return make(
                cluster.garbageCollector, .get,
                .resource(.replicasets, namespace: ns, name: cluster.workloads[pick.workload].replicaSet, subresource: nil))
        }
        // Deletes of dependents whose owner is gone: old pods and ReplicaSets of rollouts.
        let oldHash = ReplicaSetName.previous(cluster.workloads[pick.workload], &rng)
        let deletesPod = rng.chance(0.7)
        let name = deletesPod ? "\(oldHash)-\(Alphabet.string(Alphabet.k8sSafe, 5, &rng))" : oldHash
        return make(
            cluster.garbageCollector, .delete,
            .resource(deletesPod ? .pods : .replicasets, namespace: ns, name: name, subresource: nil),
            outcome: rng.chance(0.2) ? .notFound : nil, body: .deleteOptions(precondition: true))
    }

    mutating func namespaceSync() -> K8sRequest {
        let ns = rng.below(K8sNamespace.names.count)
        if rng.chance(0.7) {
            return make(cluster.namespaceController, .get,
                        .resource(.namespaces, namespace: nil, name: K8sNamespace.names[ns], subresource: nil))
        }
        return make(cluster.namespaceController, .list, .resource(.namespaces, namespace: nil, name: nil, subresource: nil),
                    query: .initialList)
    }

    mutating func controllerEvent() -> K8sRequest {
        let pick = randomPod()
        let fromReplicaSet = rng.chance(0.6)
        return make(
            fromReplicaSet ? cluster.replicaSetController : cluster.deploymentController, .create,
            .resource(.eventsV1, namespace: namespace(of: pick.workload), name: nil, subresource: nil),
            body: .event(workload: pick.workload, pod: pick.pod,
                         reason: fromReplicaSet ? "SuccessfulCreate" : "ScalingReplicaSet",
                         component: fromReplicaSet ? "replicaset-controller" : "deployment-controller"))
    }

    /// Pods replaced by the ReplicaSet controller (evictions, failed probes, scale-downs).
    mutating func podChurn() -> K8sRequest {
        let pick = randomPod()
        let workload = cluster.workloads[pick.workload]
        if rng.chance(0.5) {
            var request = make(
                cluster.replicaSetController, .create,
                .resource(.pods, namespace: workload.namespace, name: podName(pick), subresource: nil),
                body: .pod(workload: pick.workload, pod: pick.pod))
            request.podSecurity = workload.namespace == K8sNamespace.kubeSystem ? "privileged:latest" : "baseline:latest"
            return request
        }
        return make(
            cluster.replicaSetController, .delete,
            .resource(.pods, namespace: workload.namespace, name: podName(pick), subresource: nil),
            outcome: rng.chance(0.1) ? .notFound : nil, body: .deleteOptions(precondition: false))
    }

    mutating func schedulerBinding() -> K8sRequest {
        let pick = randomPod()
        let pod = cluster.workloads[pick.workload].pods[pick.pod]
        return make(
            cluster.kubeScheduler, .create,
            .resource(.pods, namespace: namespace(of: pick.workload), name: pod.name, subresource: "binding"),
            body: .binding(workload: pick.workload, pod: pick.pod, node: pod.node))
    }

    mutating func schedulerList() -> K8sRequest {
        let resource: K8sResource = rng.chance(0.5) ? .nodes : .persistentvolumeclaims
        return make(cluster.kubeScheduler, .list, .resource(resource, namespace: nil, name: nil, subresource: nil),
                    query: .initialList)
    }
}

/// Names of EndpointSlices: `<service>-<5 random>`, stable per service.
enum EndpointSliceName {
    static func of(_ workload: K8sCluster.Workload) -> String {
        workload.name + "-" + String(workload.replicaSet.suffix(5))
    }
}

/// Names of ReplicaSets from earlier rollouts, which the garbage collector removes.
enum ReplicaSetName {
    static func previous(_ workload: K8sCluster.Workload, _ rng: inout SplitMix64) -> String {
        "\(workload.name)-\(Alphabet.string(Alphabet.k8sSafe, 10, &rng))"
    }
}
