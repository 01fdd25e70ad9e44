import AuditCore

/// `responseElements`, `additionalEventData` and `resources` per call.
extension CloudTrailRecordWriter {
    func writeResponseElements(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        w.key("responseElements")
        let t = call.target
        switch call.event {
        case .runInstances, .terminateInstances:
            w.beginObject()
            w.key("requestId")
            w.uuid(&rng)
            w.key("instancesSet")
            w.beginObject()
            w.key("items")
            w.beginArray()
            w.beginObject()
            w.field("instanceId", t)
            if call.event == .runInstances {
                w.field("imageId", "ami-0c2f5d1e8b7a34961")
                w.key("instanceState")
                w.beginObject()
                w.field("code", 0)
                w.field("name", "pending")
                w.endObject()
            } else {
                w.key("currentState")
                w.beginObject()
                w.field("code", 32)
                w.field("name", "shutting-down")
                w.endObject()
                w.key("previousState")
                w.beginObject()
                w.field("code", 16)
                w.field("name", "running")
                w.endObject()
            }
            w.endObject()
            w.endArray()
            w.endObject()
            w.endObject()
        case .createTags, .deleteTags, .deleteNetworkInterface:
            w.beginObject()
            w.key("requestId")
            w.uuid(&rng)
            w.field("_return", true)
            w.endObject()
        case .createNetworkInterface:
            w.beginObject()
            w.key("requestId")
            w.uuid(&rng)
            w.key("networkInterface")
            w.beginObject()
            w.field("networkInterfaceId", "eni-0" + Alphabet.string(Alphabet.hex, 16, &rng))
            w.field("subnetId", CloudTrailInventory.subnets[call.node % 3])
            w.field("availabilityZone", K8sCluster.zone(ofNode: call.node))
            w.field("status", "pending")
            w.field("privateIpAddress", "10.0.\(1 + call.node % 3).\(rng.int(in: 4...250))")
            w.endObject()
            w.endObject()
        case .createRole:
            w.beginObject()
            w.key("role")
            w.beginObject()
            w.field("path", "/")
            w.field("roleName", t)
            w.key("roleId")
            w.beginString()
            w.part("AROA")
            w.part(randomFrom: Alphabet.awsID, count: 17, &rng)
            w.endString()
            w.field("arn", "arn:aws:iam::\(AWSAccount.id):role/\(t)")
            w.key("createDate")
            w.beginString()
            w.partIAMDate(call.time)
            w.endString()
            w.endObject()
            w.endObject()
        case .createBucket, .putBucketPolicy, .putBucketTagging:
            w.null()
        case .assumeRole, .assumeRoleWithWebIdentity:
            w.beginObject()
            w.key("credentials")
            w.beginObject()
            w.key("accessKeyId")
            w.beginString()
            w.part("ASIA")
            w.part(randomFrom: Alphabet.awsID, count: 16, &rng)
            w.endString()
            w.key("sessionToken")
            w.beginString()
            w.part(randomFrom: Alphabet.alphanumeric, count: 96, &rng)
            w.endString()
            w.key("expiration")
            w.timestamp(call.time + Timestamp.nanosPerHour, fractionDigits: 0)
            w.endObject()
            w.key("assumedRoleUser")
            w.beginObject()
            let session = sessionName(call)
            var roleID = SplitMix64(seed: 0, stream: Hash64.hash(Array(t.utf8)))
            w.key("assumedRoleId")
            w.beginString()
            w.part("AROA")
            w.part(randomFrom: Alphabet.awsID, count: 17, &roleID)
            w.part(":")
            w.part(session)
            w.endString()
            w.field("arn", "arn:aws:sts::\(AWSAccount.id):assumed-role/\(t)/\(session)")
            w.endObject()
            if call.event == .assumeRoleWithWebIdentity {
                w.field("subjectFromWebIdentityToken", t == callers.account.loadBalancerRole.name
                    ? "system:serviceaccount:kube-system:aws-load-balancer-controller"
                    : "system:serviceaccount:kube-system:ebs-csi-controller-sa")
                w.field("audience", "sts.amazonaws.com")
                w.field("provider", "arn:aws:iam::\(AWSAccount.id):oidc-provider/\(callers.oidcProvider)")
            }
            w.endObject()
        case .createNodegroup, .deleteNodegroup:
            w.beginObject()
            w.key("nodegroup")
            w.beginObject()
            w.field("nodegroupName", t)
            w.field("nodegroupArn", "arn:aws:eks:\(call.regionName):\(AWSAccount.id):nodegroup/\(AWSAccount.clusterName)/\(t)/" + Alphabet.uuid(&rng))
            w.field("clusterName", AWSAccount.clusterName)
            w.field("version", "1.31")
            w.field("status", call.event == .createNodegroup ? "CREATING" : "DELETING")
            w.field("capacityType", t.hasPrefix("spot") ? "SPOT" : "ON_DEMAND")
            w.endObject()
            w.endObject()
        case .createLogStream, .createLogGroup, .deleteLogGroup, .deleteFunction, .deleteParameter, .deleteRole,
             .attachRolePolicy, .detachRolePolicy, .deleteRolePolicy, .deleteBucket:
            w.null()
        case .updateFunctionCode:
            w.beginObject()
            w.field("functionName", t)
            w.field("functionArn", "arn:aws:lambda:\(call.regionName):\(AWSAccount.id):function:\(t)")
            w.field("runtime", "python3.12")
            w.field("handler", "app.handler")
            w.field("codeSize", 48_213 + rng.below(20_000))
            w.field("state", "Active")
            w.field("lastUpdateStatus", "InProgress")
            w.endObject()
        case .putImage:
            w.beginObject()
            w.key("image")
            w.beginObject()
            w.field("registryId", AWSAccount.id)
            w.field("repositoryName", t)
            w.key("imageId")
            w.beginObject()
            w.key("imageDigest")
            w.beginString()
            w.part("sha256:")
            w.part(randomFrom: Alphabet.hex, count: 64, &rng)
            w.endString()
            w.endObject()
            w.endObject()
            w.endObject()
        case .putParameter:
            w.beginObject()
            w.field("version", 2 + rng.below(30))
            w.field("tier", "Standard")
            w.endObject()
        case .getAuthorizationToken:
            w.null()
        case .consoleLogin:
            w.beginObject()
            w.field("ConsoleLogin", "Success")
            w.endObject()
        default:
            // Reads: CloudTrail does not record response bodies of read-only calls.
            w.null()
        }
    }

