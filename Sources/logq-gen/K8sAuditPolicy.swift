/// The audit policy of the simulated apiserver: which level each request is logged at.
///
/// Shaped like the policies EKS and GKE ship: secrets, config maps, leases and reads at
/// `Metadata` (bodies of secrets must never reach the log; reads have no request body), writes
/// by components at `Request`, writes by people at `RequestResponse` so an investigator sees what
/// changed.
enum K8sAuditPolicy {
    static func level(actor: K8sActor.Kind, verb: K8sVerb, target: K8sRequest.Target) -> K8sLevel {
        guard case .resource(let resource, _, _, _) = target else { return .metadata }
        if resource.metadataOnly { return .metadata }
        guard verb.isWrite else { return .metadata }
        return actor == .human ? .requestResponse : .request
    }
}
