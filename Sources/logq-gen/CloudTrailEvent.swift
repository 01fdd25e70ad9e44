/// The API calls the simulated account makes, with how often, from where and by whom.
///
/// Weights are calls per ~1,000 in a region where the call happens at all; `scope` says where.
/// Reads dominate (Describe/Get/List, STS, KMS, ECR pulls), as in real management-event trails;
/// deletes (`Delete*`, `TerminateInstances`) are about 1–2 %.
enum CloudTrailEvent: Int, CaseIterable, Sendable {
    case describeInstances, describeVolumes, describeSecurityGroups, describeNetworkInterfaces
    case createNetworkInterface, deleteNetworkInterface, createTags, deleteTags, runInstances, terminateInstances
    case listBuckets, getBucketAcl, getBucketLocation, getBucketPolicy, getBucketVersioning, getBucketEncryption
    case putBucketPolicy, createBucket, deleteBucket, putBucketTagging
    case getRole, listRoles, listAttachedRolePolicies, getPolicy, createRole, deleteRole, attachRolePolicy
    case detachRolePolicy, deleteRolePolicy
    case assumeRole, assumeRoleWithWebIdentity, getCallerIdentity
    case describeCluster, listClusters, listNodegroups, describeNodegroup, createNodegroup, deleteNodegroup
    case decrypt, generateDataKey, describeKey
    case describeAlarms, getMetricData, putMetricData
    case describeLogGroups, createLogStream, describeLogStreams, createLogGroup, deleteLogGroup
    case listFunctions, getFunction, updateFunctionCode, deleteFunction
    case getAuthorizationToken, batchGetImage, getDownloadUrlForLayer, describeRepositories, putImage
    case getParameter, getParameters, updateInstanceInformation, putParameter, deleteParameter
    case consoleLogin

    /// Where a call happens.
    enum Scope: Sendable {
        /// Every region.
        case everywhere
        /// Only us-east-1 (global services: IAM, sign-in).
        case usEast1
        /// Only the EKS cluster's region, eu-west-1.
        case cluster
        /// Mostly the cluster's region, a little elsewhere.
        case clusterMostly
    }

    var service: CloudTrailService {
        switch self {
        case .describeInstances, .describeVolumes, .describeSecurityGroups, .describeNetworkInterfaces,
             .createNetworkInterface, .deleteNetworkInterface, .createTags, .deleteTags, .runInstances, .terminateInstances:
            .ec2
        case .listBuckets, .getBucketAcl, .getBucketLocation, .getBucketPolicy, .getBucketVersioning, .getBucketEncryption,
             .putBucketPolicy, .createBucket, .deleteBucket, .putBucketTagging:
            .s3
        case .getRole, .listRoles, .listAttachedRolePolicies, .getPolicy, .createRole, .deleteRole, .attachRolePolicy,
             .detachRolePolicy, .deleteRolePolicy:
            .iam
        case .assumeRole, .assumeRoleWithWebIdentity, .getCallerIdentity: .sts
        case .describeCluster, .listClusters, .listNodegroups, .describeNodegroup, .createNodegroup, .deleteNodegroup: .eks
        case .decrypt, .generateDataKey, .describeKey: .kms
        case .describeAlarms, .getMetricData, .putMetricData: .monitoring
        case .describeLogGroups, .createLogStream, .describeLogStreams, .createLogGroup, .deleteLogGroup: .logs
        case .listFunctions, .getFunction, .updateFunctionCode, .deleteFunction: .lambda
        case .getAuthorizationToken, .batchGetImage, .getDownloadUrlForLayer, .describeRepositories, .putImage: .ecr
        case .getParameter, .getParameters, .updateInstanceInformation, .putParameter, .deleteParameter: .ssm
        case .consoleLogin: .signin
        }
    }

