import Hummingbird

/// Bearer-token checks by path, before any route runs, so routes added by others (query,
/// tail, the UI) are covered without knowing of it:
/// `/healthz`, `/readyz` open; `/v1/ingest*` write; `/metrics` read (open with
/// `--metrics-open`); everything else read. No or unknown token: 401 with
/// `WWW-Authenticate: Bearer`; a read token on a write route: 403.
struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenFile
    let metricsOpen: Bool

    /// The scope `path` needs, nil when it is open.
    static func requiredScope(path: String, metricsOpen: Bool) -> TokenScope? {
        switch path {
        case "/healthz", "/readyz": return nil
        case "/metrics": return metricsOpen ? nil : .read
        default: return path == "/v1/ingest" || path.hasPrefix("/v1/ingest/") ? .write : .read
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let needed = Self.requiredScope(path: request.uri.path, metricsOpen: metricsOpen) else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.utf8.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else {
            return JSONAnswer.error(
                .unauthorized, "missing bearer token: send Authorization: Bearer <token> (a \(needed.rawValue) token)",
                headers: [.wwwAuthenticate: "Bearer realm=\"logq\""])
        }
        guard let scope = tokens.scope(of: header.utf8.dropFirst(7)) else {
            return JSONAnswer.error(
                .unauthorized, "unknown bearer token",
                headers: [.wwwAuthenticate: "Bearer realm=\"logq\", error=\"invalid_token\""])
        }
        guard scope >= needed else {
            return JSONAnswer.error(
                .forbidden, "this token may \(scope.rawValue) only; \(request.uri.path) needs a \(needed.rawValue) token",
                headers: [.wwwAuthenticate: "Bearer realm=\"logq\", error=\"insufficient_scope\", scope=\"\(needed.rawValue)\""])
        }
        return try await next(request, context)
    }
}
