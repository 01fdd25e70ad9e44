/// Generates k8s audit events and CloudTrail records shaped like the repository's fixtures, for
/// when the fixtures are not there (or `LOGQ_BENCH_INPUT=generated`). Seeded, so every run
/// builds the same bytes.
public enum Generator {
    /// SplitMix64: small, fast, and the same on every machine.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

        mutating func hex(_ n: Int) -> String {
            let digits = Array("0123456789abcdef")
            var s = ""
            for _ in 0..<n { s.append(digits[below(16)]) }
            return s
        }

        mutating func uuid() -> String {
            let digits = Array("0123456789abcdef")
            var s = ""
            for (k, n) in [8, 4, 4, 4, 12].enumerated() {
                if k > 0 { s.append("-") }
                for _ in 0..<n { s.append(digits[below(16)]) }
            }
            return s
        }

        mutating func upper(_ n: Int) -> String {
            let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
            var s = ""
            for _ in 0..<n { s.append(digits[below(digits.count)]) }
            return s
        }
    }

    /// `2026-11-24T<h>:<m>:<s>.<micros>Z` for `micros` after midnight (wrapping at a day).
    static func time(_ micros: Int) -> String {
        let m = micros % 86_400_000_000
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let frac = String(m % 1_000_000)
        let pad = String(repeating: "0", count: 6 - frac.count)
        return "2026-11-24T\(two(m / 3_600_000_000)):\(two(m / 60_000_000 % 60)):\(two(m / 1_000_000 % 60)).\(pad)\(frac)Z"
    }

    static let account = "111122223333"
    static let nodes = (1...6).map { "ip-10-0-\($0 % 3 + 1)-\(10 + $0 * 7).eu-west-1.compute.internal" }
    static let namespaces = ["default", "kube-system", "prod", "staging", "monitoring", "payments"]
    static let apps = ["api", "web", "worker", "billing", "frontend", "ingest"]

    // MARK: - Kubernetes audit

    /// `count` k8s audit events (audit.k8s.io/v1, one JSON object per line), 10:00–11:00 UTC.
    public static func k8sLines(count: Int) -> [[UInt8]] {
        var r = Random(state: 42)
        var lines: [[UInt8]] = []
        lines.reserveCapacity(count)
        let step = max(1, 3_600_000_000 / max(count, 1))
        for i in 0..<count {
            let received = 36_000_000_000 + i * step + r.below(step)
            lines.append(Array(k8sEvent(&r, received: received).utf8))
        }
        return lines
    }

    static func k8sEvent(_ r: inout Random, received: Int) -> String {
        let node = r.pick(nodes)
        let ns = r.pick(namespaces)
        let app = r.pick(apps)
        var level = "Metadata"
        var stage = "ResponseComplete"
        var code = 200
        var reason = ""
        var verb: String
        var uri: String
        var user: String
        var objectRef: String?
        var agent = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"
        var ip = "10.0.\(r.below(4)).\(r.below(250) + 2)"
        switch r.below(20) {
        case 0..<6:  // kubelet lease renewals
            verb = r.below(3) == 0 ? "get" : "update"
            uri = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/\(node)?timeout=10s"
            user = nodeUser(&r, node)
            objectRef = #"{"resource":"leases","namespace":"kube-node-lease","name":"\#(node)","apiGroup":"coordination.k8s.io","apiVersion":"v1"}"#
            agent = "kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/7f9249a"
        case 6..<8:  // node status
            verb = "patch"
            level = "RequestResponse"
            uri = "/api/v1/nodes/\(node)/status?timeout=10s"
            user = nodeUser(&r, node)
            objectRef = #"{"resource":"nodes","name":"\#(node)","apiVersion":"v1","subresource":"status"}"#
            agent = "kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/7f9249a"
        case 8..<10:  // leader election
            let component = r.below(2) == 0 ? "kube-scheduler" : "kube-controller-manager"
            verb = r.below(2) == 0 ? "get" : "update"
            uri = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/\(component)?timeout=5s"
            user = #"{"username":"system:\#(component)","groups":["system:authenticated"]}"#
            objectRef = #"{"resource":"leases","namespace":"kube-system","name":"\#(component)","apiGroup":"coordination.k8s.io","apiVersion":"v1"}"#
            agent = "\(component)/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election"
        case 10..<13:  // controllers listing and watching
            let controller = r.pick(["replicaset-controller", "deployment-controller", "endpointslice-controller"])
            verb = r.pick(["list", "watch", "get"])
            stage = verb == "watch" ? r.pick(["RequestReceived", "ResponseStarted", "ResponseComplete"]) : "ResponseComplete"
            uri = "/apis/apps/v1/namespaces/\(ns)/replicasets?limit=500&resourceVersion=0"
            user = #"{"username":"system:serviceaccount:kube-system:\#(controller)","uid":"\#(r.uuid())","groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]}"#
            objectRef = #"{"resource":"replicasets","namespace":"\#(ns)","apiGroup":"apps","apiVersion":"v1"}"#
            agent = "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/system:serviceaccount:kube-system:\(controller)"
        case 13..<15:  // people reading pods
            verb = r.pick(["get", "list"])
            let pod = "\(app)-\(r.hex(10))-\(r.hex(5))"
            uri = verb == "get" ? "/api/v1/namespaces/\(ns)/pods/\(pod)" : "/api/v1/namespaces/\(ns)/pods?limit=500"
            user = r.below(2) == 0 ? #"{"username":"alice@example.com","groups":["developers","system:authenticated"]}"# : iamUser(&r, role: "Deployer", session: "ci-bot")
            objectRef = #"{"resource":"pods","namespace":"\#(ns)","name":"\#(verb == "get" ? pod : "")","apiVersion":"v1"}"#
            ip = "198.51.100.\(r.below(200) + 2)"
        case 15:  // secrets, some denied
            let denied = r.below(3) == 0
            verb = r.pick(["get", "list"])
            let name = "\(app)-credentials"
            uri = verb == "get" ? "/api/v1/namespaces/\(ns)/secrets/\(name)" : "/api/v1/namespaces/\(ns)/secrets?limit=500"
            user = denied ? #"{"username":"mallory","groups":["system:authenticated"]}"# : iamUser(&r, role: "Admin", session: "bob")
            objectRef = #"{"resource":"secrets","namespace":"\#(ns)","name":"\#(name)","apiVersion":"v1"}"#
            if denied {
                code = 403
                reason = "Forbidden"
            }
            ip = "203.0.113.\(r.below(200) + 2)"
        case 16:  // deletes: a person's, or the garbage collector's
            verb = "delete"
            level = "RequestResponse"
            let kind = r.pick(["deployments", "replicasets", "pods"])
            let group = kind == "pods" ? "/api/v1" : "/apis/apps/v1"
            let name = kind == "deployments" ? app : "\(app)-\(r.hex(10))"
            uri = "\(group)/namespaces/\(ns)/\(kind)/\(name)"
            user = r.below(2) == 0 ? iamUser(&r, role: "Admin", session: "bob")
                : #"{"username":"system:serviceaccount:kube-system:generic-garbage-collector","uid":"\#(r.uuid())","groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]}"#
            objectRef = #"{"resource":"\#(kind)","namespace":"\#(ns)","name":"\#(name)","apiGroup":"\#(kind == "pods" ? "" : "apps")","apiVersion":"v1"}"#
            if r.below(6) == 0 {
                code = 404
                reason = "NotFound"
            }
        case 17:  // a rollout
            verb = r.pick(["create", "update", "patch"])
            uri = "/apis/apps/v1/namespaces/\(ns)/deployments/\(app)?fieldManager=kubectl-client-side-apply"
            user = iamUser(&r, role: "Deployer", session: "ci-bot")
            objectRef = #"{"resource":"deployments","namespace":"\#(ns)","name":"\#(app)","apiGroup":"apps","apiVersion":"v1"}"#
            if verb == "create", r.below(3) == 0 {
                code = 409
                reason = "AlreadyExists"
            }
            ip = "198.51.100.7"
        default:  // health checks
            verb = "get"
            uri = r.pick(["/healthz", "/readyz", "/livez"])
            user = #"{"username":"system:anonymous","groups":["system:unauthenticated"]}"#
            agent = "kube-probe/1.31+"
        }
        let stageTime = received + 1_000 + r.below(40_000)
        var s = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"\#(level)","auditID":"\#(r.uuid())","stage":"\#(stage)","requestURI":"\#(uri)","verb":"\#(verb)","user":\#(user),"sourceIPs":["\#(ip)"],"userAgent":"\#(agent)""#
        if let objectRef { s += #","objectRef":\#(objectRef)"# }
        s += #","responseStatus":{"metadata":{},"#
        if code >= 400 {
            s += #""status":"Failure","message":"\#(reason) (\#(verb) on \#(uri))","reason":"\#(reason)","#
        }
        s += #""code":\#(code)},"requestReceivedTimestamp":"\#(time(received))","stageTimestamp":"\#(time(stageTime))","#
        let decision = code == 403 ? "forbid" : "allow"
        let why = code == 403 ? "" : #"RBAC: allowed by ClusterRoleBinding \"system:basic-user\" of ClusterRole \"system:basic-user\" to Group \"system:authenticated\""#
        s += #""annotations":{"authorization.k8s.io/decision":"\#(decision)","authorization.k8s.io/reason":"\#(why)"}}"#
        return s
    }

    static func nodeUser(_ r: inout Random, _ node: String) -> String {
        let instance = "i-0\(r.hex(16))"
        let role = "AROA\(r.upper(17))"
        return #"{"username":"system:node:\#(node)","uid":"aws-iam-authenticator:\#(account):\#(role)","groups":["system:bootstrappers","system:nodes","system:authenticated"],"extra":{"accessKeyId":["ASIA\#(r.upper(17))"],"arn":["arn:aws:sts::\#(account):assumed-role/eks-node-role/\#(instance)"],"canonicalArn":["arn:aws:iam::\#(account):role/eks-node-role"],"principalId":["\#(role)"],"sessionName":["\#(instance)"]}}"#
    }

    static func iamUser(_ r: inout Random, role: String, session: String) -> String {
        let id = "AROA\(r.upper(17))"
        return #"{"username":"\#(session)","uid":"aws-iam-authenticator:\#(account):\#(id)","groups":["system:masters","system:authenticated"],"extra":{"accessKeyId":["ASIA\#(r.upper(17))"],"arn":["arn:aws:sts::\#(account):assumed-role/\#(role)/\#(session)"],"canonicalArn":["arn:aws:iam::\#(account):role/\#(role)"],"principalId":["\#(id)"],"sessionName":["\#(session)"]}}"#
    }

    // MARK: - CloudTrail

    /// `count` CloudTrail records (as inside `Records`), eventTime 10:00–11:00 UTC, unordered.
    public static func cloudTrailRecords(count: Int) -> [[UInt8]] {
        var r = Random(state: 7)
        return (0..<count).map { _ in Array(cloudTrailRecord(&r).utf8) }
    }

    static func cloudTrailRecord(_ r: inout Random) -> String {
        let region = r.pick(["eu-west-1", "us-east-1"])
        let seconds = 36_000 + r.below(3_600)
        let eventTime = String(time(seconds * 1_000_000).prefix(19)) + "Z"
        let deployer = #"{"type":"AssumedRole","principalId":"AROA\#(r.upper(17)):ci-bot","arn":"arn:aws:sts::\#(account):assumed-role/Deployer/ci-bot","accountId":"\#(account)","accessKeyId":"ASIA\#(r.upper(17))","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA\#(r.upper(17))","arn":"arn:aws:iam::\#(account):role/Deployer","accountId":"\#(account)","userName":"Deployer"},"attributes":{"creationDate":"\#(eventTime)","mfaAuthenticated":"false"}}}"#
        let alice = #"{"type":"IAMUser","principalId":"AIDA\#(r.upper(17))","arn":"arn:aws:iam::\#(account):user/alice","accountId":"\#(account)","accessKeyId":"AKIA\#(r.upper(16))","userName":"alice"}"#
        let (source, name, readOnly, params, identity): (String, String, Bool, String, String)
        switch r.below(10) {
        case 0, 1:
            (source, name, readOnly, identity) = ("sts.amazonaws.com", "AssumeRole", true, #"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#)
            params = #"{"roleArn":"arn:aws:iam::\#(account):role/eks-node-role","roleSessionName":"i-0\#(r.hex(16))","durationSeconds":3600}"#
        case 2, 3:
            (source, name, readOnly, identity) = ("s3.amazonaws.com", r.pick(["GetObject", "PutObject", "DeleteObject"]), false, deployer)
            params = #"{"bucketName":"logq-artifacts-\#(region)","Host":"logq-artifacts-\#(region).s3.\#(region).amazonaws.com","key":"builds/\#(r.hex(8))/app.tar.gz"}"#
        case 4:
            (source, name, readOnly, identity) = ("s3.amazonaws.com", "ListBuckets", true, deployer)
            params = #"{"Host":"s3.\#(region).amazonaws.com"}"#
        case 5, 6:
            (source, name, readOnly, identity) = ("ec2.amazonaws.com", r.pick(["DescribeInstances", "DescribeInstances", "TerminateInstances"]), false, r.below(2) == 0 ? deployer : alice)
            params = #"{"instancesSet":{"items":[{"instanceId":"i-0\#(r.hex(16))"}]},"filterSet":{}}"#
        case 7:
            (source, name, readOnly, identity) = ("iam.amazonaws.com", r.pick(["GetRole", "CreateRole", "DeleteRole"]), false, alice)
            params = #"{"roleName":"app-\#(r.hex(6))-role"}"#
        default:
            (source, name, readOnly, identity) = ("eks.amazonaws.com", r.pick(["DescribeCluster", "ListNodegroups", "DeleteNodegroup"]), false, deployer)
            params = #"{"name":"prod","clusterName":"prod"}"#
        }
        let isRead = readOnly || name.hasPrefix("Describe") || name.hasPrefix("Get") || name.hasPrefix("List")
        var s = #"{"eventVersion":"1.11","userIdentity":\#(identity),"eventTime":"\#(eventTime)","eventSource":"\#(source)","eventName":"\#(name)","awsRegion":"\#(region)","sourceIPAddress":"198.51.100.\#(r.below(200) + 2)","userAgent":"APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64","requestParameters":\#(params),"responseElements":null,"#
        if r.below(25) == 0 {
            s += #""errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation","#
        }
        s += #""requestID":"\#(r.uuid())","eventID":"\#(r.uuid())","readOnly":\#(isRead),"eventType":"AwsApiCall","managementEvent":\#(source != "s3.amazonaws.com"),"recipientAccountId":"\#(account)","eventCategory":"\#(source == "s3.amazonaws.com" ? "Data" : "Management")","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"\#(source.split(separator: ".")[0]).\#(region).amazonaws.com"}}"#
        return s
    }
}
