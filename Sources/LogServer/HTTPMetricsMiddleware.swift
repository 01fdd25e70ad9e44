import Hummingbird

/// Counts every answered request in `logq_http_requests_total{route,code}`
/// (``ServerHealthMetrics``). Added first, so refusals of the token check (401/403) and
/// unknown paths (404) are counted too.
///
/// The route label is the request's path when it is one of logq's routes and `other`
/// otherwise, so a scanner probing random paths cannot grow the series without bound. A
/// handler's thrown error counts with the status it is answered with (500 when it has none).
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerHealthMetrics

    /// Every path logq serves.
    static var routes: Set<String> {
        ["/healthz", "/readyz", "/metrics", "/v1/ingest", "/v1/ingest/k8s-audit", "/v1/ingest/cloudtrail", "/v1/query", "/v1/tail"]
    }

    /// The route label of `path`.
    static func route(_ path: String) -> String {
        routes.contains(path) ? path : "other"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = Self.route(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.answered(route: route, code: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.answered(route: route, code: error.status.code)
            throw error
        } catch {
            metrics.answered(route: route, code: 500)
            throw error
        }
    }
}
