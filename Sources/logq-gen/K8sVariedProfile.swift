import AuditCore

/// The varied profile's changes to a Kubernetes audit event that `K8sAuditEncoder` wrote.
///
/// The standard profile repeats what a small, quiet cluster repeats: one user agent per client,
/// one address per person, pods that live all day, bodies without `managedFields`, one key
/// order. Real logs vary all of these; this rewrite adds that variation, drawn from the
/// request's own seed (so both stages of a request agree, and the output depends only on
/// `--seed`):
///
/// - **Writers with other key orders**: about half the events come as the log backend writes
///   them (Go struct order), a quarter from a shipper that decoded and re-encoded them (keys
///   sorted at every level, as in the falco traces of realdata), a fifth from a webhook backend
///   still at `audit.k8s.io/v1beta1` (with `metadata.creationTimestamp` and `timestamp`).
/// - **User agents and addresses**: kubectl of any recent version and platform, Helm, k9s, Lens,
///   Terraform, scripts; kubelets of several node-group versions; people behind offices, home
///   and mobile networks (carrier-grade NAT), some through a proxy (two `sourceIPs`).
/// - **Identifiers**: rotated STS access keys and service-account token IDs; pods replaced all
///   day (new name suffix and UID wherever the name appears).
/// - **Optional annotations**: apiserver latency breakdowns, stale-token warnings, admission
///   webhook patches on pod creates.
/// - **Bodies**: `managedFields` derived from the object's own fields, extra labels and
///   annotations (checksums, restart times), so bodies vary in size and content.
struct K8sVariedProfile: Sendable {
    /// Salts the per-event stream so it never repeats the encoder's.
    private static let salt: UInt64 = 0x7661_7269_6564_6B38

    /// Appends the varied form of one encoded event (no newline).
    func rewrite(_ event: ArraySlice<UInt8>, seed: UInt64, into out: inout [UInt8]) {
        var rng = SplitMix64(seed: seed ^ K8sVariedProfile.salt, stream: 7)
        var bytes = Array(event)
        churnPods(&bytes, &rng)
        guard var object = RawObject(bytes) else {
            out.append(contentsOf: bytes)
            return
        }
        let time = object.string("stageTimestamp").flatMap { Timestamp.parse($0) } ?? 0
        varyClient(&object, &rng)
        varyAnnotations(&object, &rng)
        for key in ["requestObject", "responseObject"] {
            if let body = object[key], let varied = varyBody(body, time: time, response: key == "responseObject", &rng) {
                object[key] = varied
            }
        }

        switch rng.below(20) {
        case 0..<10:
            object.encode(into: &out)
        case 10..<15:
            RawJSON.appendSorted(object.encoded[...], into: &out)
        default:
            asV1beta1(&object, time: time)
            object.encode(into: &out)
        }
    }

    // MARK: Pods that come and go

    /// Gives most pods a newer incarnation: a new random name suffix and UID, replaced wherever
    /// the event names them (URI, objectRef, bodies, messages). Lengths stay the same.
    private func churnPods(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard let object = RawObject(bytes), let ref = object["objectRef"].flatMap({ RawObject($0) }),
              ref.string("resource") == "pods", let name = ref.string("name"), rng.chance(0.8) else { return }
        let parts = name.split(separator: "-")
        guard parts.count >= 3, parts.last!.count == 5 else { return }
        let newName = parts.dropLast().joined(separator: "-") + "-" + Alphabet.string(Alphabet.k8sSafe, 5, &rng)
        RawJSON.replaceAll(in: &bytes, Array(name.utf8), with: Array(newName.utf8))
        if let uid = ref.string("uid") {
            RawJSON.replaceAll(in: &bytes, Array(uid.utf8), with: Array(VariedValues.uuid(&rng).utf8))
        }
    }

    // MARK: Who, from where, with what

    private func varyClient(_ object: inout RawObject, _ rng: inout SplitMix64) {
        if let agent = object.string("userAgent") {
            var varied: String?
            if agent.hasPrefix("kubectl/") {
                varied = rng.chance(0.75) ? VariedValues.kubectl(&rng) : VariedValues.humanTool(&rng)
            } else if agent.hasPrefix("kubelet/") {
                varied = VariedValues.kubelet(&rng)
            } else if !agent.hasPrefix("kube-") && rng.chance(0.5), let name = agent.split(separator: "/").first {
                varied = VariedValues.clientGo(String(name), &rng)
            }
            if let varied { object["userAgent"] = RawJSON.string(varied) }
        }
        if let ips = object["sourceIPs"].flatMap({ RawJSON.elements($0) }), let first = ips.first.flatMap({ RawJSON.plainString($0) }),
           !first.hasPrefix("10.") {
            var list = [RawJSON.string(VariedValues.personIP(&rng))]
            if rng.chance(0.2) { list.append(RawJSON.string("10.0.128.\(rng.int(in: 2...254))")) }
            object["sourceIPs"] = RawJSON.array(list)
        }
        if var user = object["user"].flatMap({ RawObject($0) }), var extra = user["extra"].flatMap({ RawObject($0) }) {
            if extra["accessKeyId"] != nil, rng.chance(0.7) {
                extra["accessKeyId"] = RawJSON.array([RawJSON.string("ASIA" + Alphabet.string(Alphabet.awsID, 16, &rng))])
            }
            if extra["authentication.kubernetes.io/credential-id"] != nil, rng.chance(0.7) {
                extra["authentication.kubernetes.io/credential-id"] = RawJSON.array([RawJSON.string("JTI=" + VariedValues.uuid(&rng))])
            }
            user["extra"] = extra.encoded
            object["user"] = user.encoded
        }
    }

