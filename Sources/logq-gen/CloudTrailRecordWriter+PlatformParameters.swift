import AuditCore

/// `requestParameters` of IAM, STS and the platform services (EKS, KMS, CloudWatch, Logs, Lambda,
/// ECR, SSM, sign-in).
extension CloudTrailRecordWriter {
    /// IAM and STS: roles, policies, sessions.
    func writeIdentityParameters(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        let t = call.target
        switch call.event {
        case .getRole, .deleteRole, .listAttachedRolePolicies:
            w.beginObject()
            w.field("roleName", t)
            w.endObject()
        case .listRoles:
            w.beginObject()
            w.field("maxItems", 100)
            w.endObject()
        case .getPolicy:
            w.beginObject()
            w.field("policyArn", t)
            w.endObject()
        case .createRole:
            w.beginObject()
            w.field("roleName", t)
            w.field("assumeRolePolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}")
            w.field("maxSessionDuration", 3600)
            w.endObject()
        case .attachRolePolicy, .detachRolePolicy:
            w.beginObject()
            w.field("roleName", t)
            w.field("policyArn", rng.pick(CloudTrailInventory.policies))
            w.endObject()
        case .deleteRolePolicy:
            w.beginObject()
            w.field("roleName", t)
            w.field("policyName", "inline-access")
            w.endObject()
        case .assumeRole:
            w.beginObject()
            w.field("roleArn", "arn:aws:iam::\(AWSAccount.id):role/\(t)")
            w.field("roleSessionName", sessionName(call))
            w.field("durationSeconds", 3600)
            w.endObject()
        case .assumeRoleWithWebIdentity:
            w.beginObject()
            w.field("roleArn", "arn:aws:iam::\(AWSAccount.id):role/\(t)")
            w.field("roleSessionName", sessionName(call))
            w.endObject()
        default:
            w.null()
        }
    }

