import AuditCore

/// Who makes an AWS API call; decides `userIdentity`, `sourceIPAddress`, `userAgent`, and
/// whether the record carries `tlsDetails` (not when an AWS service calls on your behalf).
enum CloudTrailCaller: Sendable, Equatable {
    /// CI with Terraform: role `Deployer`, session `ci-bot`.
    case deployer
    /// An operator with the AWS CLI: role `Admin`, session `bob`.
    case admin
    /// Someone in the console through the read-only SSO role.
    case console
    /// IAM user `alice` with long-term keys.
    case alice
    /// IAM user `backup-agent`, a cron job.
    case backupAgent
    /// A worker node of the EKS cluster (instance role session = instance ID).
    case node
    /// The EBS CSI controller through IRSA.
    case ebsCSI
    /// The AWS Load Balancer Controller through IRSA.
    case loadBalancerController
    /// A pod's service account exchanging its token (`WebIdentityUser`).
    case webIdentity
    /// The `orders-export` Lambda function.
    case lambda
    /// EC2 Auto Scaling's service-linked role (`invokedBy` autoscaling).
    case autoScaling
    /// An AWS service acting for the account (`AWSService`).
    case awsService
    /// The account's root user (rare, and worth an alert).
    case root

    /// True when the call came from outside AWS's own fleet and so carries `tlsDetails`.
    var hasTLS: Bool {
        switch self {
        case .autoScaling, .awsService: false
        default: true
        }
    }

    /// True for people (console and CLI users).
    var isPerson: Bool {
        switch self {
        case .admin, .console, .alice, .root: true
        default: false
        }
    }
}

/// Writes the caller-dependent fields of a record.
struct CloudTrailCallerWriter: Sendable {
    let account: AWSAccount
    let cluster: K8sCluster
    /// The OIDC provider of the EKS cluster (for IRSA web identities).
    let oidcProvider: String

    init(account: AWSAccount, cluster: K8sCluster, seed: UInt64) {
        self.account = account
        self.cluster = cluster
        var rng = SplitMix64(seed: seed, stream: RandomStream.awsAccount + 1)
        oidcProvider = "oidc.eks.\(AWSAccount.clusterRegion).amazonaws.com/id/" + Alphabet.string("0123456789ABCDEF", 32, &rng)
    }

    /// The ARN of the caller, as error messages quote it.
    func arn(_ caller: CloudTrailCaller, node: Int) -> String {
        switch caller {
        case .deployer: account.deployer.sessionArn("ci-bot")
        case .admin: account.admin.sessionArn("bob")
        case .console: account.readOnlyRole.sessionArn("alice@example.com")
        case .alice: account.alice.arn
        case .backupAgent: account.backupUser.arn
        case .node: account.nodeRole.sessionArn(cluster.nodes[node].instanceID)
        case .ebsCSI, .webIdentity: account.ebsCSIRole.sessionArn("1732406400123456789")
        case .loadBalancerController: account.loadBalancerRole.sessionArn("1732406400987654321")
        case .lambda: account.lambdaRole.sessionArn("orders-export")
        case .autoScaling: account.autoScalingRole.sessionArn("AutoScaling")
        case .awsService: "arn:aws:iam::\(AWSAccount.id):root"
        case .root: "arn:aws:iam::\(AWSAccount.id):root"
        }
    }

    /// Writes `"userIdentity":{…}`. `invokedBy` names the service for `.awsService`; `role` is the
    /// role a web identity asks for (it decides which service account is asking).
    func writeIdentity(
        _ caller: CloudTrailCaller, node: Int, invokedBy: StaticString, role: String, at time: Int64, _ w: inout JSONWriter,
        _ rng: inout SplitMix64
    ) {
        w.key("userIdentity")
        w.beginObject()
        switch caller {
        case .deployer:
            writeAssumedRole(account.deployer, session: "ci-bot", at: time, &w, &rng)
        case .admin:
            writeAssumedRole(account.admin, session: "bob", at: time, mfa: true, &w, &rng)
        case .console:
            writeAssumedRole(account.readOnlyRole, session: "alice@example.com", at: time, &w, &rng)
        case .alice:
            writeIAMUser(account.alice, &w)
        case .backupAgent:
            writeIAMUser(account.backupUser, &w)
        case .node:
            writeAssumedRole(account.nodeRole, session: cluster.nodes[node].instanceID, at: time, ec2RoleDelivery: true, &w, &rng)
        case .ebsCSI:
            writeAssumedRole(account.ebsCSIRole, session: "1732406400123456789", at: time, webIdentity: true, &w, &rng)
        case .loadBalancerController:
            writeAssumedRole(account.loadBalancerRole, session: "1732406400987654321", at: time, webIdentity: true, &w, &rng)
        case .lambda:
            writeAssumedRole(account.lambdaRole, session: "orders-export", at: time, &w, &rng)
        case .autoScaling:
            writeAssumedRole(account.autoScalingRole, session: "AutoScaling", at: time, &w, &rng)
            w.field("invokedBy", "autoscaling.amazonaws.com")
        case .webIdentity:
            let subject = role == account.loadBalancerRole.name
                ? "system:serviceaccount:kube-system:aws-load-balancer-controller"
                : "system:serviceaccount:kube-system:ebs-csi-controller-sa"
            w.field("type", "WebIdentityUser")
            w.field("principalId", "arn:aws:iam::\(AWSAccount.id):oidc-provider/\(oidcProvider):sts.amazonaws.com:\(subject)")
            w.field("userName", subject)
            w.field("identityProvider", "arn:aws:iam::\(AWSAccount.id):oidc-provider/\(oidcProvider)")
        case .awsService:
            w.field("type", "AWSService")
            w.field("invokedBy", invokedBy)
        case .root:
            w.field("type", "Root")
            w.field("principalId", AWSAccount.id)
            w.field("arn", "arn:aws:iam::\(AWSAccount.id):root")
            w.field("accountId", AWSAccount.id)
            w.field("accessKeyId", "")
            w.field("userName", "acme-prod")
        }
        w.endObject()
    }

