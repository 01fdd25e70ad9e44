import AuditCore

/// Writes `K8sRequest`s the way kube-apiserver's log backend does: one compact JSON `Event` per
/// line, fields in the order of the Go struct (`audit.k8s.io/v1`), map keys sorted, times as
/// MicroTime (`2026-11-24T10:15:07.120311Z`).
struct K8sAuditEncoder: Sendable {
    let cluster: K8sCluster
    /// Start of the dataset: resourceVersions grow from here, so they rise through the day.
    let epoch: Int64
    /// Salts the stable object UIDs, so another seed gives other UIDs.
    let seed: UInt64

    /// Appends one event and its newline.
    func encode(_ r: K8sRequest, into w: inout JSONWriter) {
        var rng = SplitMix64(state: r.seed)
        let actor = cluster.actors[r.actor]
        w.beginObject()
        w.field("kind", "Event")
        w.field("apiVersion", "audit.k8s.io/v1")
        w.field("level", r.level.text)
        w.key("auditID")
        w.uuid(&rng)
        w.field("stage", r.stage.text)
        w.key("requestURI")
        writeURI(r, &w)
        w.field("verb", r.verb.text)
        w.field("user", raw: actor.user)
        if let impersonated = r.impersonated {
            w.field("impersonatedUser", raw: cluster.actors[impersonated].impersonation)
        }
        w.field("sourceIPs", raw: actor.sourceIPs)
        w.field("userAgent", raw: actor.userAgent)
        if case .resource(let resource, let namespace, let name, let subresource) = r.target {
            writeObjectRef(r, resource, namespace, name, subresource, &w, &rng)
        }
        w.key("responseStatus")
        writeStatus(r, &w, asObject: false)
        if r.stage == .responseComplete && r.level != .metadata {
            writeRequestObject(r, &w, &rng)
            if r.level == .requestResponse {
                if r.outcome.isSuccess {
                    writeResponseObject(r, &w, &rng)
                } else {
                    w.key("responseObject")
                    writeStatus(r, &w, asObject: true)
                }
            }
        }
        w.key("requestReceivedTimestamp")
        w.timestamp(r.receivedTime, fractionDigits: 6)
        w.key("stageTimestamp")
        w.timestamp(r.stageTime, fractionDigits: 6)
        writeAnnotations(r, actor, &w)
        w.endObject()
        w.newline()
    }

    // MARK: Request URI

    private func writeURI(_ r: K8sRequest, _ w: inout JSONWriter) {
        w.beginString()
        switch r.target {
        case .path(let path):
            w.part(path)
        case .resource(let resource, let namespace, let name, let subresource):
            if resource.isCore {
                w.part("/api/v1")
            } else {
                w.part("/apis/")
                w.part(resource.group)
                w.part("/")
                w.part(resource.version)
            }
            if let namespace {
                w.part("/namespaces/")
                w.part(K8sNamespace.names[namespace])
            }
            w.part("/")
            w.part(resource.name)
            // A create posts to the collection; the name comes from the body.
            if let name, !(r.verb == .create && subresource == nil) {
                w.part("/")
                w.part(name)
            }
            if let subresource {
                w.part("/")
                w.part(subresource)
            }
        }
        writeQuery(r, &w)
        w.endString()
    }

    private func writeQuery(_ r: K8sRequest, _ w: inout JSONWriter) {
        switch r.query {
        case .none:
            break
        case .timeout(let seconds):
            w.part("?timeout=")
            w.part(seconds)
            w.part("s")
        case .limit500:
            w.part("?limit=500")
        case .resourceVersionZero:
            w.part("?resourceVersion=0")
        case .initialList:
            w.part("?limit=500&resourceVersion=0")
        case .podsOfNode(let node):
            w.part("?fieldSelector=spec.nodeName%3D")
            w.part(node)
            w.part("&limit=500&resourceVersion=0")
        case .watch(let timeout, let selector):
            w.part("?allowWatchBookmarks=true")
            if let selector {
                w.part("&fieldSelector=")
                w.partPercentEncoded(selector)
            }
            w.part("&resourceVersion=")
            w.part(resourceVersion(at: r.receivedTime - 40_000_000_000))
            w.part("&timeout=")
            w.part(timeout / 60)
            w.part("m")
            w.part(timeout % 60)
            w.part("s&timeoutSeconds=")
            w.part(timeout)
            w.part("&watch=true")
        case .labelSelector(let app):
            w.part("?labelSelector=app%3D")
            w.part(app)
        case .apply:
            w.part("?fieldManager=kubectl-client-side-apply&fieldValidation=Strict")
        case .logs(let container):
            w.part("?container=")
            w.part(container)
            w.part("&tailLines=200")
        case .exec(let container):
            w.part("?command=sh&container=")
            w.part(container)
            w.part("&stdin=true&stdout=true&tty=true")
        }
    }