    // MARK: Annotations

    private func varyAnnotations(_ object: inout RawObject, _ rng: inout SplitMix64) {
        guard var annotations = object["annotations"].flatMap({ RawObject($0) }) else { return }
        var changed = false
        if rng.chance(0.06) {
            // Requests slower than the apiserver's threshold get a latency breakdown.
            let total = rng.int(in: 500_000...9_000_000)
            let parts: [(String, Int)] = [
                ("apiserver.latency.k8s.io/decode-response-object", rng.int(in: 1_000...90_000)),
                ("apiserver.latency.k8s.io/etcd", rng.int(in: 100_000...total)),
                ("apiserver.latency.k8s.io/response-write", rng.int(in: 1_000...50_000)),
                ("apiserver.latency.k8s.io/serialize-response-object", rng.int(in: 5_000...400_000)),
                ("apiserver.latency.k8s.io/total", total),
                ("apiserver.latency.k8s.io/transform-response-object", rng.int(in: 1_000...30_000)),
            ]
            for (key, micros) in parts where key.hasSuffix("total") || key.hasSuffix("etcd") || rng.chance(0.6) {
                annotations[key] = RawJSON.string(goDuration(micros: micros))
            }
            changed = true
        }
        if let user = object["user"].flatMap({ RawObject($0) }), let name = user.string("username"),
           name.hasPrefix("system:serviceaccount:"), rng.chance(0.03) {
            annotations["authentication.k8s.io/stale-token"] = RawJSON.string(
                "subject: \(name), seconds after warning threshold: \(rng.int(in: 1...86_400))")
            changed = true
        }
        if let ref = object["objectRef"].flatMap({ RawObject($0) }), ref.string("resource") == "pods",
           object.string("verb") == "create", rng.chance(0.8) {
            let webhook = rng.pick(["pod-identity-webhook", "vpc-resource-mutating-webhook", "istio-sidecar-injector", "kyverno-resource-mutating-webhook"])
            annotations["mutation.webhook.admission.k8s.io/round_0_index_\(rng.below(3))"] = RawJSON.string(
                "{\"configuration\":\"\(webhook)\",\"webhook\":\"\(webhook).amazonaws.com\",\"mutated\":true}")
            annotations["patch.webhook.admission.k8s.io/round_0_index_\(rng.below(3))"] = RawJSON.string(
                "{\"configuration\":\"\(webhook)\",\"webhook\":\"\(webhook).amazonaws.com\",\"patch\":[{\"op\":\"add\",\"path\":\"/spec/containers/0/env/-\",\"value\":{\"name\":\"AWS_ROLE_ARN\",\"value\":\"arn:aws:iam::\(AWSAccount.id):role/\(VariedValues.hex(12, &rng))\"}},{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"aws-iam-token\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"audience\":\"sts.amazonaws.com\",\"expirationSeconds\":\(rng.int(in: 3600...86400)),\"path\":\"token\"}}]}}}],\"patchType\":\"JSONPatch\"}")
            changed = true
        }
        if changed {
            annotations.sortKeys()
            object["annotations"] = annotations.encoded
        }
    }

    /// Go's `time.Duration` text of a duration under 10 s: `1.862563ms`, `734.1µs`, `2.5s`.
    private func goDuration(micros: Int) -> String {
        if micros >= 1_000_000 {
            return trimmed(micros / 1_000_000, micros % 1_000_000, digits: 6) + "s"
        }
        if micros >= 1_000 {
            return trimmed(micros / 1_000, micros % 1_000, digits: 3) + "ms"
        }
        return "\(micros)µs"
    }

    private func trimmed(_ whole: Int, _ fraction: Int, digits: Int) -> String {
        guard fraction > 0 else { return "\(whole)" }
        var text = String(fraction)
        text = String(repeating: "0", count: digits - text.count) + text
        while text.hasSuffix("0") { text.removeLast() }
        return "\(whole).\(text)"
    }

    // MARK: Bodies

