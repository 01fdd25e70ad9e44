import AuditCore

/// kube-apiserver's request metrics, rebuilt from Kubernetes audit events (FORMATS.md §4.4).
///
/// Only `ResponseComplete` events count, so each request counts once (its `RequestReceived`
/// and `ResponseStarted` stages do not). Names and labels follow kube-apiserver's own
/// (`apiserver_request_total`, `apiserver_request_duration_seconds`) so its dashboards read
/// them; `group`, `version`, `dry_run` and `component` are left out because the audit fields
/// logq keeps do not hold them without reading the whole original event.
final class APIServerMetrics {
    let requests: MetricFamily
    let duration: MetricFamily
    let denied: MetricFamily
    let errors: MetricFamily

    init(_ registry: MetricRegistry) {
        requests = registry.family(
            "apiserver_request", help: "Counter of apiserver requests broken out for each verb, resource, subresource, scope and HTTP response code (from audit events at ResponseComplete).",
            kind: .counter, labels: ["verb", "resource", "subresource", "scope", "code"])
        duration = registry.family(
            "apiserver_request_duration_seconds",
            help: "Response latency distribution in seconds for each verb, resource, subresource and scope: stageTimestamp minus requestReceivedTimestamp at ResponseComplete.",
            kind: .histogram(buckets: MetricsLimits.apiserverLatencyBuckets), labels: ["verb", "resource", "subresource", "scope"])
        denied = registry.family(
            "logq_apiserver_requests_denied", help: "Kubernetes API requests answered 403 Forbidden, by user class (human, service_account, node, system, unknown).",
            kind: .counter, labels: ["user_class"])
        errors = registry.family(
            "logq_apiserver_request_errors", help: "Kubernetes API requests answered with a code of 400 or more, by user class and code.",
            kind: .counter, labels: ["user_class", "code"])
    }

    /// Folds one `k8s-audit` event.
    func add(_ event: AuditEvent) {
        let f = event.fields
        guard f[.stage] == "ResponseComplete" else { return }
        let verb = Self.canonicalVerb(f[.verb])
        let resource = f[.resource]
        let scope = Self.scope(verb: verb, resource: resource, namespace: f[.ns], name: f[.name])
        let code = f[.code]
        requests.add([verb, resource, f[.subresource], scope, code])
        if let millis = Double(f[.latency]), millis >= 0 {
            duration.observe([verb, resource, f[.subresource], scope], millis / 1000)
        }
        if let status = Int(code), status >= 400 {
            let userClass = Self.userClass(f[.user])
            if status == 403 { denied.add([userClass]) }
            errors.add([userClass, code])
        }
    }

    /// The verb as kube-apiserver's metrics write it: upper case, one of its known verbs, else `other`.
    static func canonicalVerb(_ verb: String) -> String {
        switch verb {
        case "get": "GET"
        case "list": "LIST"
        case "watch": "WATCH"
        case "create": "CREATE"
        case "update": "UPDATE"
        case "patch": "PATCH"
        case "apply": "APPLY"
        case "delete": "DELETE"
        case "deletecollection": "DELETECOLLECTION"
        case "connect": "CONNECT"
        case "proxy": "PROXY"
        case "post": "POST"
        case "put": "PUT"
        case "head": "HEAD"
        case "options": "OPTIONS"
        default: "other"
        }
    }

    /// kube-apiserver's `CleanScope`: `resource` for a named object or a create, `namespace`
    /// for a namespaced collection, `cluster` for a cluster-wide collection, empty for
    /// non-resource URLs.
    static func scope(verb: String, resource: String, namespace: String, name: String) -> String {
        if resource.isEmpty { return "" }
        if !name.isEmpty || verb == "CREATE" { return "resource" }
        if !namespace.isEmpty { return "namespace" }
        return "cluster"
    }

    /// The class of a Kubernetes user name: `service_account` (`system:serviceaccount:…`),
    /// `node` (`system:node:…`), `system` (other `system:` users, e.g. the scheduler or
    /// `system:anonymous`), `unknown` (none), else `human` (IAM users and roles mapped by
    /// aws-auth, OIDC users).
    static func userClass(_ user: String) -> String {
        if user.isEmpty { return "unknown" }
        if user.hasPrefix("system:serviceaccount:") { return "service_account" }
        if user.hasPrefix("system:node:") { return "node" }
        if user.hasPrefix("system:") { return "system" }
        return "human"
    }
}