    // MARK: objectRef

    private func writeObjectRef(
        _ r: K8sRequest, _ resource: K8sResource, _ namespace: Int?, _ name: String?, _ subresource: StaticString?,
        _ w: inout JSONWriter, _ rng: inout SplitMix64
    ) {
        w.key("objectRef")
        w.beginObject()
        w.field("resource", resource.name)
        if let namespace { w.field("namespace", K8sNamespace.names[namespace]) }
        if let name { w.field("name", name) }
        if r.refersToVersion, let name {
            w.key("uid")
            writeStableUUID(of: name, namespace: namespace, &w)
        }
        if !resource.isCore { w.field("apiGroup", resource.group) }
        w.field("apiVersion", resource.version)
        if r.refersToVersion {
            w.key("resourceVersion")
            w.beginString()
            w.part(resourceVersion(at: r.receivedTime) - rng.int(in: 20...4_000))
            w.endString()
        }
        if let subresource { w.field("subresource", subresource) }
        w.endObject()
    }

    // MARK: Status

    /// Writes `responseStatus` (or, with `asObject`, a `Status` response body): only the code on
    /// success, as the apiserver does; reason, message and details on failure.
    private func writeStatus(_ r: K8sRequest, _ w: inout JSONWriter, asObject: Bool) {
        w.beginObject()
        if asObject {
            w.field("kind", "Status")
            w.field("apiVersion", "v1")
        }
        w.key("metadata")
        w.beginObject()
        w.endObject()
        if !r.outcome.isSuccess {
            w.field("status", "Failure")
            writeFailure(r, &w)
        }
        w.field("code", r.outcome.code)
        w.endObject()
    }

    /// The message, reason and details of a failed request, worded as the apiserver words them.
    private func writeFailure(_ r: K8sRequest, _ w: inout JSONWriter) {
        guard case .resource(let resource, let namespace, let name, _) = r.target else {
            w.field("message", "Internal error occurred: the server was unable to return a response in the time allotted")
            w.field("reason", "InternalError")
            return
        }
        w.key("message")
        w.beginString()
        switch r.outcome {
        case .forbidden:
            let username = cluster.actors[r.impersonated ?? r.actor].username
            writeQualifiedName(resource, &w)
            if let name {
                w.part(" \"")
                w.part(name)
                w.part("\"")
            }
            w.part(" is forbidden: User \"")
            w.part(username)
            w.part("\" cannot ")
            w.part(r.verb.text)
            w.part(" resource \"")
            w.part(resource.name)
            w.part("\" in API group \"")
            w.part(resource.group)
            if let namespace {
                w.part("\" in the namespace \"")
                w.part(K8sNamespace.names[namespace])
                w.part("\"")
            } else {
                w.part("\" at the cluster scope")
            }
        case .notFound:
            writeQualifiedName(resource, &w)
            w.part(" \"")
            w.part(name ?? "")
            w.part("\" not found")
        case .conflict:
            w.part("Operation cannot be fulfilled on ")
            writeQualifiedName(resource, &w)
            w.part(" \"")
            w.part(name ?? "")
            w.part("\": the object has been modified; please apply your changes to the latest version and try again")
        case .alreadyExists:
            writeQualifiedName(resource, &w)
            w.part(" \"")
            w.part(name ?? "")
            w.part("\" already exists")
        case .invalid:
            w.part(resource.kind)
            if !resource.isCore {
                w.part(".")
                w.part(resource.group)
            }
            w.part(" \"")
            w.part(name ?? "")
            w.part("\" is invalid: spec.template.spec.containers[0].image: Required value")
        case .internalError:
            w.part("Internal error occurred: resource quota evaluation timed out")
        case .success:
            break
        }
        w.endString()
        w.field("reason", r.outcome.reasonText)
        w.key("details")
        w.beginObject()
        if r.outcome == .internalError {
            w.key("causes")
            w.beginArray()
            w.beginObject()
            w.field("message", "resource quota evaluation timed out")
            w.endObject()
            w.endArray()
        } else {
            if let name { w.field("name", name) }
            if !resource.isCore { w.field("group", resource.group) }
            w.field("kind", r.outcome == .invalid ? resource.kind : resource.name)
            if r.outcome == .invalid {
                w.key("causes")
                w.beginArray()
                w.beginObject()
                w.field("reason", "FieldValueRequired")
                w.field("message", "Required value")
                w.field("field", "spec.template.spec.containers[0].image")
                w.endObject()
                w.endArray()
            }
        }
        w.endObject()
    }

