import AuditCore

/// The varied profile's changes to a CloudTrail record that `CloudTrailRecordWriter` wrote.
///
/// Real trails carry calls of dozens of services, each with its own `requestParameters` and
/// `responseElements`; clients of every SDK and version; people at many addresses; and records
/// at several `eventVersion`s whose optional fields and field order differ. This rewrite adds
/// that (see `K8sVariedProfile` for the Kubernetes side):
///
/// - **Many more services**: about 30 % of the records become calls of KMS, Secrets Manager,
///   DynamoDB, SQS, SNS, CloudFormation, RDS, Route 53, ELB, Auto Scaling, ECS, CloudWatch
///   Logs, Config and Organizations, with parameters and responses of varied shape and size.
/// - **User agents and addresses**: the AWS CLI, Boto3, Java/JS/Go SDKs and Terraform of many
///   versions; browsers for the console; people from offices, home and mobile networks.
/// - **Versions and order**: `eventVersion` 1.08 records without `tlsDetails`, 1.09+ with it;
///   services that write `apiVersion`; a tenth of the records re-encoded with sorted keys (as
///   collected copies such as panther's realdata are).
struct CloudTrailVariedProfile: Sendable {
    /// Rewrites the record `bytes[start...]` in place; returns its `eventName` afterwards.
    @discardableResult
    func rewrite(_ bytes: inout [UInt8], from start: Int, _ rng: inout SplitMix64) -> String? {
        guard var record = RawObject(bytes[start...]) else { return nil }
        let region = record.string("awsRegion") ?? "us-east-1"
        let failed = record["errorCode"] != nil

        if rng.chance(0.3) {
            let call = rng.pick(CloudTrailVariedProfile.calls)
            record["eventSource"] = RawJSON.string(call.source + ".amazonaws.com")
            record["eventName"] = RawJSON.string(call.name)
            record["requestParameters"] = call.parameters(region, &rng)
            record["responseElements"] = failed ? Array("null".utf8) : (call.response(region, &rng) ?? Array("null".utf8))
            record["additionalEventData"] = nil
            record["resources"] = nil
            record["readOnly"] = Array((call.readOnly ? "true" : "false").utf8)
            if let version = call.apiVersion { record.insert("apiVersion", RawJSON.string(version), after: "eventType") }
            if var tls = record["tlsDetails"].flatMap({ RawObject($0) }) {
                tls["clientProvidedHostHeader"] = RawJSON.string("\(call.source).\(region).amazonaws.com")
                record["tlsDetails"] = tls.encoded
            }
            if failed, let code = record.string("errorCode"), code.contains("AccessDenied") || code.contains("Unauthorized") {
                record["errorMessage"] = RawJSON.string("User is not authorized to perform: \(call.source):\(call.name)")
            }
        }

        if let agent = record.string("userAgent") {
            var varied: String?
            if agent.hasPrefix("aws-cli/") { varied = VariedValues.awsCLI(&rng) }
            else if agent.hasPrefix("Boto3/") { varied = VariedValues.boto3(&rng) }
            else if agent.hasPrefix("APN/") { varied = VariedValues.sdk(terraform: true, &rng) }
            else if agent.hasPrefix("aws-sdk-") && rng.chance(0.5) { varied = VariedValues.sdk(terraform: false, &rng) }
            else if agent == "AWS Internal" && rng.chance(0.6) { varied = VariedValues.browser(&rng) }
            if let varied { record["userAgent"] = RawJSON.string(varied) }
        }
        if let ip = record.string("sourceIPAddress"), let first = ip.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"),
           !ip.hasPrefix("10."), !ip.hasPrefix("172."), !ip.hasPrefix("192.168.") {
            record["sourceIPAddress"] = RawJSON.string(VariedValues.personIP(&rng))
        }
        if record["userIdentity"] != nil, rng.chance(0.5), var identity = record["userIdentity"].flatMap({ RawObject($0) }),
           identity["accessKeyId"] != nil {
            identity["accessKeyId"] = RawJSON.string("ASIA" + Alphabet.string(Alphabet.awsID, 16, &rng))
            record["userIdentity"] = identity.encoded
        }

        switch rng.below(10) {
        case 0..<3:
            // An older writer: eventVersion 1.08, no TLS details or console flag.
            record["eventVersion"] = RawJSON.string("1.08")
            record["tlsDetails"] = nil
            record["sessionCredentialFromConsole"] = nil
        case 3:
            // Newer services write eventCategory after tlsDetails.
            if let category = record["eventCategory"] {
                record["eventCategory"] = nil
                record["eventCategory"] = category
            }
        default:
            break
        }
        bytes.removeSubrange(start...)
        if rng.chance(0.1) {
            RawJSON.appendSorted(record.encoded[...], into: &bytes)
        } else {
            record.encode(into: &bytes)
        }
        return record.string("eventName")
    }

