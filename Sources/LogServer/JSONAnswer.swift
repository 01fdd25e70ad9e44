import Hummingbird
import LogQuery

/// Small JSON answers written by hand: the ingest summary and error bodies. Keys and shapes
/// are documented in docs/server.md.
enum JSONAnswer {
    /// `s` as a JSON string literal, quotes included (the CLI's escaping).
    static func string(_ s: String) -> String {
        EventFormatter.jsonString(s)
    }

    /// A response with a JSON body (and a newline, for terminals).
    static func response(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
    }

    /// `{"error":message}` with `status`.
    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        response(status, "{\"error\":\(string(message))}", headers: headers)
    }
}