    /// `eventName`.
    var name: StaticString {
        switch self {
        case .describeInstances: "DescribeInstances"
        case .describeVolumes: "DescribeVolumes"
        case .describeSecurityGroups: "DescribeSecurityGroups"
        case .describeNetworkInterfaces: "DescribeNetworkInterfaces"
        case .createNetworkInterface: "CreateNetworkInterface"
        case .deleteNetworkInterface: "DeleteNetworkInterface"
        case .createTags: "CreateTags"
        case .deleteTags: "DeleteTags"
        case .runInstances: "RunInstances"
        case .terminateInstances: "TerminateInstances"
        case .listBuckets: "ListBuckets"
        case .getBucketAcl: "GetBucketAcl"
        case .getBucketLocation: "GetBucketLocation"
        case .getBucketPolicy: "GetBucketPolicy"
        case .getBucketVersioning: "GetBucketVersioning"
        case .getBucketEncryption: "GetBucketEncryption"
        case .putBucketPolicy: "PutBucketPolicy"
        case .createBucket: "CreateBucket"
        case .deleteBucket: "DeleteBucket"
        case .putBucketTagging: "PutBucketTagging"
        case .getRole: "GetRole"
        case .listRoles: "ListRoles"
        case .listAttachedRolePolicies: "ListAttachedRolePolicies"
        case .getPolicy: "GetPolicy"
        case .createRole: "CreateRole"
        case .deleteRole: "DeleteRole"
        case .attachRolePolicy: "AttachRolePolicy"
        case .detachRolePolicy: "DetachRolePolicy"
        case .deleteRolePolicy: "DeleteRolePolicy"
        case .assumeRole: "AssumeRole"
        case .assumeRoleWithWebIdentity: "AssumeRoleWithWebIdentity"
        case .getCallerIdentity: "GetCallerIdentity"
        case .describeCluster: "DescribeCluster"
        case .listClusters: "ListClusters"
        case .listNodegroups: "ListNodegroups"
        case .describeNodegroup: "DescribeNodegroup"
        case .createNodegroup: "CreateNodegroup"
        case .deleteNodegroup: "DeleteNodegroup"
        case .decrypt: "Decrypt"
        case .generateDataKey: "GenerateDataKey"
        case .describeKey: "DescribeKey"
        case .describeAlarms: "DescribeAlarms"
        case .getMetricData: "GetMetricData"
        case .putMetricData: "PutMetricData"
        case .describeLogGroups: "DescribeLogGroups"
        case .createLogStream: "CreateLogStream"
        case .describeLogStreams: "DescribeLogStreams"
        case .createLogGroup: "CreateLogGroup"
        case .deleteLogGroup: "DeleteLogGroup"
        case .listFunctions: "ListFunctions20150331"
        case .getFunction: "GetFunction20150331v2"
        case .updateFunctionCode: "UpdateFunctionCode20150331v2"
        case .deleteFunction: "DeleteFunction20150331"
        case .getAuthorizationToken: "GetAuthorizationToken"
        case .batchGetImage: "BatchGetImage"
        case .getDownloadUrlForLayer: "GetDownloadUrlForLayer"
        case .describeRepositories: "DescribeRepositories"
        case .putImage: "PutImage"
        case .getParameter: "GetParameter"
        case .getParameters: "GetParameters"
        case .updateInstanceInformation: "UpdateInstanceInformation"
        case .putParameter: "PutParameter"
        case .deleteParameter: "DeleteParameter"
        case .consoleLogin: "ConsoleLogin"
        }
    }

    /// `readOnly`: true for calls that change nothing (STS credential calls count as reads).
    var readOnly: Bool {
        switch self {
        case .describeInstances, .describeVolumes, .describeSecurityGroups, .describeNetworkInterfaces,
             .listBuckets, .getBucketAcl, .getBucketLocation, .getBucketPolicy, .getBucketVersioning, .getBucketEncryption,
             .getRole, .listRoles, .listAttachedRolePolicies, .getPolicy,
             .assumeRole, .assumeRoleWithWebIdentity, .getCallerIdentity,
             .describeCluster, .listClusters, .listNodegroups, .describeNodegroup,
             .decrypt, .generateDataKey, .describeKey, .describeAlarms, .getMetricData,
             .describeLogGroups, .describeLogStreams, .listFunctions, .getFunction,
             .getAuthorizationToken, .batchGetImage, .getDownloadUrlForLayer, .describeRepositories,
             .getParameter, .getParameters:
            true
        default:
            false
        }
    }

    /// True for the calls a `Delete*` or `Terminate*` question is about.
    var isDelete: Bool {
        switch self {
        case .deleteNetworkInterface, .deleteTags, .terminateInstances, .deleteBucket, .deleteRole, .deleteRolePolicy,
             .deleteNodegroup, .deleteLogGroup, .deleteFunction, .deleteParameter:
            true
        default:
            false
        }
    }