    // MARK: Calls of more services

    /// A call of a service the standard profile does not model.
    struct Call: Sendable {
        let source: String
        let name: String
        let readOnly: Bool
        let apiVersion: String?
        let parameters: @Sendable (String, inout SplitMix64) -> [UInt8]
        let response: @Sendable (String, inout SplitMix64) -> [UInt8]?
    }

    /// Builds an object from `(key, encoded value)` pairs.
    static func object(_ members: [(String, [UInt8])]) -> [UInt8] {
        RawObject(members: members.map { RawObject.Member(key: Array($0.0.utf8), value: $0.1) }).encoded
    }

    static func s(_ text: String) -> [UInt8] { RawJSON.string(text) }
    static func n(_ number: Int) -> [UInt8] { Array(String(number).utf8) }
    static func b(_ flag: Bool) -> [UInt8] { Array((flag ? "true" : "false").utf8) }

    static func arn(_ service: String, _ region: String, _ resource: String) -> String {
        "arn:aws:\(service):\(region):\(AWSAccount.id):\(resource)"
    }

    static func word(_ rng: inout SplitMix64) -> String {
        rng.pick(["orders", "payments", "ledger", "cart", "catalog", "billing", "audit", "search", "reports", "events",
                  "users", "sessions", "inventory", "shipping", "notifications", "analytics", "ml-features", "exports"])
    }

    static func env(_ rng: inout SplitMix64) -> String {
        rng.pick(["prod", "staging", "dev", "qa", "sandbox"])
    }