    private func writeIAMUser(_ user: AWSAccount.User, _ w: inout JSONWriter) {
        w.field("type", "IAMUser")
        w.field("principalId", user.uniqueID)
        w.field("arn", user.arn)
        w.field("accountId", AWSAccount.id)
        w.field("accessKeyId", user.accessKeyID)
        w.field("userName", user.name)
    }

    private func writeAssumedRole(
        _ role: AWSAccount.Role, session: String, at time: Int64, mfa: Bool = false, ec2RoleDelivery: Bool = false,
        webIdentity: Bool = false, _ w: inout JSONWriter, _ rng: inout SplitMix64
    ) {
        w.field("type", "AssumedRole")
        w.field("principalId", role.uniqueID + ":" + session)
        w.field("arn", role.sessionArn(session))
        w.field("accountId", AWSAccount.id)
        w.key("accessKeyId")
        w.beginString()
        w.part("ASIA")
        w.part(randomFrom: Alphabet.awsID, count: 16, &rng)
        w.endString()
        w.key("sessionContext")
        w.beginObject()
        w.key("sessionIssuer")
        w.beginObject()
        w.field("type", "Role")
        w.field("principalId", role.uniqueID)
        w.field("arn", role.arn)
        w.field("accountId", AWSAccount.id)
        w.field("userName", role.shortName)
        w.endObject()
        if webIdentity {
            w.key("webIdFederationData")
            w.beginObject()
            w.field("federatedProvider", "arn:aws:iam::\(AWSAccount.id):oidc-provider/\(oidcProvider)")
            w.key("attributes")
            w.beginObject()
            w.endObject()
            w.endObject()
        }
        w.key("attributes")
        w.beginObject()
        w.key("creationDate")
        w.timestamp(time - Int64(rng.int(in: 60...3_300)) * Timestamp.nanosPerSecond, fractionDigits: 0)
        w.field("mfaAuthenticated", mfa ? "true" : "false")
        w.endObject()
        if ec2RoleDelivery { w.field("ec2RoleDelivery", "2.0") }
        w.endObject()
    }

    /// Writes `sourceIPAddress`: an office or CI address for people, the NAT gateway of the node's
    /// zone (or, through a VPC endpoint, its private address) for the cluster, a service name
    /// for AWS services.
    func writeSourceIP(
        _ caller: CloudTrailCaller, node: Int, throughEndpoint: Bool, invokedBy: StaticString, _ w: inout JSONWriter
    ) {
        w.key("sourceIPAddress")
        switch caller {
        case .deployer: w.string("198.51.100.7")
        case .admin: w.string("203.0.113.58")
        case .console, .alice: w.string("203.0.113.24")
        case .backupAgent: w.string("192.0.2.44")
        case .root: w.string("192.0.2.201")
        case .node, .ebsCSI, .loadBalancerController, .webIdentity:
            if throughEndpoint {
                w.string(cluster.nodes[node].ip)
            } else {
                w.string(["34.250.17.93", "52.49.201.14", "54.76.133.208"][node % 3])
            }
        case .lambda: w.string("3.250.44.161")
        case .autoScaling: w.string("autoscaling.amazonaws.com")
        case .awsService: w.string(invokedBy)
        }
    }

    /// Writes `userAgent`: the SDK or tool each caller really uses.
    func writeUserAgent(
        _ caller: CloudTrailCaller, service: CloudTrailService, eventName: StaticString, invokedBy: StaticString,
        _ w: inout JSONWriter
    ) {
        w.key("userAgent")
        w.beginString()
        switch caller {
        case .deployer:
            w.part("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/")
            w.part(service.prefix)
            w.part("#1.38.1")
        case .admin, .alice:
            w.part("aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#")
            w.part(service.prefix)
            w.part(".")
            w.part(eventName)
        case .console:
            w.part("AWS Internal")
        case .backupAgent:
            w.part("Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#6.1.112-124.190.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.60")
        case .node:
            switch service.kind {
            case .ssm:
                w.part("aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.987.0")
            case .ec2:
                w.part("aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.177.0 amazon-vpc-cni-k8s/v1.18.5")
            case .monitoring:
                w.part("CWAgent/1.300049.1 (go1.22.7; linux; amd64) inputs:(cpu disk mem) outputs:(cloudwatch)")
            default:
                w.part("aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/")
                w.part(service.prefix)
                w.part("#1.32.0 ecr-credential-provider/v1.31.0")
            }
        case .ebsCSI:
            w.part("aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.179.2 ebs-csi-driver/v1.35.0")
        case .loadBalancerController:
            w.part("elbv2.k8s.aws/v2.8.2 aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)")
        case .webIdentity:
            w.part("aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.32.2")
        case .lambda:
            w.part("Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145")
        case .autoScaling:
            w.part("autoscaling.amazonaws.com")
        case .awsService:
            w.part(invokedBy)
        case .root:
            w.part("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
        }
        w.endString()
    }
}