    /// Relative frequency (per mille, in tenths) and where it happens.
    var frequency: (tenths: Int, scope: Scope) {
        switch self {
        case .describeInstances: (500, .everywhere)
        case .describeVolumes: (200, .clusterMostly)
        case .describeSecurityGroups: (150, .everywhere)
        case .describeNetworkInterfaces: (300, .cluster)
        case .createNetworkInterface: (60, .cluster)
        case .deleteNetworkInterface: (60, .cluster)
        case .createTags: (60, .everywhere)
        case .deleteTags: (12, .everywhere)
        case .runInstances: (25, .everywhere)
        case .terminateInstances: (22, .everywhere)
        case .listBuckets: (120, .everywhere)
        case .getBucketAcl: (180, .everywhere)
        case .getBucketLocation: (150, .everywhere)
        case .getBucketPolicy: (100, .everywhere)
        case .getBucketVersioning: (80, .everywhere)
        case .getBucketEncryption: (80, .everywhere)
        case .putBucketPolicy: (8, .everywhere)
        case .createBucket: (5, .everywhere)
        case .deleteBucket: (5, .everywhere)
        case .putBucketTagging: (5, .everywhere)
        case .getRole: (350, .usEast1)
        case .listRoles: (120, .usEast1)
        case .listAttachedRolePolicies: (200, .usEast1)
        case .getPolicy: (150, .usEast1)
        case .createRole: (12, .usEast1)
        case .deleteRole: (10, .usEast1)
        case .attachRolePolicy: (15, .usEast1)
        case .detachRolePolicy: (10, .usEast1)
        case .deleteRolePolicy: (8, .usEast1)
        case .assumeRole: (350, .everywhere)
        case .assumeRoleWithWebIdentity: (250, .cluster)
        case .getCallerIdentity: (120, .everywhere)
        case .describeCluster: (250, .cluster)
        case .listClusters: (30, .everywhere)
        case .listNodegroups: (40, .cluster)
        case .describeNodegroup: (60, .cluster)
        case .createNodegroup: (2, .cluster)
        case .deleteNodegroup: (2, .cluster)
        case .decrypt: (500, .everywhere)
        case .generateDataKey: (300, .everywhere)
        case .describeKey: (40, .everywhere)
        case .describeAlarms: (80, .everywhere)
        case .getMetricData: (100, .everywhere)
        case .putMetricData: (120, .everywhere)
        case .describeLogGroups: (80, .everywhere)
        case .createLogStream: (100, .everywhere)
        case .describeLogStreams: (40, .everywhere)
        case .createLogGroup: (4, .everywhere)
        case .deleteLogGroup: (4, .everywhere)
        case .listFunctions: (40, .everywhere)
        case .getFunction: (30, .everywhere)
        case .updateFunctionCode: (4, .everywhere)
        case .deleteFunction: (2, .everywhere)
        case .getAuthorizationToken: (180, .clusterMostly)
        case .batchGetImage: (220, .clusterMostly)
        case .getDownloadUrlForLayer: (160, .clusterMostly)
        case .describeRepositories: (30, .clusterMostly)
        case .putImage: (10, .clusterMostly)
        case .getParameter: (150, .everywhere)
        case .getParameters: (60, .everywhere)
        case .updateInstanceInformation: (180, .clusterMostly)
        case .putParameter: (4, .everywhere)
        case .deleteParameter: (2, .everywhere)
        case .consoleLogin: (6, .usEast1)
        }
    }

    /// The weight of this call in `region` (0 where it never happens).
    func weight(region: Int) -> Int {
        let (tenths, scope) = frequency
        switch scope {
        case .everywhere: return tenths
        case .usEast1: return region == CloudTrailRegion.usEast1 ? tenths : 0
        case .cluster: return region == CloudTrailRegion.euWest1 ? tenths : 0
        case .clusterMostly: return region == CloudTrailRegion.euWest1 ? tenths : tenths / 10
        }
    }