    func writeAdditionalEventData(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        switch call.event.service.kind {
        case .s3:
            w.key("additionalEventData")
            w.beginObject()
            w.field("SignatureVersion", "SigV4")
            w.field("CipherSuite", "TLS_AES_128_GCM_SHA256")
            w.field("bytesTransferredIn", 0)
            w.field("AuthenticationMethod", "AuthHeader")
            w.key("x-amz-id-2")
            w.beginString()
            w.part(randomFrom: Alphabet.alphanumeric, count: 76, &rng)
            w.part("=")
            w.endString()
            w.field("bytesTransferredOut", call.event == .listBuckets ? 4_821 : 0)
            w.endObject()
        case .signin:
            w.key("additionalEventData")
            w.beginObject()
            w.field("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true")
            w.field("MobileVersion", "No")
            w.field("MFAUsed", call.caller == .root ? "No" : "Yes")
            w.endObject()
        default:
            return
        }
    }

    func writeResources(_ call: CloudTrailCall, _ w: inout JSONWriter) {
        let t = call.target
        let region = call.regionName
        var arn: String?
        var type: StaticString = ""
        switch call.event {
        case .getBucketAcl, .getBucketLocation, .getBucketPolicy, .getBucketVersioning, .getBucketEncryption,
             .putBucketPolicy, .createBucket, .deleteBucket, .putBucketTagging:
            (arn, type) = ("arn:aws:s3:::" + t, "AWS::S3::Bucket")
        case .assumeRole, .assumeRoleWithWebIdentity:
            (arn, type) = ("arn:aws:iam::\(AWSAccount.id):role/\(t)", "AWS::IAM::Role")
        case .decrypt, .generateDataKey, .describeKey:
            (arn, type) = ("arn:aws:kms:\(region):\(AWSAccount.id):key/\(CloudTrailInventory.kmsKeyID)", "AWS::KMS::Key")
        case .getParameter, .putParameter, .deleteParameter:
            (arn, type) = ("arn:aws:ssm:\(region):\(AWSAccount.id):parameter\(t)", "AWS::SSM::Parameter")
        case .batchGetImage, .getDownloadUrlForLayer, .putImage:
            (arn, type) = ("arn:aws:ecr:\(region):\(AWSAccount.id):repository/\(t)", "AWS::ECR::Repository")
        default:
            return
        }
        guard let arn else { return }
        w.key("resources")
        w.beginArray()
        w.beginObject()
        w.field("accountId", AWSAccount.id)
        w.field("type", type)
        w.field("ARN", arn)
        w.endObject()
        w.endArray()
    }
}

extension JSONWriter {
    /// Appends a time the way IAM responses in CloudTrail spell it: `Nov 24, 2026, 10:15:07 AM`.
    mutating func partIAMDate(_ nanos: Int64) {
        let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let seconds = nanos.floorDiv(Timestamp.nanosPerSecond)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        let hour = secondOfDay / 3600
        part(months[month - 1])
        part(" ")
        part(day)
        part(", ")
        part(year)
        part(", ")
        part(hour % 12 == 0 ? 12 : hour % 12)
        part(":")
        part(secondOfDay % 3600 / 60, width: 2)
        part(":")
        part(secondOfDay % 60, width: 2)
        part(hour < 12 ? " AM" : " PM")
    }
}
