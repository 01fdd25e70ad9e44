import AuditCore

/// Builds events for tests.
public enum EventBuilder {
    /// A random event: random time within `hours` hours after `start`, random source, every
    /// normalized field set to random text (including multi-byte UTF-8 and empty values),
    /// and random raw bytes (any byte value, including newlines and NUL).
    public static func random(
        using rng: inout SeededGenerator, start: Int64 = 1_794_999_600_000_000_000, hours: Int = 3
    ) -> AuditEvent {
        let time = start + Int64.random(in: 0..<(Int64(hours) * Timestamp.nanosPerHour), using: &rng)
        let source = SourceKind.allCases.randomElement(using: &rng)!
        var fields = FieldValues()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-:/._ é漢🙂\"\\")
        for field in Field.allCases where Int.random(in: 0..<4, using: &rng) != 0 {
            let length = Int.random(in: 0..<40, using: &rng)
            fields[field] = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
        }
        let rawLength = Int.random(in: 0..<3_000, using: &rng)
        let raw = (0..<rawLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return AuditEvent(time: time, source: source, fields: fields, raw: raw)
    }

    /// A minimal Kubernetes audit event line (JSON) with the given values.
    public static func k8sLine(
        auditID: String, verb: String, user: String, resource: String, namespace: String, name: String,
        time: String, code: Int = 200, stage: String = "ResponseComplete"
    ) -> String {
        """
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"\(auditID)","stage":"\(stage)","requestURI":"/api/v1/namespaces/\(namespace)/\(resource)/\(name)","verb":"\(verb)","user":{"username":"\(user)","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.30.1","objectRef":{"resource":"\(resource)","namespace":"\(namespace)","name":"\(name)","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":\(code)},"requestReceivedTimestamp":"\(time)","stageTimestamp":"\(time)"}
        """
    }

    /// A minimal CloudTrail record (JSON object) with the given values.
    public static func cloudTrailRecord(
        eventID: String, eventName: String, eventSource: String = "s3.amazonaws.com", time: String,
        readOnly: Bool = false, userName: String = "alice", errorCode: String? = nil
    ) -> String {
        let error = errorCode.map { ",\"errorCode\":\"\($0)\"" } ?? ""
        return """
            {"eventVersion":"1.11","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/\(userName)","accountId":"111122223333","userName":"\(userName)"},"eventTime":"\(time)","eventSource":"\(eventSource)","eventName":"\(eventName)","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"b-\(eventID)"},"responseElements":null,"eventID":"\(eventID)","readOnly":\(readOnly),"eventType":"AwsApiCall","recipientAccountId":"111122223333"\(error)}
            """
    }
}
