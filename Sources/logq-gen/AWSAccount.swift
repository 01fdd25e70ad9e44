/// The AWS account both sources share: the IAM roles and users that call AWS APIs and, through
/// EKS access entries, the cluster. Built once from the seed so IDs agree across the two sources.
struct AWSAccount: Sendable {
    /// The account ID in every ARN and S3 key.
    static let id = "111122223333"
    /// The region of the EKS cluster.
    static let clusterRegion = "eu-west-1"
    /// The EKS cluster's name.
    static let clusterName = "prod-eu"

    /// An IAM role and its unique ID (`AROA…`).
    struct Role: Sendable {
        /// Role name, with its path for service-linked roles.
        let name: String
        /// Unique ID (`AROA` + 17 characters), the first half of an assumed role's principalId.
        let uniqueID: String
        /// The role's ARN.
        var arn: String { "arn:aws:iam::\(AWSAccount.id):role/\(name)" }
        /// The short name (after the last `/`), as `sessionIssuer.userName` gives it.
        var shortName: String { name.split(separator: "/").last.map(String.init) ?? name }
        /// The ARN of a session of this role.
        func sessionArn(_ session: String) -> String { "arn:aws:sts::\(AWSAccount.id):assumed-role/\(shortName)/\(session)" }
    }

    /// An IAM user, its unique ID (`AIDA…`) and its long-term access key (`AKIA…`).
    struct User: Sendable {
        let name: String
        let uniqueID: String
        let accessKeyID: String
        var arn: String { "arn:aws:iam::\(AWSAccount.id):user/\(name)" }
    }

    /// CI deployments (Terraform, kubectl); session `ci-bot`.
    let deployer: Role
    /// Operators' admin role; session `bob`.
    let admin: Role
    /// The worker nodes' instance role; sessions are instance IDs.
    let nodeRole: Role
    /// IRSA role of the EBS CSI controller.
    let ebsCSIRole: Role
    /// IRSA role of the AWS Load Balancer Controller.
    let loadBalancerRole: Role
    /// Execution role of the `orders-export` Lambda function.
    let lambdaRole: Role
    /// Service-linked role of EC2 Auto Scaling.
    let autoScalingRole: Role
    /// Read-only SSO role used by the platform team.
    let readOnlyRole: Role
    /// A person with an IAM user (console and CLI).
    let alice: User
    /// A backup job with long-term keys.
    let backupUser: User

    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed, stream: RandomStream.awsAccount)
        func role(_ name: String) -> Role { Role(name: name, uniqueID: "AROA" + Alphabet.string(Alphabet.awsID, 17, &rng)) }
        func user(_ name: String) -> User {
            User(name: name, uniqueID: "AIDA" + Alphabet.string(Alphabet.awsID, 17, &rng),
                 accessKeyID: "AKIA" + Alphabet.string(Alphabet.awsID, 16, &rng))
        }
        deployer = role("Deployer")
        admin = role("Admin")
        nodeRole = role("eks-node-role")
        ebsCSIRole = role("AmazonEKS_EBS_CSI_DriverRole")
        loadBalancerRole = role("aws-load-balancer-controller")
        lambdaRole = role("orders-export-lambda")
        autoScalingRole = role("aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
        readOnlyRole = role("AWSReservedSSO_ReadOnly_5f3c1a9e2b7d4c60")
        alice = user("alice")
        backupUser = user("backup-agent")
    }
}
