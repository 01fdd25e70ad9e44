/// A client of the apiserver — kubelet, controller, application, person — with the parts of its
/// audit events that never change encoded once (`user`, `sourceIPs`, `userAgent`, the RBAC reason).
struct K8sActor: Sendable {
    /// What sort of client it is; the traffic model and the audit policy look at this.
    enum Kind: Sendable, Equatable {
        case kubelet, controlPlane, controller, serviceAccount, human, anonymous, eksInternal
    }

    /// How RBAC explains an allowed request by this actor (`authorization.k8s.io/reason`).
    enum Grant: Sendable {
        /// No reason text (the Node authorizer, and the answer for anonymous health checks).
        case none
        /// One ClusterRoleBinding everywhere.
        case clusterRoleBinding(binding: String, role: String, subject: String)
        /// A RoleBinding `<binding>/<namespace>` in namespaces, a ClusterRoleBinding at cluster scope.
        case roleBinding(binding: String, role: String, clusterBinding: String, clusterRole: String, subject: String)
    }

    let kind: Kind
    /// `user.username`.
    let username: String
    /// Index of the namespace a service account lives in; nil for everyone else.
    let namespace: Int?
    /// The encoded `user` object.
    let user: [UInt8]
    /// The encoded `impersonatedUser` object when someone acts as this actor (name and groups only).
    let impersonation: [UInt8]
    /// The encoded `sourceIPs` array.
    let sourceIPs: [UInt8]
    /// The encoded `userAgent` string.
    let userAgent: [UInt8]
    /// Encoded reason strings: one per namespace index, then one for cluster scope.
    private let reasons: [[UInt8]]

    /// Builds an actor; `extra` keys are written in the given order (pass them sorted, as Go does).
    init(
        kind: Kind, username: String, uid: String? = nil, groups: [String], extra: [(String, String)] = [],
        namespace: Int? = nil, sourceIP: String, userAgent: String, grant: Grant
    ) {
        self.kind = kind
        self.username = username
        self.namespace = namespace
        var w = JSONWriter(capacity: 512)
        K8sActor.writeUser(&w, username: username, uid: uid, groups: groups, extra: extra)
        user = w.bytes
        w.reset()
        K8sActor.writeUser(&w, username: username, uid: nil, groups: groups, extra: [])
        impersonation = w.bytes
        w.reset()
        w.beginArray()
        w.string(sourceIP)
        w.endArray()
        sourceIPs = w.bytes
        w.reset()
        w.string(userAgent)
        self.userAgent = w.bytes
        var reasons: [[UInt8]] = []
        for scope in K8sNamespace.names.map(Optional.some) + [nil] {
            w.reset()
            w.string(K8sActor.reasonText(grant, namespace: scope))
            reasons.append(w.bytes)
        }
        self.reasons = reasons
    }

    /// The encoded RBAC reason for a request in `namespace` (an index), or at cluster scope.
    func reason(namespace: Int?) -> [UInt8] {
        reasons[namespace ?? reasons.count - 1]
    }

    /// Writes a `user` (or `impersonatedUser`) object in the apiserver's field order.
    static func writeUser(_ w: inout JSONWriter, username: String, uid: String?, groups: [String], extra: [(String, String)]) {
        w.beginObject()
        w.field("username", username)
        if let uid { w.field("uid", uid) }
        w.key("groups")
        w.beginArray()
        for group in groups { w.string(group) }
        w.endArray()
        if !extra.isEmpty {
            w.key("extra")
            w.beginObject()
            for (key, value) in extra {
                w.key(key)
                w.beginArray()
                w.string(value)
                w.endArray()
            }
            w.endObject()
        }
        w.endObject()
    }

    private static func reasonText(_ grant: Grant, namespace: String?) -> String {
        switch grant {
        case .none:
            return ""
        case .clusterRoleBinding(let binding, let role, let subject):
            return "RBAC: allowed by ClusterRoleBinding \"\(binding)\" of ClusterRole \"\(role)\" to \(subject)"
        case .roleBinding(let binding, let role, let clusterBinding, let clusterRole, let subject):
            if let namespace {
                return "RBAC: allowed by RoleBinding \"\(binding)/\(namespace)\" of ClusterRole \"\(role)\" to \(subject)"
            }
            return "RBAC: allowed by ClusterRoleBinding \"\(clusterBinding)\" of ClusterRole \"\(clusterRole)\" to \(subject)"
        }
    }
}
