import AuditCore

/// Which resource each call names, and the `requestParameters` of EC2 and S3 calls:
/// the shapes the services log, with the account's own names.
extension CloudTrailRecordWriter {
    /// Picks the resource a call is about.
    func target(
        of event: CloudTrailEvent, caller: CloudTrailCaller, node: Int, invokedBy: StaticString, _ rng: inout SplitMix64
    ) -> String {
        switch event {
        case .getBucketAcl, .getBucketLocation, .getBucketPolicy, .getBucketVersioning, .getBucketEncryption,
             .putBucketPolicy, .putBucketTagging:
            return rng.pick(CloudTrailInventory.buckets)
        case .createBucket, .deleteBucket:
            return "acme-tmp-exports-202611" + String(10 + rng.below(20))
        case .getRole, .listAttachedRolePolicies, .attachRolePolicy, .detachRolePolicy, .deleteRolePolicy:
            return rng.pick(CloudTrailInventory.roles)
        case .createRole, .deleteRole:
            return "preview-" + Alphabet.string(Alphabet.hex, 6, &rng) + "-role"
        case .getPolicy:
            return rng.pick(CloudTrailInventory.policies)
        case .assumeRole:
            switch invokedBy.description {
            case "lambda.amazonaws.com": return "orders-export-lambda"
            case "eks.amazonaws.com": return "prod-eu-cluster-role"
            default: return caller == .awsService ? "eks-node-role" : rng.pick(["Admin", "Deployer", "grafana-cloudwatch"])
            }
        case .assumeRoleWithWebIdentity:
            return rng.chance(0.6) ? callers.account.ebsCSIRole.name : callers.account.loadBalancerRole.name
        case .describeNodegroup, .createNodegroup, .deleteNodegroup:
            return rng.pick(CloudTrailInventory.nodegroups)
        case .runInstances, .terminateInstances, .createTags, .deleteTags:
            return rng.chance(0.5) ? callers.cluster.nodes[node].instanceID : "i-0" + Alphabet.string(Alphabet.hex, 16, &rng)
        case .createNetworkInterface, .deleteNetworkInterface:
            return "eni-0" + Alphabet.string(Alphabet.hex, 16, &rng)
        case .getFunction, .updateFunctionCode, .deleteFunction:
            return rng.chance(0.8) ? "orders-export" : "thumbnailer"
        case .batchGetImage, .getDownloadUrlForLayer, .putImage:
            return rng.pick(CloudTrailInventory.repositories)
        case .getParameter, .putParameter, .deleteParameter:
            return rng.pick(CloudTrailInventory.parameters)
        case .createLogStream, .createLogGroup, .deleteLogGroup, .describeLogStreams:
            return rng.pick(CloudTrailInventory.logGroups)
        case .describeCluster, .listNodegroups:
            return AWSAccount.clusterName
        default:
            return ""
        }
    }

    /// The session name an STS call asks for: the instance or function for AWS services, the
    /// person or bot otherwise, the SDK's nanosecond timestamp for web identities.
    func sessionName(_ call: CloudTrailCall) -> String {
        if call.event == .assumeRoleWithWebIdentity { return String(call.time + Int64(call.node)) }
        switch call.caller {
        case .awsService:
            return call.invokedBy.description == "ec2.amazonaws.com" ? callers.cluster.nodes[call.node].instanceID : "orders-export"
        case .admin: return "bob"
        case .alice: return "alice"
        default: return "ci-bot"
        }
    }

    /// The ARN error messages name for a call's resource.
    func resourceArn(_ call: CloudTrailCall) -> String {
        let account = AWSAccount.id
        let region = call.regionName
        switch call.event.service.kind {
        case .iam: return call.event == .getPolicy ? call.target : "arn:aws:iam::\(account):role/\(call.target)"
        case .eks: return "arn:aws:eks:\(region):\(account):cluster/\(AWSAccount.clusterName)"
        case .lambda: return "arn:aws:lambda:\(region):\(account):function:\(call.target)"
        case .ssm: return "arn:aws:ssm:\(region):\(account):parameter\(call.target)"
        case .logs: return "arn:aws:logs:\(region):\(account):log-group:\(call.target)"
        case .kms: return "arn:aws:kms:\(region):\(account):key/\(CloudTrailInventory.kmsKeyID)"
        case .ecr: return "arn:aws:ecr:\(region):\(account):repository/\(call.target)"
        default: return "*"
        }
    }

    /// Writes `requestParameters`: what the caller sent, as the service logs it.
    func writeRequestParameters(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        w.key("requestParameters")
        switch call.event.service.kind {
        case .ec2: writeEC2Parameters(call, &w, &rng)
        case .s3: writeS3Parameters(call, &w, &rng)
        case .iam, .sts: writeIdentityParameters(call, &w, &rng)
        default: writePlatformParameters(call, &w, &rng)
        }
    }