    static let calls: [Call] = [
        Call(source: "kms", name: "Decrypt", readOnly: true, apiVersion: nil, parameters: { region, rng in
            var members: [(String, [UInt8])] = [("encryptionAlgorithm", s("SYMMETRIC_DEFAULT"))]
            if rng.chance(0.7) {
                members.insert(("encryptionContext", object([
                    ("aws:secretsmanager:arn", s(arn("secretsmanager", region, "secret:\(env(&rng))/\(word(&rng))/db-\(Alphabet.string(Alphabet.alphanumeric, 6, &rng))"))),
                    ("SecretVersionId", s(VariedValues.uuid(&rng))),
                ])), at: 0)
            }
            members.append(("keyId", s(arn("kms", region, "key/\(VariedValues.uuid(&rng))"))))
            return object(members)
        }, response: { _, _ in nil }),
        Call(source: "kms", name: "GenerateDataKey", readOnly: true, apiVersion: nil, parameters: { region, rng in
            object([("encryptionContext", object([("aws:s3:arn", s("arn:aws:s3:::\(word(&rng))-\(env(&rng))-\(VariedValues.hex(8, &rng))/\(VariedValues.hex(24, &rng)).parquet"))])),
                    ("keyId", s(arn("kms", region, "alias/\(word(&rng))-\(env(&rng))"))), ("keySpec", s("AES_256"))])
        }, response: { _, _ in nil }),
        Call(source: "secretsmanager", name: "GetSecretValue", readOnly: true, apiVersion: nil, parameters: { region, rng in
            object([("secretId", s(rng.chance(0.5) ? "\(env(&rng))/\(word(&rng))/credentials" :
                arn("secretsmanager", region, "secret:\(env(&rng))/\(word(&rng))-\(Alphabet.string(Alphabet.alphanumeric, 6, &rng))")))])
        }, response: { _, _ in nil }),
        Call(source: "secretsmanager", name: "PutSecretValue", readOnly: false, apiVersion: nil, parameters: { region, rng in
            object([("secretId", s(arn("secretsmanager", region, "secret:\(env(&rng))/\(word(&rng))-\(Alphabet.string(Alphabet.alphanumeric, 6, &rng))"))),
                    ("clientRequestToken", s(VariedValues.uuid(&rng))), ("versionStages", RawJSON.array([s("AWSPENDING")]))])
        }, response: { region, rng in
            object([("arn", s(arn("secretsmanager", region, "secret:\(word(&rng))-\(Alphabet.string(Alphabet.alphanumeric, 6, &rng))"))),
                    ("name", s("\(env(&rng))/\(word(&rng))")), ("versionId", s(VariedValues.uuid(&rng))),
                    ("versionStages", RawJSON.array([s("AWSPENDING")]))])
        }),
        Call(source: "dynamodb", name: "DescribeTable", readOnly: true, apiVersion: nil, parameters: { _, rng in
            object([("tableName", s("\(word(&rng))-\(env(&rng))-\(rng.pick(["v1", "v2", "events", "index", "locks"]))"))])
        }, response: { _, _ in nil }),
        Call(source: "dynamodb", name: "UpdateTimeToLive", readOnly: false, apiVersion: nil, parameters: { _, rng in
            object([("tableName", s("\(word(&rng))-\(env(&rng))")),
                    ("timeToLiveSpecification", object([("enabled", b(rng.chance(0.8))), ("attributeName", s(rng.pick(["ttl", "expiresAt", "expiry"])))]))])
        }, response: { _, rng in
            object([("timeToLiveSpecification", object([("enabled", b(true)), ("attributeName", s(rng.pick(["ttl", "expiresAt"])))]))])
        }),
        Call(source: "sqs", name: "CreateQueue", readOnly: false, apiVersion: nil, parameters: { _, rng in
            var attributes: [(String, [UInt8])] = [("VisibilityTimeout", s(String(rng.int(in: 30...900)))),
                                                   ("MessageRetentionPeriod", s(String(rng.int(in: 60...1_209_600))))]
            if rng.chance(0.5) { attributes.append(("KmsMasterKeyId", s("alias/aws/sqs"))) }
            if rng.chance(0.3) { attributes.append(("FifoQueue", s("true"))) }
            return object([("queueName", s("\(word(&rng))-\(env(&rng))-\(VariedValues.hex(6, &rng))")), ("attribute", object(attributes))])
        }, response: { region, rng in
            object([("queueUrl", s("https://sqs.\(region).amazonaws.com/\(AWSAccount.id)/\(word(&rng))-\(env(&rng))-\(VariedValues.hex(6, &rng))"))])
        }),
        Call(source: "sqs", name: "DeleteQueue", readOnly: false, apiVersion: nil, parameters: { region, rng in
            object([("queueUrl", s("https://sqs.\(region).amazonaws.com/\(AWSAccount.id)/\(word(&rng))-\(env(&rng))-\(VariedValues.hex(6, &rng))"))])
        }, response: { _, _ in nil }),
        Call(source: "sns", name: "Subscribe", readOnly: false, apiVersion: nil, parameters: { region, rng in
            object([("topicArn", s(arn("sns", region, "\(word(&rng))-alerts"))), ("protocol", s(rng.pick(["sqs", "lambda", "https", "email"]))),
                    ("endpoint", s(arn("sqs", region, "\(word(&rng))-\(env(&rng))-\(VariedValues.hex(6, &rng))"))), ("returnSubscriptionArn", b(true))])
        }, response: { region, rng in
            object([("subscriptionArn", s(arn("sns", region, "\(word(&rng))-alerts:\(VariedValues.uuid(&rng))")))])
        }),
        Call(source: "cloudformation", name: "DescribeStacks", readOnly: true, apiVersion: nil, parameters: { region, rng in
            object([("stackName", s(rng.chance(0.5) ? "\(word(&rng))-\(env(&rng))" :
                arn("cloudformation", region, "stack/\(word(&rng))-\(env(&rng))/\(VariedValues.uuid(&rng))")))])
        }, response: { _, _ in nil }),
        Call(source: "cloudformation", name: "UpdateStack", readOnly: false, apiVersion: nil, parameters: { _, rng in
            var parameters: [[UInt8]] = []
            for _ in 0..<rng.int(in: 1...8) {
                parameters.append(object([("parameterKey", s(rng.pick(["ImageTag", "InstanceType", "MinSize", "MaxSize", "VpcId", "Subnets", "CertificateArn", "DesiredCount", "LogLevel"]))),
                                          ("parameterValue", s(VariedValues.hex(rng.int(in: 4...40), &rng)))]))
            }
            return object([("stackName", s("\(word(&rng))-\(env(&rng))")), ("usePreviousTemplate", b(rng.chance(0.6))),
                           ("parameters", RawJSON.array(parameters)), ("capabilities", RawJSON.array([s("CAPABILITY_NAMED_IAM")])),
                           ("clientRequestToken", s("Console-UpdateStack-\(VariedValues.uuid(&rng))"))])
        }, response: { region, rng in
            object([("stackId", s(arn("cloudformation", region, "stack/\(word(&rng))-\(env(&rng))/\(VariedValues.uuid(&rng))")))])
        }),
        Call(source: "rds", name: "DescribeDBInstances", readOnly: true, apiVersion: "2014-10-31", parameters: { _, rng in
            rng.chance(0.5) ? object([("dBInstanceIdentifier", s("\(word(&rng))-\(env(&rng))-\(rng.int(in: 1...3))"))]) :
                object([("maxRecords", n(100)), ("marker", s(VariedValues.hex(32, &rng)))])
        }, response: { _, _ in nil }),
        Call(source: "rds", name: "CreateDBSnapshot", readOnly: false, apiVersion: "2014-10-31", parameters: { _, rng in
            object([("dBSnapshotIdentifier", s("\(word(&rng))-manual-\(VariedValues.hex(10, &rng))")), ("dBInstanceIdentifier", s("\(word(&rng))-\(env(&rng))-1"))])
        }, response: { region, rng in
            object([("dBSnapshotIdentifier", s("\(word(&rng))-manual-\(VariedValues.hex(10, &rng))")), ("engine", s(rng.pick(["postgres", "mysql", "aurora-postgresql"]))),
                    ("allocatedStorage", n(rng.int(in: 20...2000))), ("status", s("creating")), ("port", n(5432)),
                    ("availabilityZone", s(region + rng.pick(["a", "b", "c"]))), ("vpcId", s("vpc-0" + VariedValues.hex(16, &rng))),
                    ("storageEncrypted", b(true)), ("dBSnapshotArn", s(arn("rds", region, "snapshot:\(word(&rng))-manual-\(VariedValues.hex(10, &rng))")))])
        }),
        Call(source: "route53", name: "ChangeResourceRecordSets", readOnly: false, apiVersion: "2013-04-01", parameters: { _, rng in
            var changes: [[UInt8]] = []
            for _ in 0..<rng.int(in: 1...4) {
                changes.append(object([("action", s(rng.pick(["UPSERT", "CREATE", "DELETE"]))), ("resourceRecordSet", object([
                    ("name", s("\(word(&rng))-\(VariedValues.hex(4, &rng)).\(env(&rng)).example.com.")), ("type", s(rng.pick(["A", "CNAME", "TXT"]))),
                    ("tTL", n(rng.pick([60, 300, 3600]))),
                    ("resourceRecords", RawJSON.array([object([("value", s("\"heritage=external-dns,external-dns/owner=\(VariedValues.hex(8, &rng))\""))])])),
                ]))]))
            }
            return object([("hostedZoneId", s("Z0" + Alphabet.string(Alphabet.upperAlphanumeric, 18, &rng))), ("changeBatch", object([("changes", RawJSON.array(changes))]))])
        }, response: { _, rng in
            object([("changeInfo", object([("id", s("/change/C0" + Alphabet.string(Alphabet.upperAlphanumeric, 18, &rng))), ("status", s("PENDING")),
                                           ("submittedAt", s("Nov \(rng.int(in: 1...28)), 2026, \(rng.int(in: 1...12)):\(rng.int(in: 10...59)):\(rng.int(in: 10...59)) PM"))]))])
        }),
        Call(source: "elasticloadbalancing", name: "DescribeTargetHealth", readOnly: true, apiVersion: "2015-12-01", parameters: { region, rng in
            object([("targetGroupArn", s(arn("elasticloadbalancing", region, "targetgroup/k8s-\(word(&rng))-\(VariedValues.hex(10, &rng))/\(VariedValues.hex(16, &rng))")))])
        }, response: { _, _ in nil }),
        Call(source: "elasticloadbalancing", name: "RegisterTargets", readOnly: false, apiVersion: "2015-12-01", parameters: { region, rng in
            var targets: [[UInt8]] = []
            for _ in 0..<rng.int(in: 1...6) {
                targets.append(object([("id", s("10.0.\(rng.int(in: 1...3)).\(rng.int(in: 4...250))")), ("port", n(rng.pick([80, 443, 8080, 8443, 3000])))]))
            }
            return object([("targetGroupArn", s(arn("elasticloadbalancing", region, "targetgroup/k8s-\(word(&rng))-\(VariedValues.hex(10, &rng))/\(VariedValues.hex(16, &rng))"))),
                           ("targets", RawJSON.array(targets))])
        }, response: { _, _ in nil }),
        Call(source: "autoscaling", name: "SetDesiredCapacity", readOnly: false, apiVersion: nil, parameters: { _, rng in
            object([("autoScalingGroupName", s("eks-\(word(&rng))-\(VariedValues.uuid(&rng))")), ("desiredCapacity", n(rng.int(in: 0...60))),
                    ("honorCooldown", b(rng.chance(0.5)))])
        }, response: { _, _ in nil }),
        Call(source: "ecs", name: "RunTask", readOnly: false, apiVersion: nil, parameters: { region, rng in
            object([("cluster", s("\(env(&rng))-batch")), ("taskDefinition", s("\(word(&rng))-job:\(rng.int(in: 1...400))")), ("count", n(1)),
                    ("launchType", s("FARGATE")), ("startedBy", s("events-rule/\(word(&rng))-\(VariedValues.hex(8, &rng))")),
                    ("networkConfiguration", object([("awsvpcConfiguration", object([
                        ("subnets", RawJSON.array([s("subnet-0" + VariedValues.hex(16, &rng)), s("subnet-0" + VariedValues.hex(16, &rng))])),
                        ("securityGroups", RawJSON.array([s("sg-0" + VariedValues.hex(16, &rng))])), ("assignPublicIp", s("DISABLED"))]))])),
                    ("overrides", object([("containerOverrides", RawJSON.array([object([("name", s(word(&rng))),
                        ("environment", RawJSON.array((0..<rng.int(in: 0...5)).map { _ in object([("name", s(rng.pick(["RUN_ID", "BATCH", "DATE", "SHARD", "MODE"]))), ("value", s(VariedValues.hex(rng.int(in: 4...20), &rng)))]) }))])]))])),
                    ("region", s(region))])
        }, response: { region, rng in
            object([("tasks", RawJSON.array([object([("taskArn", s(arn("ecs", region, "task/\(env(&rng))-batch/\(VariedValues.hex(32, &rng))"))),
                                                     ("lastStatus", s("PROVISIONING")), ("cpu", s(rng.pick(["256", "512", "1024", "2048"]))),
                                                     ("memory", s(rng.pick(["512", "1024", "2048", "4096"])))])])), ("failures", RawJSON.array([]))])
        }),
        Call(source: "logs", name: "PutRetentionPolicy", readOnly: false, apiVersion: nil, parameters: { _, rng in
            object([("logGroupName", s("/aws/\(rng.pick(["lambda", "ecs", "eks/prod-eu/cluster", "rds/instance"]))/\(word(&rng))-\(env(&rng))")),
                    ("retentionInDays", n(rng.pick([1, 7, 14, 30, 90, 365])))])
        }, response: { _, _ in nil }),
        Call(source: "config", name: "PutEvaluations", readOnly: false, apiVersion: nil, parameters: { _, rng in
            var evaluations: [[UInt8]] = []
            for _ in 0..<rng.int(in: 1...5) {
                evaluations.append(object([("complianceResourceType", s(rng.pick(["AWS::EC2::Instance", "AWS::S3::Bucket", "AWS::IAM::Role", "AWS::EC2::SecurityGroup"]))),
                                           ("complianceResourceId", s(rng.chance(0.5) ? "i-0" + VariedValues.hex(16, &rng) : "sg-0" + VariedValues.hex(16, &rng))),
                                           ("complianceType", s(rng.pick(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"]))),
                                           ("orderingTimestamp", s("Nov \(rng.int(in: 1...28)), 2026 \(rng.int(in: 1...12)):\(rng.int(in: 10...59)):\(rng.int(in: 10...59)) AM"))]))
            }
            return object([("evaluations", RawJSON.array(evaluations)), ("resultToken", s(Alphabet.string(Alphabet.alphanumeric, rng.int(in: 200...900), &rng))),
                           ("testMode", b(false))])
        }, response: { _, _ in object([("failedEvaluations", RawJSON.array([]))]) }),
        Call(source: "organizations", name: "DescribeAccount", readOnly: true, apiVersion: nil, parameters: { _, rng in
            object([("accountId", s(String(rng.int(in: 100_000_000_000...999_999_999_999))))])
        }, response: { _, _ in nil }),
    ]
}