    /// `pods`, or `leases.coordination.k8s.io` for named groups.
    private func writeQualifiedName(_ resource: K8sResource, _ w: inout JSONWriter) {
        w.part(resource.name)
        if !resource.isCore {
            w.part(".")
            w.part(resource.group)
        }
    }

    // MARK: Annotations

    private func writeAnnotations(_ r: K8sRequest, _ actor: K8sActor, _ w: inout JSONWriter) {
        w.key("annotations")
        w.beginObject()
        if r.outcome == .forbidden {
            w.field("authorization.k8s.io/decision", "forbid")
            w.field("authorization.k8s.io/reason", "")
        } else {
            w.field("authorization.k8s.io/decision", "allow")
            var namespace: Int?
            if case .resource(_, let ns, _, _) = r.target { namespace = ns }
            w.field("authorization.k8s.io/reason", raw: actor.reason(namespace: namespace))
        }
        if let policy = r.podSecurity, r.outcome.isSuccess {
            w.field("pod-security.kubernetes.io/enforce-policy", policy)
        }
        w.endObject()
    }

    // MARK: Stable values

    /// The cluster's resourceVersion at `time`: one etcd revision every ~8 ms, from 48,210,000.
    func resourceVersion(at time: Int64) -> Int {
        48_210_000 + Int((time - epoch) / 8_000_000)
    }

    /// A UUID that is the same for every event about the same object (a hash of its name).
    func writeStableUUID(of name: String, namespace: Int?, _ w: inout JSONWriter) {
        w.beginString()
        var rng = stableRandom(name, namespace: namespace)
        w.partUUID(&rng)
        w.endString()
    }

    /// Random numbers that depend only on the seed and an object's name.
    func stableRandom(_ name: String, namespace: Int?) -> SplitMix64 {
        var hasher = Hash64()
        hasher.combine(name)
        hasher.combine(UInt8(truncatingIfNeeded: (namespace ?? 255)))
        return SplitMix64(seed: seed, stream: hasher.finalize())
    }
}

extension K8sRequest.Outcome {
    /// `responseStatus.reason` of a failure.
    var reasonText: StaticString {
        switch self {
        case .success: ""
        case .forbidden: "Forbidden"
        case .notFound: "NotFound"
        case .conflict: "Conflict"
        case .alreadyExists: "AlreadyExists"
        case .invalid: "Invalid"
        case .internalError: "InternalError"
        }
    }
}

extension JSONWriter {
    /// Appends a query-parameter value with the characters Go's `url.QueryEscape` changes here
    /// (`=`, `!`, `,`) percent-encoded.
    mutating func partPercentEncoded(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "="): part("%3D")
            case UInt8(ascii: "!"): part("%21")
            case UInt8(ascii: ","): part("%2C")
            default: bytes.append(byte)
            }
        }
    }
}
