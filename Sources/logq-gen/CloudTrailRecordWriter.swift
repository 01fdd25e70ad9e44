import AuditCore

/// One API call to record: what, by whom, where, when, and the resource it names.
struct CloudTrailCall {
    let event: CloudTrailEvent
    let caller: CloudTrailCaller
    /// Index into `CloudTrailRegion.names`.
    let region: Int
    /// `eventTime`, nanoseconds (written with second precision).
    let time: Int64
    /// The cluster node behind `.node` callers (and the instance some EC2 calls name).
    let node: Int
    /// The main resource's name: bucket, role, function, parameter… chosen once, used everywhere.
    let target: String
    /// The AWS service in `invokedBy` for `.awsService` callers.
    let invokedBy: StaticString
    /// `errorCode` and `errorMessage` (nil message: the service gives none), or nil on success.
    var error: (code: StaticString, message: String?)?

    var regionName: String { CloudTrailRegion.names[region] }
}

/// Writes CloudTrail records (FORMATS.md §1.2): fields in the order CloudTrail writes them,
/// `readOnly`/`managementEvent` as JSON booleans, `eventTime` to the second.
struct CloudTrailRecordWriter: Sendable {
    let callers: CloudTrailCallerWriter

    /// Decides the details of a call of `event` by `caller` at `time` in `region`.
    func call(_ event: CloudTrailEvent, by caller: CloudTrailCaller, region: Int, at time: Int64, _ rng: inout SplitMix64) -> CloudTrailCall {
        let node = rng.below(callers.cluster.nodes.count)
        var invokedBy = event.invoker
        if event == .assumeRole {
            let invokers: [StaticString] = ["ec2.amazonaws.com", "lambda.amazonaws.com", "eks.amazonaws.com"]
            invokedBy = rng.pick(invokers)
        }
        var call = CloudTrailCall(
            event: event, caller: caller, region: region, time: time, node: node,
            target: target(of: event, caller: caller, node: node, invokedBy: invokedBy, &rng), invokedBy: invokedBy)
        call.error = error(for: call, &rng)
        return call
    }

