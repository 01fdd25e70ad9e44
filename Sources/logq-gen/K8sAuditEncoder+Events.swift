/// `Event` objects that kubelets (core/v1) and controllers (events.k8s.io/v1) create.
extension K8sAuditEncoder {
    func writeEvent(
        _ r: K8sRequest, _ workload: Int, _ pod: Int, _ reason: StaticString, _ component: StaticString,
        _ w: inout JSONWriter, _ rng: inout SplitMix64
    ) {
        let wl = cluster.workloads[workload]
        let p = wl.pods[pod]
        let namespace = K8sNamespace.names[wl.namespace]
        let reasonText = reason.description
        let fromKubelet = component.description == "kubelet"
        w.beginObject()
        w.field("kind", "Event")
        w.field("apiVersion", fromKubelet ? "v1" : "events.k8s.io/v1")
        w.key("metadata")
        w.beginObject()
        w.key("name")
        w.beginString()
        w.part(fromKubelet ? p.name : wl.replicaSet)
        w.part(".")
        w.appendHex(rng.next(), digits: 16)
        w.endString()
        w.field("namespace", namespace)
        w.key("creationTimestamp")
        w.null()
        w.endObject()
        var message = JSONWriter(capacity: 160)
        writeEventMessage(reasonText, wl, p, &message)
        let warning = reasonText == "Unhealthy" || reasonText == "BackOff"
        let created = reasonText == "SuccessfulCreate"
        if fromKubelet {
            w.key("involvedObject")
            w.beginObject()
            w.field("kind", "Pod")
            w.field("namespace", namespace)
            w.field("name", p.name)
            w.field("uid", p.uid)
            w.field("apiVersion", "v1")
            w.key("resourceVersion")
            w.beginString()
            w.part(resourceVersion(at: r.receivedTime) - 3_000)
            w.endString()
            w.field("fieldPath", "spec.containers{" + wl.name + "}")
            w.endObject()
            w.field("reason", reason)
            w.key("message")
            w.raw(message.bytes)
            w.key("source")
            w.beginObject()
            w.field("component", "kubelet")
            w.field("host", cluster.nodes[p.node].name)
            w.endObject()
            w.key("firstTimestamp")
            w.timestamp(r.receivedTime, fractionDigits: 0)
            w.key("lastTimestamp")
            w.timestamp(r.receivedTime, fractionDigits: 0)
            w.field("count", 1)
            w.field("type", warning ? "Warning" : "Normal")
            w.key("eventTime")
            w.null()
            w.field("reportingComponent", "kubelet")
            w.field("reportingInstance", cluster.nodes[p.node].name)
        } else {
            w.key("eventTime")
            w.timestamp(r.receivedTime, fractionDigits: 6)
            w.field("reportingController", component)
            w.key("reportingInstance")
            w.beginString()
            w.part(component)
            w.part("-")
            w.part(cluster.nodes[0].name)
            w.endString()
            w.field("action", created ? "Create" : "Scale")
            w.field("reason", reason)
            w.key("regarding")
            w.beginObject()
            w.field("kind", created ? "ReplicaSet" : "Deployment")
            w.field("namespace", namespace)
            w.field("name", created ? wl.replicaSet : wl.name)
            w.field("uid", created ? wl.replicaSetUID : wl.uid)
            w.field("apiVersion", "apps/v1")
            w.endObject()
            w.key("note")
            w.raw(message.bytes)
            w.field("type", "Normal")
        }
        w.endObject()
    }

    func writeEventMessage(_ reason: String, _ wl: K8sCluster.Workload, _ p: K8sCluster.Pod, _ w: inout JSONWriter) {
        w.beginString()
        switch reason {
        case "Pulled":
            w.part("Container image \"")
            w.part(wl.image)
            w.part("\" already present on machine")
        case "Created":
            w.part("Created container ")
            w.part(wl.name)
        case "Started":
            w.part("Started container ")
            w.part(wl.name)
        case "Unhealthy":
            w.part("Readiness probe failed: Get \"http://")
            w.part(p.ip)
            w.part(":")
            w.part(wl.port)
            w.part("/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
        case "Killing":
            w.part("Stopping container ")
            w.part(wl.name)
        case "BackOff":
            w.part("Back-off restarting failed container ")
            w.part(wl.name)
            w.part(" in pod ")
            w.part(p.name)
            w.part("_")
            w.part(K8sNamespace.names[wl.namespace])
            w.part("(")
            w.part(p.uid)
            w.part(")")
        case "SuccessfulCreate":
            w.part("Created pod: ")
            w.part(p.name)
        default:
            w.part("Scaled up replica set ")
            w.part(wl.replicaSet)
            w.part(" to ")
            w.part(wl.pods.count)
        }
        w.endString()
    }
}
