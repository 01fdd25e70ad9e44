/// The outcome of a CloudTrail record as an HTTP-like status in `code`, so that one query finds
/// denials in both sources (`code=403`, `code>=400`). CloudTrail records carry no status, only
/// `errorCode` (absent on success) and, for console sign-ins, `responseElements.ConsoleLogin`.
///
/// | outcome | code |
/// |---|---|
/// | no `errorCode`, not a failed sign-in | 200 |
/// | `ConsoleLogin: "Failure"` (error `Failure`) | 401 |
/// | `AccessDenied*`, `*UnauthorizedOperation`, `*Unauthorized*`, `*Forbidden*`, `InvalidClientTokenId`, `SignatureDoesNotMatch`, `ExpiredToken*`, `*NotAuthorized*` | 403 |
/// | `NoSuch*`, `*NotFound*` | 404 |
/// | `*Throttl*`, `TooManyRequests*`, `RequestLimitExceeded`, `SlowDown`, `*LimitExceeded` of rates | 429 |
/// | `ServiceUnavailable*` | 503 |
/// | `Internal*`, `Server.*`, `*InternalError*`, `*InternalFailure*` | 500 |
/// | any other `errorCode` (a bad request: validation, a conflict, a quota) | 400 |
///
/// EC2's `Client.` and `Server.` prefixes are read as the code after them (`Server.` is 500).
enum CloudTrailStatus {
    /// The `error` value of a console sign-in that failed.
    static let consoleLoginFailure = "Failure"

    /// The status for `errorCode` ("" when the call succeeded); `failedSignIn` for a
    /// `ConsoleLogin` whose response says `Failure`.
    static func code(errorCode: String, failedSignIn: Bool) -> String {
        if errorCode.isEmpty { return failedSignIn ? "401" : "200" }
        if errorCode == consoleLoginFailure, failedSignIn { return "401" }
        var name = Substring(errorCode)
        if name.hasPrefix("Server.") { return "500" }
        if name.hasPrefix("Client.") { name = name.dropFirst("Client.".count) }
        if name.hasPrefix("AccessDenied") || name.contains("Unauthorized") || name.contains("Forbidden")
            || name.contains("NotAuthorized") || name == "InvalidClientTokenId" || name == "SignatureDoesNotMatch"
            || name.hasPrefix("ExpiredToken") || name == "AuthFailure"
        {
            return "403"
        }
        if name.hasPrefix("NoSuch") || name.contains("NotFound") { return "404" }
        if name.contains("Throttl") || name.hasPrefix("TooManyRequests") || name == "RequestLimitExceeded" || name == "SlowDown" {
            return "429"
        }
        if name.hasPrefix("ServiceUnavailable") { return "503" }
        if name.hasPrefix("Internal") || name.contains("InternalError") || name.contains("InternalFailure") { return "500" }
        return "400"
    }
}