    /// Appends one record object.
    func write(_ call: CloudTrailCall, _ w: inout JSONWriter, _ rng: inout SplitMix64) {
        let event = call.event
        let service = event.service
        let caller = call.caller
        let throughEndpoint = caller == .node && (service.kind == .ecr || service.kind == .ssm)
        w.beginObject()
        w.field("eventVersion", service.eventVersion)
        callers.writeIdentity(caller, node: call.node, invokedBy: call.invokedBy, role: call.target, at: call.time, &w, &rng)
        w.key("eventTime")
        w.timestamp(call.time, fractionDigits: 0)
        w.field("eventSource", service.eventSource)
        w.field("eventName", event.name)
        w.field("awsRegion", call.regionName)
        callers.writeSourceIP(caller, node: call.node, throughEndpoint: throughEndpoint, invokedBy: call.invokedBy, &w)
        callers.writeUserAgent(caller, service: service, eventName: event.name, invokedBy: call.invokedBy, &w)
        if let error = call.error {
            w.field("errorCode", error.code)
            if let message = error.message { w.field("errorMessage", message) }
        }
        writeRequestParameters(call, &w, &rng)
        if call.error == nil {
            writeResponseElements(call, &w, &rng)
        } else {
            w.key("responseElements")
            w.null()
        }
        writeAdditionalEventData(call, &w, &rng)
        w.key("requestID")
        if service.kind == .s3 {
            w.beginString()
            w.part(randomFrom: Alphabet.upperAlphanumeric, count: 16, &rng)
            w.endString()
        } else {
            w.uuid(&rng)
        }
        w.key("eventID")
        w.uuid(&rng)
        w.field("readOnly", event.readOnly)
        writeResources(call, &w)
        w.field("eventType", event == .consoleLogin ? "AwsConsoleSignIn" : "AwsApiCall")
        w.field("managementEvent", true)
        w.field("recipientAccountId", AWSAccount.id)
        if caller == .awsService {
            w.key("sharedEventID")
            w.uuid(&rng)
        }
        if throughEndpoint {
            w.field("vpcEndpointId", service.kind == .ecr ? "vpce-0e4c1a7b9d2f35816" : "vpce-07d2b8e5a1c94f603")
        }
        w.field("eventCategory", "Management")
        if caller.hasTLS {
            w.key("tlsDetails")
            w.beginObject()
            if caller == .backupAgent {
                w.field("tlsVersion", "TLSv1.2")
                w.field("cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
            } else {
                w.field("tlsVersion", "TLSv1.3")
                w.field("cipherSuite", "TLS_AES_128_GCM_SHA256")
            }
            w.key("clientProvidedHostHeader")
            writeHost(call, &w)
            w.endObject()
        }
        if caller == .console { w.field("sessionCredentialFromConsole", "true") }
        w.endObject()
    }

    /// The endpoint host the client connected to.
    private func writeHost(_ call: CloudTrailCall, _ w: inout JSONWriter) {
        let service = call.event.service
        w.beginString()
        if call.event == .consoleLogin {
            w.part("signin.aws.amazon.com")
        } else if service.isGlobal {
            w.part(service.endpoint)
            w.part(".amazonaws.com")
        } else {
            w.part(service.endpoint)
            w.part(".")
            w.part(call.regionName)
            w.part(".amazonaws.com")
        }
        w.endString()
    }

    // MARK: Errors

    /// The failures calls really meet: missing optional configuration, throttling, denied
    /// permissions, conflicts. About 3 % of all calls.
    private func error(for call: CloudTrailCall, _ rng: inout SplitMix64) -> (code: StaticString, message: String?)? {
        let event = call.event
        switch event {
        case .getBucketPolicy where rng.chance(0.4):
            return ("NoSuchBucketPolicy", "The bucket policy does not exist")
        case .getBucketEncryption where rng.chance(0.1):
            return ("ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
        case .getRole where rng.chance(0.06):
            return ("NoSuchEntity", "The role with name \(call.target) cannot be found.")
        case .deleteRole where rng.chance(0.15):
            return ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
        case .deleteBucket where rng.chance(0.2):
            return ("BucketNotEmpty", "The bucket you tried to delete is not empty")
        case .describeNodegroup where rng.chance(0.05):
            return ("ResourceNotFoundException", "No node group found for name: \(call.target).")
        case .getFunction where rng.chance(0.03):
            return ("ResourceNotFoundException", "Function not found: arn:aws:lambda:\(call.regionName):\(AWSAccount.id):function:\(call.target)")
        case .getParameter where rng.chance(0.03):
            return ("ParameterNotFound", nil)
        case .getMetricData, .putMetricData:
            if rng.chance(0.03) { return ("ThrottlingException", "Rate exceeded") }
        case .describeInstances, .describeVolumes, .describeNetworkInterfaces, .describeSecurityGroups:
            if rng.chance(0.01) { return ("Client.RequestLimitExceeded", "Request limit exceeded.") }
        case .assumeRole where call.caller == .alice && rng.chance(0.3):
            return ("AccessDenied", "User: \(callers.arn(.alice, node: 0)) is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::\(AWSAccount.id):role/\(call.target)")
        default:
            break
        }
        guard call.caller != .awsService && call.caller != .autoScaling else { return nil }
        // Permission gaps: people and CI hit them on writes, everyone occasionally.
        let deniedRate = (call.caller.isPerson || call.caller == .deployer) && !event.readOnly ? 0.06 : 0.008
        guard rng.chance(deniedRate) else { return nil }
        let principal = callers.arn(call.caller, node: call.node)
        let action = "\(call.event.service.prefix.description):\(call.event.name.description)"
        if call.event.service.kind == .ec2 {
            return ("Client.UnauthorizedOperation",
                    "You are not authorized to perform this operation. User: \(principal) is not authorized to perform: \(action) because no identity-based policy allows the \(action) action.")
        }
        if call.event.service.kind == .s3 {
            return ("AccessDenied", "Access Denied")
        }
        return ("AccessDenied",
                "User: \(principal) is not authorized to perform: \(action) on resource: \(resourceArn(call)) because no identity-based policy allows the \(action) action")
    }
}
