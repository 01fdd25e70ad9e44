import AuditCore

/// The `requestObject` and `responseObject` bodies: what kubelets, controllers and kubectl send,
/// trimmed to the fields that matter but shaped like the real objects.
extension K8sAuditEncoder {
    func writeRequestObject(_ r: K8sRequest, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        switch r.body {
        case .none:
            return
        case .nodeStatus(let node):
            w.key("requestObject")
            writeNodeStatusPatch(r, node, &w)
        case .podStatus(let workload, let pod):
            w.key("requestObject")
            writePodStatusPatch(r, workload, pod, &w)
        case .deleteOptions(let precondition):
            w.key("requestObject")
            w.beginObject()
            w.field("kind", "DeleteOptions")
            w.field("apiVersion", "meta.k8s.io/__internal")
            if precondition {
                w.key("preconditions")
                w.beginObject()
                w.key("uid")
                w.uuid(&rng)
                w.endObject()
            }
            w.field("propagationPolicy", "Background")
            w.endObject()
        case .podDeletion:
            w.key("requestObject")
            w.beginObject()
            w.field("kind", "DeleteOptions")
            w.field("apiVersion", "v1")
            w.field("propagationPolicy", "Background")
            w.endObject()
        case .binding(let workload, let pod, let node):
            let p = cluster.workloads[workload].pods[pod]
            w.key("requestObject")
            w.beginObject()
            w.field("kind", "Binding")
            w.field("apiVersion", "v1")
            w.key("metadata")
            w.beginObject()
            w.field("name", p.name)
            w.field("namespace", K8sNamespace.names[cluster.workloads[workload].namespace])
            w.field("uid", p.uid)
            w.key("creationTimestamp")
            w.null()
            w.endObject()
            w.key("target")
            w.beginObject()
            w.field("kind", "Node")
            w.field("name", cluster.nodes[node].name)
            w.endObject()
            w.endObject()
        case .endpointSlice(let workload):
            w.key("requestObject")
            writeEndpointSlice(r, workload, &w)
        case .replicaSetStatus(let workload):
            w.key("requestObject")
            writeReplicaSet(r, workload, &w)
        case .deploymentStatus(let workload):
            w.key("requestObject")
            writeDeployment(r, workload, withStatus: true, &w)
        case .event(let workload, let pod, let reason, let component):
            w.key("requestObject")
            writeEvent(r, workload, pod, reason, component, &w, &rng)
        case .pod(let workload, let pod):
            w.key("requestObject")
            writePod(r, workload, pod, deleting: false, &w)
        case .deploymentApply(let workload):
            w.key("requestObject")
            writeApplyPatch(workload, &w)
        case .scale(_, let replicas):
            w.key("requestObject")
            w.beginObject()
            w.key("spec")
            w.beginObject()
            w.field("replicas", max(replicas, 0))
            w.endObject()
            w.endObject()
        case .tokenRequest(let workload, let pod):
            let wl = cluster.workloads[workload]
            w.key("requestObject")
            w.beginObject()
            w.field("kind", "TokenRequest")
            w.field("apiVersion", "authentication.k8s.io/v1")
            w.key("metadata")
            w.beginObject()
            w.field("name", wl.serviceAccount)
            w.field("namespace", K8sNamespace.names[wl.namespace])
            w.key("creationTimestamp")
            w.null()
            w.endObject()
            w.key("spec")
            w.beginObject()
            w.key("audiences")
            w.beginArray()
            w.string("https://kubernetes.default.svc")
            w.endArray()
            w.field("expirationSeconds", 3607)
            w.key("boundObjectRef")
            w.beginObject()
            w.field("kind", "Pod")
            w.field("apiVersion", "v1")
            w.field("name", wl.pods[pod].name)
            w.field("uid", wl.pods[pod].uid)
            w.endObject()
            w.endObject()
            w.key("status")
            w.beginObject()
            w.field("token", "")
            w.key("expirationTimestamp")
            w.null()
            w.endObject()
            w.endObject()
        }
    }

