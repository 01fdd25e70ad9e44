import AuditCore
import HTTPTypes
import Hummingbird

/// `GET /` and `GET /ui/<asset>`: the web page of `logq serve` (docs/ui.md), hand-written HTML,
/// CSS and JavaScript embedded in the binary at build time (`PackageResources`), so the
/// server needs no file beside it and the page works with no network.
///
/// The page holds no data: it asks `/v1/query` and `/v1/tail` for it with the read token the
/// user types in (kept in the tab's sessionStorage). So these routes are open: they are
/// registered before the token middleware (``LogServer/application(service:context:options:routes:onServerRunning:)``),
/// which Hummingbird applies to routes added after it only.
public enum WebUIRoutes {
    /// One embedded file.
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
        /// A strong validator of the bytes (their 64-bit hash), for `If-None-Match`.
        var etag: String

        init(_ bytes: [UInt8], _ contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
            etag = "\"" + String(Hash64.hash(bytes), radix: 16) + "\""
        }
    }

    /// The page's files by name under `/ui/`.
    static let assets: [String: Asset] = [
        "index.html": Asset(PackageResources.index_html, "text/html; charset=utf-8"),
        "app.js": Asset(PackageResources.app_js, "text/javascript; charset=utf-8"),
        "style.css": Asset(PackageResources.style_css, "text/css; charset=utf-8"),
        "favicon.svg": Asset(PackageResources.favicon_svg, "image/svg+xml"),
    ]

    /// Scripts, styles and fetches from this origin only; no inline script, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// Registers `/`, `/ui` and `/ui/<asset>` on `router`.
    public static func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/") { request, _ in answer(request, name: "index.html") }
        router.get("/ui") { request, _ in answer(request, name: "index.html") }
        router.get("/ui/:asset") { request, context in
            answer(request, name: context.parameters.get("asset") ?? "")
        }
    }

    /// The asset `name`: 200 with its bytes, 304 when the client's copy is current, 404 when
    /// there is no such file.
    static func answer(_ request: Request, name: String) -> Response {
        guard let asset = assets[name] else {
            return JSONAnswer.error(.notFound, "no such file in the web UI: /ui/\(name) (the page is at /)")
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            // Revalidate every time: the names carry no version, and a 304 costs one round trip.
            .cacheControl: "no-cache",
            .eTag: asset.etag,
            .xContentTypeOptions: "nosniff",
        ]
        if name == "index.html" {
            headers[.contentSecurityPolicy] = contentSecurityPolicy
            headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        }
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: { $0.trimmingSpaces == asset.etag || $0.trimmingSpaces == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