    /// EKS, KMS, CloudWatch, Logs, Lambda, ECR, SSM and console sign-in.
    func writePlatformParameters(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        let t = call.target
        let region = call.regionName
        switch call.event {
        case .getCallerIdentity, .listClusters, .listFunctions, .getAuthorizationToken:
            w.null()
        case .describeCluster:
            w.beginObject()
            w.field("name", t)
            w.endObject()
        case .listNodegroups:
            w.beginObject()
            w.field("name", t)
            w.endObject()
        case .describeNodegroup, .deleteNodegroup:
            w.beginObject()
            w.field("name", AWSAccount.clusterName)
            w.field("nodegroupName", t)
            w.endObject()
        case .createNodegroup:
            w.beginObject()
            w.field("name", AWSAccount.clusterName)
            w.field("nodegroupName", t)
            w.key("scalingConfig")
            w.beginObject()
            w.field("minSize", 1)
            w.field("maxSize", 6)
            w.field("desiredSize", 3)
            w.endObject()
            w.key("subnets")
            w.beginArray()
            for subnet in CloudTrailInventory.subnets { w.string(subnet) }
            w.endArray()
            w.field("nodeRole", "arn:aws:iam::\(AWSAccount.id):role/eks-node-role")
            w.key("clientRequestToken")
            w.uuid(&rng)
            w.endObject()
        case .decrypt, .generateDataKey:
            w.beginObject()
            if call.event == .generateDataKey {
                w.field("keyId", "arn:aws:kms:\(region):\(AWSAccount.id):key/\(CloudTrailInventory.kmsKeyID)")
                w.field("keySpec", "AES_256")
            }
            w.key("encryptionContext")
            w.beginObject()
            switch call.caller {
            case .lambda:
                w.field("aws:lambda:FunctionArn", "arn:aws:lambda:\(region):\(AWSAccount.id):function:orders-export")
            case .awsService where call.event == .generateDataKey:
                w.field("aws:cloudtrail:arn", "arn:aws:cloudtrail:us-east-1:\(AWSAccount.id):trail/management-events")
            case .awsService:
                w.field("SecretARN", "arn:aws:secretsmanager:\(region):\(AWSAccount.id):secret:prod/orders/db-credentials-Xb3k9Q")
            default:
                w.field("aws:s3:arn", "arn:aws:s3:::" + rng.pick(CloudTrailInventory.buckets))
            }
            w.endObject()
            w.field("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
            w.endObject()
        case .describeKey:
            w.beginObject()
            w.field("keyId", "alias/prod-eu-secrets")
            w.endObject()
        case .describeAlarms:
            w.beginObject()
            w.field("maxRecords", 100)
            w.endObject()
        case .getMetricData:
            w.beginObject()
            w.key("startTime")
            w.timestamp(call.time - 3 * Timestamp.nanosPerHour, fractionDigits: 0)
            w.key("endTime")
            w.timestamp(call.time, fractionDigits: 0)
            w.endObject()
        case .putMetricData:
            w.beginObject()
            w.field("namespace", call.caller == .node ? "CWAgent" : "OrdersExport")
            w.endObject()
        case .describeLogGroups:
            w.beginObject()
            w.field("logGroupNamePrefix", "/aws/")
            w.endObject()
        case .createLogStream:
            w.beginObject()
            w.field("logGroupName", t)
            w.key("logStreamName")
            w.beginString()
            w.partTimestamp(call.time, fractionDigits: 0)
            w.part("/[$LATEST]")
            w.part(randomFrom: Alphabet.hex, count: 32, &rng)
            w.endString()
            w.endObject()
        case .describeLogStreams, .createLogGroup, .deleteLogGroup:
            w.beginObject()
            w.field("logGroupName", t)
            w.endObject()
        case .getFunction, .deleteFunction:
            w.beginObject()
            w.field("functionName", t)
            w.endObject()
        case .updateFunctionCode:
            w.beginObject()
            w.field("functionName", t)
            w.field("s3Bucket", "acme-ci-artifacts")
            w.field("s3Key", "lambda/" + t + ".zip")
            w.field("publish", true)
            w.endObject()
        case .batchGetImage, .getDownloadUrlForLayer:
            w.beginObject()
            w.field("registryId", AWSAccount.id)
            w.field("repositoryName", t)
            if call.event == .batchGetImage {
                w.key("imageIds")
                w.beginArray()
                w.beginObject()
                w.field("imageTag", "latest")
                w.endObject()
                w.endArray()
                w.key("acceptedMediaTypes")
                w.beginArray()
                w.string("application/vnd.docker.distribution.manifest.v2+json")
                w.string("application/vnd.oci.image.manifest.v1+json")
                w.endArray()
            } else {
                w.key("layerDigest")
                w.beginString()
                w.part("sha256:")
                w.part(randomFrom: Alphabet.hex, count: 64, &rng)
                w.endString()
            }
            w.endObject()
        case .describeRepositories:
            w.beginObject()
            w.field("maxResults", 100)
            w.endObject()
        case .putImage:
            w.beginObject()
            w.field("repositoryName", t)
            w.field("imageTag", "1." + String(rng.below(20)) + "." + String(rng.below(10)))
            w.endObject()
        case .getParameter, .deleteParameter:
            w.beginObject()
            w.field("name", t)
            if call.event == .getParameter { w.field("withDecryption", t.hasPrefix("/prod")) }
            w.endObject()
        case .getParameters:
            w.beginObject()
            w.key("names")
            w.beginArray()
            w.string(CloudTrailInventory.parameters[0])
            w.string(CloudTrailInventory.parameters[1])
            w.endArray()
            w.field("withDecryption", true)
            w.endObject()
        case .putParameter:
            w.beginObject()
            w.field("name", t)
            w.field("type", "SecureString")
            w.field("overwrite", true)
            w.endObject()
        case .updateInstanceInformation:
            w.beginObject()
            w.field("instanceId", callers.cluster.nodes[call.node].instanceID)
            w.field("agentVersion", "3.3.987.0")
            w.field("agentStatus", "Active")
            w.field("platformType", "Linux")
            w.field("platformName", "Amazon Linux")
            w.field("platformVersion", "2023")
            w.field("iPAddress", callers.cluster.nodes[call.node].ip)
            w.field("computerName", callers.cluster.nodes[call.node].name)
            w.endObject()
        case .consoleLogin:
            w.null()
        default:
            w.null()
        }
    }
}