    func writeResponseObject(_ r: K8sRequest, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        switch r.body {
        case .deploymentApply(let workload):
            w.key("responseObject")
            writeDeployment(r, workload, withStatus: true, &w)
        case .scale(let workload, let replicas):
            let wl = cluster.workloads[workload]
            w.key("responseObject")
            w.beginObject()
            w.field("kind", "Scale")
            w.field("apiVersion", "autoscaling/v1")
            writeMetadata(name: wl.name, namespace: wl.namespace, at: r.receivedTime, &w)
            w.endObject()
            w.key("spec")
            w.beginObject()
            w.field("replicas", max(replicas, 0))
            w.endObject()
            w.key("status")
            w.beginObject()
            w.field("replicas", wl.pods.count)
            w.field("selector", "app=" + wl.name)
            w.endObject()
            w.endObject()
        case .podDeletion(let workload, let pod):
            w.key("responseObject")
            writePod(r, workload, pod, deleting: true, &w)
        default:
            return
        }
    }

    // MARK: Objects

    /// Opens `"metadata":{` with name, namespace, uid, resourceVersion and creationTimestamp;
    /// the caller adds more fields and closes it.
    func writeMetadata(name: String, namespace: Int?, at time: Int64, _ w: inout JSONWriter) {
        w.key("metadata")
        w.beginObject()
        w.field("name", name)
        if let namespace { w.field("namespace", K8sNamespace.names[namespace]) }
        w.key("uid")
        writeStableUUID(of: name, namespace: namespace, &w)
        w.key("resourceVersion")
        w.beginString()
        w.part(resourceVersion(at: time))
        w.endString()
        w.key("creationTimestamp")
        var stable = stableRandom(name, namespace: namespace)
        w.timestamp(epoch - Int64(stable.int(in: 86_400...40 * 86_400)) * 1_000_000_000, fractionDigits: 0)
    }

    func writeOwner(apiVersion: StaticString, kind: StaticString, name: String, uid: String, _ w: inout JSONWriter) {
        w.key("ownerReferences")
        w.beginArray()
        w.beginObject()
        w.field("apiVersion", apiVersion)
        w.field("kind", kind)
        w.field("name", name)
        w.field("uid", uid)
        w.field("controller", true)
        w.field("blockOwnerDeletion", true)
        w.endObject()
        w.endArray()
    }

    func writeAppLabels(_ workload: K8sCluster.Workload, withHash: Bool, _ w: inout JSONWriter) {
        w.key("labels")
        w.beginObject()
        w.field("app", workload.name)
        if withHash { w.field("pod-template-hash", String(workload.replicaSet.suffix(10))) }
        w.endObject()
    }

    func writeNodeStatusPatch(_ r: K8sRequest, _ node: Int, _ w: inout JSONWriter) {
        let conditions: [StaticString] = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]
        w.beginObject()
        w.key("status")
        w.beginObject()
        w.key("$setElementOrder/conditions")
        w.beginArray()
        for type in conditions {
            w.beginObject()
            w.field("type", type)
            w.endObject()
        }
        w.endArray()
        w.key("conditions")
        w.beginArray()
        for type in conditions {
            w.beginObject()
            w.key("lastHeartbeatTime")
            w.timestamp(r.receivedTime - 1_000_000_000, fractionDigits: 0)
            w.field("type", type)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.endObject()
    }