    /// Who makes this call, weighted.
    var callers: [(CloudTrailCaller, Int)] {
        switch self {
        case .describeInstances: [(.node, 20), (.deployer, 25), (.admin, 5), (.loadBalancerController, 15), (.console, 5), (.ebsCSI, 10)]
        case .describeVolumes: [(.ebsCSI, 70), (.deployer, 20), (.console, 10)]
        case .describeSecurityGroups: [(.loadBalancerController, 50), (.deployer, 40), (.console, 10)]
        case .describeNetworkInterfaces, .createNetworkInterface, .deleteNetworkInterface: [(.node, 95), (.deployer, 5)]
        case .createTags: [(.node, 45), (.ebsCSI, 30), (.deployer, 20), (.autoScaling, 5)]
        case .deleteTags: [(.deployer, 70), (.ebsCSI, 30)]
        case .runInstances: [(.autoScaling, 85), (.deployer, 15)]
        case .terminateInstances: [(.autoScaling, 80), (.admin, 15), (.deployer, 5)]
        case .listBuckets: [(.deployer, 30), (.admin, 20), (.alice, 20), (.console, 20), (.backupAgent, 9), (.root, 1)]
        case .getBucketAcl, .getBucketVersioning, .getBucketEncryption: [(.deployer, 70), (.console, 15), (.backupAgent, 15)]
        case .getBucketLocation: [(.backupAgent, 50), (.deployer, 30), (.lambda, 20)]
        case .getBucketPolicy: [(.deployer, 70), (.admin, 20), (.console, 10)]
        case .putBucketPolicy, .createBucket, .putBucketTagging: [(.deployer, 85), (.admin, 15)]
        case .deleteBucket: [(.deployer, 60), (.admin, 30), (.alice, 10)]
        case .getRole, .listAttachedRolePolicies, .getPolicy: [(.deployer, 80), (.admin, 10), (.console, 10)]
        case .listRoles: [(.admin, 40), (.console, 40), (.alice, 20)]
        case .createRole, .attachRolePolicy, .detachRolePolicy, .deleteRolePolicy: [(.deployer, 90), (.admin, 10)]
        case .deleteRole: [(.deployer, 70), (.admin, 20), (.alice, 10)]
        case .assumeRole: [(.awsService, 60), (.deployer, 20), (.admin, 12), (.alice, 8)]
        case .assumeRoleWithWebIdentity: [(.webIdentity, 100)]
        case .getCallerIdentity: [(.deployer, 40), (.admin, 20), (.alice, 15), (.backupAgent, 10), (.lambda, 14), (.root, 1)]
        case .describeCluster: [(.node, 40), (.deployer, 40), (.admin, 15), (.console, 5)]
        case .listClusters, .listNodegroups, .describeNodegroup: [(.deployer, 50), (.admin, 25), (.console, 25)]
        case .createNodegroup, .deleteNodegroup: [(.deployer, 60), (.admin, 40)]
        case .decrypt: [(.awsService, 30), (.lambda, 30), (.node, 20), (.backupAgent, 10), (.deployer, 10)]
        case .generateDataKey: [(.awsService, 60), (.lambda, 20), (.backupAgent, 20)]
        case .describeKey: [(.deployer, 80), (.admin, 20)]
        case .describeAlarms: [(.console, 60), (.deployer, 40)]
        case .getMetricData: [(.console, 50), (.admin, 20), (.loadBalancerController, 30)]
        case .putMetricData: [(.node, 60), (.lambda, 40)]
        case .describeLogGroups, .describeLogStreams: [(.console, 50), (.deployer, 50)]
        case .createLogStream: [(.lambda, 80), (.node, 20)]
        case .createLogGroup, .deleteLogGroup: [(.deployer, 90), (.admin, 10)]
        case .listFunctions: [(.console, 50), (.deployer, 50)]
        case .getFunction: [(.deployer, 90), (.console, 10)]
        case .updateFunctionCode, .deleteFunction: [(.deployer, 90), (.admin, 10)]
        case .getAuthorizationToken, .batchGetImage, .getDownloadUrlForLayer: [(.node, 95), (.deployer, 5)]
        case .describeRepositories, .putImage: [(.deployer, 100)]
        case .getParameter, .getParameters: [(.lambda, 55), (.node, 30), (.deployer, 15)]
        case .updateInstanceInformation: [(.node, 100)]
        case .putParameter, .deleteParameter: [(.deployer, 85), (.admin, 15)]
        case .consoleLogin: [(.alice, 90), (.root, 10)]
        }
    }

    /// The AWS service named by `invokedBy` when an `AWSService` caller makes this call.
    var invoker: StaticString {
        switch self {
        case .generateDataKey: "cloudtrail.amazonaws.com"
        case .decrypt: "secretsmanager.amazonaws.com"
        default: "ec2.amazonaws.com"
        }
    }
}
