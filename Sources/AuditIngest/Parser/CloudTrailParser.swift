import AuditCore

/// Normalizes one CloudTrail record object (an element of `Records`, or a record on its own).
///
/// Time: `eventTime`, when the request completed (FORMATS.md §1.2); without one, `p_event_time`
/// (Panther exports), else `fallbackTime` (the input's modification time). An `eventTime` that is
/// not a time (`"..."`, `"redacted"`) rejects the record.
/// `user`: the IAM user name; for an assumed role `Role/session`; for an AWS service the
/// service; else the principal. `actor`: the role behind an assumed-role session
/// (`sessionContext.sessionIssuer.arn`), else the identity's ARN, so one value follows a role
/// through the account and (through EKS `canonicalArn`) the cluster. IRSA: an
/// `AssumeRoleWithWebIdentity` by `system:serviceaccount:<ns>:<sa>` has that service account
/// and the role as actors, and teaches ``ActorCorrelator`` its session key; a later call with
/// that `userIdentity.accessKeyId` gets the service account as a second actor
/// (comma-separated).
/// `error`: `errorCode`, or `Failure` for a failed `ConsoleLogin` (which has only
/// `responseElements.ConsoleLogin: "Failure"` and `errorMessage`); `code`: the outcome as an
/// HTTP-like status (``CloudTrailStatus``: 200, 401, 403 for denials, 404, 429, 400, 500).
public enum CloudTrailParser {
    /// Request parameters that name the object acted on, in order of preference.
    static let nameKeys: [StaticString] = [
        "bucketName", "roleName", "userName", "groupName", "policyName", "functionName", "clusterName",
        "nodegroupName", "name", "key", "instanceId", "dBInstanceIdentifier", "keyId", "secretId", "topicArn",
        "queueUrl", "tableName", "logGroupName", "trailName", "repositoryName", "stackName",
    ]

    public static func parse(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, fallbackTime: Int64) throws -> AuditEvent {
        try parse(b, range, ParseContext(fallbackTime: fallbackTime))
    }