    /// EC2: instances, network interfaces, tags, describe filters.
    private func writeEC2Parameters(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        let t = call.target
        switch call.event {
        case .describeInstances:
            w.beginObject()
            w.key("instancesSet")
            w.beginObject()
            w.endObject()
            w.key("filterSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("name", "tag:eks:cluster-name")
            w.key("valueSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("value", AWSAccount.clusterName)
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        case .describeVolumes, .describeSecurityGroups, .describeNetworkInterfaces:
            w.beginObject()
            w.key(call.event == .describeVolumes ? "volumeSet" : (call.event == .describeSecurityGroups ? "securityGroupSet" : "networkInterfaceIdSet"))
            w.beginObject()
            w.endObject()
            w.key("filterSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("name", call.event == .describeVolumes ? "tag:kubernetes.io/cluster/prod-eu" : "tag:cluster.k8s.amazonaws.com/name")
            w.key("valueSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("value", call.event == .describeVolumes ? "owned" : AWSAccount.clusterName)
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        case .createNetworkInterface:
            w.beginObject()
            w.field("subnetId", CloudTrailInventory.subnets[call.node % 3])
            w.field("description", "aws-K8S-" + callers.cluster.nodes[call.node].instanceID)
            w.key("groupSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("groupId", CloudTrailInventory.securityGroups[0])
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        case .deleteNetworkInterface:
            w.beginObject()
            w.field("networkInterfaceId", t)
            w.endObject()
        case .createTags, .deleteTags:
            w.beginObject()
            w.key("resourcesSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("resourceId", t)
            w.endObject()
            w.endArray()
            w.endObject()
            w.key("tagSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("key", "cluster.k8s.amazonaws.com/name")
            if call.event == .createTags { w.field("value", AWSAccount.clusterName) }
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        case .runInstances:
            w.beginObject()
            w.key("instancesSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("imageId", "ami-0c2f5d1e8b7a34961")
            w.field("minCount", 1)
            w.field("maxCount", 1)
            w.endObject()
            w.endArray()
            w.endObject()
            w.field("instanceType", rng.pick(CloudTrailInventory.instanceTypes))
            w.key("blockDeviceMapping")
            w.beginObject()
            w.endObject()
            w.key("monitoring")
            w.beginObject()
            w.field("enabled", false)
            w.endObject()
            w.field("disableApiTermination", false)
            w.field("disableApiStop", false)
            w.key("clientToken")
            w.uuid(&rng)
            w.key("launchTemplate")
            w.beginObject()
            w.field("launchTemplateId", "lt-0d4e3c2b1a0f98765")
            w.field("version", "7")
            w.endObject()
            w.endObject()
        case .terminateInstances:
            w.beginObject()
            w.key("instancesSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("instanceId", t)
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        default:
            w.null()
        }
    }

    /// S3 bucket calls: the bucket, its virtual host, the sub-resource asked for.
    private func writeS3Parameters(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        let t = call.target
        let region = call.regionName
        switch call.event {
        case .listBuckets:
            w.beginObject()
            w.field("Host", "s3." + region + ".amazonaws.com")
            w.endObject()
        case .getBucketAcl, .getBucketLocation, .getBucketPolicy, .getBucketVersioning, .getBucketEncryption, .deleteBucket,
             .putBucketTagging:
            w.beginObject()
            w.field("bucketName", t)
            w.field("Host", t + ".s3." + region + ".amazonaws.com")
            switch call.event {
            case .getBucketAcl: w.field("acl", "")
            case .getBucketLocation: w.field("location", "")
            case .getBucketPolicy: w.field("policy", "")
            case .getBucketVersioning: w.field("versioning", "")
            case .getBucketEncryption: w.field("encryption", "")
            case .putBucketTagging: w.field("tagging", "")
            default: break
            }
            w.endObject()
        case .putBucketPolicy:
            w.beginObject()
            w.field("bucketName", t)
            w.field("Host", t + ".s3." + region + ".amazonaws.com")
            w.field("bucketPolicy", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::\(t)\",\"arn:aws:s3:::\(t)/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}")
            w.field("policy", "")
            w.endObject()
        case .createBucket:
            w.beginObject()
            w.key("CreateBucketConfiguration")
            w.beginObject()
            w.field("LocationConstraint", region)
            w.field("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")
            w.endObject()
            w.field("bucketName", t)
            w.field("Host", "s3." + region + ".amazonaws.com")
            w.endObject()
        default:
            w.null()
        }
    }
}