    func writePodStatusPatch(_ r: K8sRequest, _ workload: Int, _ pod: Int, _ w: inout JSONWriter) {
        let wl = cluster.workloads[workload]
        let p = wl.pods[pod]
        let conditions: [StaticString] = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        w.beginObject()
        w.key("metadata")
        w.beginObject()
        w.field("uid", p.uid)
        w.endObject()
        w.key("status")
        w.beginObject()
        w.key("$setElementOrder/conditions")
        w.beginArray()
        for type in conditions {
            w.beginObject()
            w.field("type", type)
            w.endObject()
        }
        w.endArray()
        w.key("conditions")
        w.beginArray()
        for type: StaticString in ["Ready", "ContainersReady"] {
            w.beginObject()
            w.key("lastProbeTime")
            w.null()
            w.key("lastTransitionTime")
            w.timestamp(r.receivedTime - 2_000_000_000, fractionDigits: 0)
            w.field("status", "True")
            w.field("type", type)
            w.endObject()
        }
        w.endArray()
        w.key("containerStatuses")
        w.beginArray()
        w.beginObject()
        var stable = stableRandom(p.name, namespace: wl.namespace)
        w.key("containerID")
        w.beginString()
        w.part("containerd://")
        for _ in 0..<4 { w.appendHex(stable.next(), digits: 16) }
        w.endString()
        w.field("image", wl.image)
        w.key("imageID")
        w.beginString()
        w.part(wl.image.split(separator: ":").first.map(String.init) ?? wl.image)
        w.part("@sha256:")
        var imageHash = stableRandom(wl.image, namespace: nil)
        for _ in 0..<4 { w.appendHex(imageHash.next(), digits: 16) }
        w.endString()
        w.key("lastState")
        w.beginObject()
        w.endObject()
        w.field("name", wl.name)
        w.field("ready", true)
        w.field("restartCount", stable.below(4))
        w.field("started", true)
        w.key("state")
        w.beginObject()
        w.key("running")
        w.beginObject()
        w.key("startedAt")
        w.timestamp(epoch - Int64(stable.int(in: 3_600...900_000)) * 1_000_000_000, fractionDigits: 0)
        w.endObject()
        w.endObject()
        w.endObject()
        w.endArray()
        w.endObject()
        w.endObject()
    }

    /// kubectl apply's patch: the new image, and the whole manifest as the last-applied annotation
    /// (a JSON document inside a JSON string).
    func writeApplyPatch(_ workload: Int, _ w: inout JSONWriter) {
        let wl = cluster.workloads[workload]
        var manifest = JSONWriter(capacity: 768)
        manifest.beginObject()
        manifest.field("apiVersion", "apps/v1")
        manifest.field("kind", "Deployment")
        manifest.key("metadata")
        manifest.beginObject()
        manifest.key("annotations")
        manifest.beginObject()
        manifest.endObject()
        manifest.field("name", wl.name)
        manifest.field("namespace", K8sNamespace.names[wl.namespace])
        manifest.endObject()
        manifest.key("spec")
        manifest.beginObject()
        manifest.field("replicas", wl.pods.count)
        manifest.key("selector")
        manifest.beginObject()
        manifest.key("matchLabels")
        manifest.beginObject()
        manifest.field("app", wl.name)
        manifest.endObject()
        manifest.endObject()
        manifest.key("template")
        writePodTemplate(wl, &manifest)
        manifest.endObject()
        manifest.endObject()
        manifest.newline()

        w.beginObject()
        w.key("metadata")
        w.beginObject()
        w.key("annotations")
        w.beginObject()
        w.field("kubectl.kubernetes.io/last-applied-configuration", String(decoding: manifest.bytes, as: UTF8.self))
        w.endObject()
        w.endObject()
        w.key("spec")
        w.beginObject()
        w.key("template")
        w.beginObject()
        w.key("spec")
        w.beginObject()
        w.key("$setElementOrder/containers")
        w.beginArray()
        w.beginObject()
        w.field("name", wl.name)
        w.endObject()
        w.endArray()
        w.key("containers")
        w.beginArray()
        w.beginObject()
        w.field("image", wl.image)
        w.field("name", wl.name)
        w.endObject()
        w.endArray()
        w.endObject()
        w.endObject()
        w.endObject()
        w.endObject()
    }
}

extension K8sCluster {
    /// The availability zone of a node (nodes are spread over three subnets in order).
    static func zone(ofNode node: Int) -> String {
        ["eu-west-1a", "eu-west-1b", "eu-west-1c"][node % 3]
    }
}
