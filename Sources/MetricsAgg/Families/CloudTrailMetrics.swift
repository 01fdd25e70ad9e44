import AuditCore

/// AWS API call metrics from CloudTrail records: calls by service, action, region and identity
/// type; errors by error code; console sign-ins, failed ones, ones without MFA; root use.
///
/// The identity type (`userIdentity.type`) and MFA use (`additionalEventData.MFAUsed`) are read
/// from the original record, in one pass over its top-level members.
final class CloudTrailMetrics {
    let calls: MetricFamily
    let errors: MetricFamily
    let signIns: MetricFamily
    let signInsWithoutMFA: MetricFamily
    let rootCalls: MetricFamily

    init(_ registry: MetricRegistry) {
        calls = registry.family(
            "logq_cloudtrail_calls", help: "AWS API calls recorded by CloudTrail, by service (eventSource), event (eventName), region and identity type (userIdentity.type).",
            kind: .counter, labels: ["service", "event", "region", "identity_type"])
        errors = registry.family(
            "logq_cloudtrail_errors", help: "AWS API calls that failed, by service and errorCode (a failed console sign-in counts as Failure).",
            kind: .counter, labels: ["service", "error_code"])
        signIns = registry.family(
            "logq_cloudtrail_console_signins", help: "AWS console sign-ins (ConsoleLogin), by result (success, failure) and identity type.",
            kind: .counter, labels: ["result", "identity_type"])
        signInsWithoutMFA = registry.family(
            "logq_cloudtrail_console_signins_without_mfa", help: "Successful AWS console sign-ins whose additionalEventData.MFAUsed is not Yes, by identity type.",
            kind: .counter, labels: ["identity_type"])
        rootCalls = registry.family(
            "logq_cloudtrail_root_calls", help: "AWS API calls made as the account's root user (userIdentity.type Root), by event.",
            kind: .counter, labels: ["event"])
    }

    /// Folds one CloudTrail record (its `raw` bytes give the identity type and MFA use).
    func add(_ event: AuditEvent) {
        let f = event.fields
        let (identityType, mfaUsed) = Self.identity(event.raw)
        let service = f[.service]
        calls.add([service, f[.event], f[.region], identityType])
        let error = f[.error]
        if !error.isEmpty { errors.add([service, error]) }
        if f[.event] == "ConsoleLogin" {
            let failed = !error.isEmpty
            signIns.add([failed ? "failure" : "success", identityType])
            if !failed && mfaUsed != "Yes" { signInsWithoutMFA.add([identityType]) }
        }
        if identityType == "Root" { rootCalls.add([f[.event]]) }
    }

    /// `userIdentity.type` and `additionalEventData.MFAUsed` of a record ("" when absent or unreadable).
    static func identity(_ raw: [UInt8]) -> (type: String, mfaUsed: String) {
        var type = ""
        var mfa = ""
        raw.withUnsafeBufferPointer { b in
            guard !b.isEmpty else { return }
            _ = try? JSONScanner.walkObject(b, 0) { key, value throws(JSONSyntaxError) in
                if JSONScanner.keyEquals(b, key, "userIdentity") {
                    guard value.count > 1, b[value.lowerBound] == UInt8(ascii: "{") else { return }
                    _ = try JSONScanner.walkObject(b, value.lowerBound) { k, v in
                        if JSONScanner.keyEquals(b, k, "type") { type = JSONScanner.scalarText(b, v) ?? "" }
                    }
                } else if JSONScanner.keyEquals(b, key, "additionalEventData") {
                    guard value.count > 1, b[value.lowerBound] == UInt8(ascii: "{") else { return }
                    _ = try JSONScanner.walkObject(b, value.lowerBound) { k, v in
                        if JSONScanner.keyEquals(b, k, "MFAUsed") { mfa = JSONScanner.scalarText(b, v) ?? "" }
                    }
                }
            }
        }
        return (type, mfa)
    }
}