    /// Adds `managedFields`, labels and annotations to an object body that has `metadata.name`;
    /// nil when the body is left as it is.
    private func varyBody(_ body: [UInt8], time: Int64, response: Bool, _ rng: inout SplitMix64) -> [UInt8]? {
        guard var object = RawObject(body), var metadata = object["metadata"].flatMap({ RawObject($0) }),
              metadata["name"] != nil, rng.chance(response ? 0.85 : 0.4) else { return nil }
        if rng.chance(0.5) {
            var labels = metadata["labels"].flatMap { RawObject($0) } ?? RawObject()
            labels["app.kubernetes.io/version"] = RawJSON.string("\(rng.int(in: 0...9)).\(rng.int(in: 0...40)).\(rng.int(in: 0...20))")
            if rng.chance(0.5) { labels["helm.sh/chart"] = RawJSON.string("\(rng.pick(charts))-\(rng.int(in: 0...9)).\(rng.int(in: 0...30)).\(rng.int(in: 0...9))") }
            labels.sortKeys()
            metadata.insert("labels", labels.encoded, after: "creationTimestamp")
        }
        if rng.chance(0.4) {
            var annotations = metadata["annotations"].flatMap { RawObject($0) } ?? RawObject()
            annotations["checksum/config"] = RawJSON.string(VariedValues.hex(64, &rng))
            if rng.chance(0.5) {
                var w = JSONWriter(capacity: 32)
                w.timestamp(time - Int64(rng.int(in: 60...2_000_000)) * Timestamp.nanosPerSecond, fractionDigits: 0)
                annotations["kubectl.kubernetes.io/restartedAt"] = w.bytes
            }
            annotations.sortKeys()
            metadata["annotations"] = annotations.encoded
        }
        var entries: [[UInt8]] = []
        for _ in 0..<rng.int(in: 1...4) {
            var entry = RawObject()
            entry["manager"] = RawJSON.string(rng.pick(managers))
            entry["operation"] = RawJSON.string(rng.chance(0.25) ? "Apply" : "Update")
            entry["apiVersion"] = object["apiVersion"] ?? RawJSON.string("v1")
            var w = JSONWriter(capacity: 32)
            w.timestamp(time - Int64(rng.int(in: 0...3_000_000)) * Timestamp.nanosPerSecond, fractionDigits: 0)
            entry["time"] = w.bytes
            entry["fieldsType"] = RawJSON.string("FieldsV1")
            entry["fieldsV1"] = fieldSet(object, depth: rng.int(in: 1...3), &rng)
            if rng.chance(0.3) { entry["subresource"] = RawJSON.string("status") }
            entries.append(entry.encoded)
        }
        metadata["managedFields"] = RawJSON.array(entries)
        object["metadata"] = metadata.encoded
        return object.encoded
    }

    /// A `FieldsV1` set naming some of `object`'s fields (`{"f:spec":{"f:replicas":{}}}`).
    private func fieldSet(_ object: RawObject, depth: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var set = RawObject()
        for member in object.members where !member.key.elementsEqual("kind".utf8) && !member.key.elementsEqual("apiVersion".utf8) {
            guard rng.chance(0.7) else { continue }
            var key: [UInt8] = Array("f:".utf8)
            key.append(contentsOf: member.key)
            if depth > 1, let child = RawObject(member.value) {
                var inner = RawObject(fieldSet(child, depth: depth - 1, &rng)) ?? RawObject()
                inner.members.insert(RawObject.Member(key: Array(".".utf8), value: Array("{}".utf8)), at: 0)
                set.members.append(RawObject.Member(key: key, value: inner.encoded))
            } else {
                set.members.append(RawObject.Member(key: key, value: Array("{}".utf8)))
            }
        }
        set.sortKeys()
        return set.encoded
    }

    // MARK: Older writers

    /// The same event as a webhook backend at `audit.k8s.io/v1beta1` writes it.
    private func asV1beta1(_ object: inout RawObject, time: Int64) {
        object["apiVersion"] = RawJSON.string("audit.k8s.io/v1beta1")
        var w = JSONWriter(capacity: 32)
        w.timestamp(time, fractionDigits: 0)
        object.insert("metadata", Array("{\"creationTimestamp\":".utf8) + w.bytes + [UInt8(ascii: "}")], after: "apiVersion")
        object.insert("timestamp", w.bytes, after: "level")
    }

    private let charts = ["cart", "orders", "ingress-nginx", "cert-manager", "external-dns", "kube-prometheus-stack", "argo-cd", "karpenter"]
    private let managers = ["kubectl-client-side-apply", "kube-controller-manager", "kubelet", "helm", "argocd-controller",
                            "kubectl-edit", "kube-scheduler", "karpenter", "aws-load-balancer-controller", "kubectl-rollout", "Go-http-client"]
}