    /// Parses the record at `range`; `members`, when given, are its top-level members as a walk
    /// over its file already found them (the record is not walked again).
    public static func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ context: ParseContext, members: [JSONMember]? = nil
    ) throws -> AuditEvent {
        var f = FieldValues()
        var eventTime: Range<Int>?
        var exportTime: Range<Int>?
        var readOnly: Bool?
        var identityType = ""
        var identityArn = ""
        var identityName = ""
        var identityAccount = ""
        var invokedBy = ""
        var principal = ""
        var issuerArn = ""
        var accessKeyId = ""
        var sessionKeyId = ""
        var roleArn = ""
        var eventSourceSeen = false
        var signInFailed = false
        var nameCandidates: [Int: String] = [:]
        try forEachMember(b, range, members) { key, value in
            if JSONScanner.keyEquals(b, key, "eventTime") {
                eventTime = value
            } else if JSONScanner.keyEquals(b, key, "p_event_time") {
                exportTime = value
            } else if JSONScanner.keyEquals(b, key, "eventSource") {
                f[.service] = context.sharedText(b, value) ?? ""
                eventSourceSeen = true
            } else if JSONScanner.keyEquals(b, key, "eventName") {
                f[.event] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "awsRegion") {
                f[.region] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "sourceIPAddress") {
                f[.ip] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "userAgent") {
                f[.agent] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "errorCode") {
                f[.error] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "eventID") {
                f[.id] = JSONScanner.scalarText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "recipientAccountId") {
                f[.account] = context.sharedText(b, value) ?? ""
            } else if JSONScanner.keyEquals(b, key, "readOnly") {
                // A JSON boolean per the reference; tolerate the string form some tools write.
                let text = JSONScanner.scalarText(b, value)
                readOnly = text == "true" ? true : (text == "false" ? false : nil)
            } else if JSONScanner.keyEquals(b, key, "userIdentity") {
                try walkIfObject(b, value) { k, v in
                    if JSONScanner.keyEquals(b, k, "type") {
                        identityType = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "arn") {
                        identityArn = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "userName") {
                        identityName = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "accountId") {
                        identityAccount = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "invokedBy") {
                        invokedBy = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "principalId") {
                        principal = context.sharedText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "accessKeyId") {
                        accessKeyId = JSONScanner.scalarText(b, v) ?? ""
                    } else if JSONScanner.keyEquals(b, k, "sessionContext") {
                        try walkIfObject(b, v) { sk, sv in
                            guard JSONScanner.keyEquals(b, sk, "sessionIssuer") else { return }
                            try walkIfObject(b, sv) { ik, iv in
                                if JSONScanner.keyEquals(b, ik, "arn") { issuerArn = context.sharedText(b, iv) ?? "" }
                            }
                        }
                    }
                }
            } else if JSONScanner.keyEquals(b, key, "responseElements") {
                // The session an AssumeRole* call opens: its credentials' access key id; and
                // the outcome of a console sign-in, which has no errorCode when it fails.
                try walkIfObject(b, value) { k, v in
                    if JSONScanner.keyEquals(b, k, "ConsoleLogin") {
                        signInFailed = JSONScanner.scalarText(b, v) == CloudTrailStatus.consoleLoginFailure
                        return
                    }
                    guard JSONScanner.keyEquals(b, k, "credentials") else { return }
                    try walkIfObject(b, v) { ck, cv in
                        if JSONScanner.keyEquals(b, ck, "accessKeyId") { sessionKeyId = JSONScanner.scalarText(b, cv) ?? "" }
                    }
                }
            } else if JSONScanner.keyEquals(b, key, "requestParameters") {
                try walkIfObject(b, value) { k, v in
                    if JSONScanner.keyEquals(b, k, "roleArn") { roleArn = JSONScanner.scalarText(b, v) ?? "" }
                    for (rank, name) in nameKeys.enumerated() where JSONScanner.keyEquals(b, k, name) {
                        if let text = JSONScanner.scalarText(b, v) { nameCandidates[rank] = text }
                    }
                    if JSONScanner.keyEquals(b, k, "instancesSet") {
                        try walkIfObject(b, v) { ik, iv in
                            guard JSONScanner.keyEquals(b, ik, "items"), let first = JSONScanner.firstElement(b, iv) else { return }
                            try walkIfObject(b, first) { ek, ev in
                                if JSONScanner.keyEquals(b, ek, "instanceId") { nameCandidates[Int.max] = JSONScanner.scalarText(b, ev) }
                            }
                        }
                    }
                }
            }
        }
        guard eventSourceSeen, !f[.event].isEmpty else {
            throw ParseFailure("expected a CloudTrail record with \"eventSource\" and \"eventName\", found \(eventSourceSeen ? "no eventName" : "no eventSource")")
        }
        let time: Int64
        if let eventTime {
            time = try K8sAuditParser.time(b, eventTime, "eventTime")
        } else if let exportTime {
            time = try K8sAuditParser.time(b, exportTime, "p_event_time")
        } else {
            let missing = context.missingTime()
            time = missing.time
            f[.timesource] = missing.source
        }
        if f[.account].isEmpty { f[.account] = identityAccount }
        // A failed console sign-in is a failure, although CloudTrail gives it no errorCode.
        signInFailed = signInFailed && f[.event] == "ConsoleLogin"
        if signInFailed, f[.error].isEmpty { f[.error] = CloudTrailStatus.consoleLoginFailure }
        f[.code] = CloudTrailStatus.code(errorCode: f[.error], failedSignIn: signInFailed)
        f[.verb] = CloudTrailVerb.verb(eventName: f[.event], readOnly: readOnly)
        f[.user] = user(type: identityType, arn: identityArn, name: identityName, invokedBy: invokedBy, principal: principal)
        let primary = !issuerArn.isEmpty ? issuerArn : (!identityArn.isEmpty ? ActorCorrelator.canonical(identityArn) : f[.user])
        if identityType == "WebIdentityUser", identityName.hasPrefix("system:serviceaccount:") {
            // IRSA: the service account opens a session of `roleArn`; later calls with the
            // session's key are the service account's too.
            f[.actor] = ActorCorrelator.join([identityName, roleArn])
            if !sessionKeyId.isEmpty { context.correlator?.learnSession(accessKeyId: sessionKeyId, serviceAccount: identityName) }
        } else if let account = context.correlator?.serviceAccount(forKey: accessKeyId) {
            f[.actor] = ActorCorrelator.join([primary, account])
        } else {
            f[.actor] = primary
        }
        if let best = nameCandidates.min(by: { $0.key < $1.key }) { f[.name] = best.value }
        return AuditEvent(time: time, source: .cloudtrail, fields: f, raw: Array(UnsafeBufferPointer(rebasing: b[range])))
    }

    static func user(type: String, arn: String, name: String, invokedBy: String, principal: String) -> String {
        if type == "AssumedRole", let session = text(arn, after: ":assumed-role/") {
            return session
        }
        if type == "Root" { return name.isEmpty ? "root" : name }
        if !name.isEmpty { return name }
        if !invokedBy.isEmpty { return invokedBy }
        if !arn.isEmpty, let slash = arn.lastIndex(of: "/") { return String(arn[arn.index(after: slash)...]) }
        return principal
    }

    /// The part of `text` after the first `marker`, or nil when `marker` does not occur.
    static func text(_ text: String, after marker: String) -> String? {
        let hay = Array(text.utf8)
        let needle = Array(marker.utf8)
        guard hay.count >= needle.count, !needle.isEmpty else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
            return String(decoding: hay[(i + needle.count)...], as: UTF8.self)
        }
        return nil
    }
}
