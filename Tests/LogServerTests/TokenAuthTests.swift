import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

@testable import LogServer
extension ServerSuites {
    @Suite("Token auth")
    struct TokenAuthTests {
        static let file = """
            # writers
            w-0123456789abcdef write
            r-0123456789abcdef read   # a dashboard
            """

        @Test("the token file gives each token its scope and refuses a bad line naming it")
        func parsing() throws {
            let tokens = try TokenFile(parsing: Self.file, path: "tokens")
            #expect(tokens.scope(of: Array("w-0123456789abcdef".utf8)) == .write)
            #expect(tokens.scope(of: Array("r-0123456789abcdef".utf8)) == .read)
            #expect(tokens.scope(of: Array("r-0123456789abcde".utf8)) == nil)
            #expect(tokens.scope(of: Array("r-0123456789abcdeff".utf8)) == nil)
            #expect(tokens.scope(of: []) == nil)
            #expect(throws: TokenFile.Failure.self) { try TokenFile(parsing: "abcdefabcdefabcdef admin\n", path: "t") }
            do {
                _ = try TokenFile(parsing: "# ok\nabcdefabcdefabcdef\n", path: "t")
                Issue.record("a line without a scope was taken")
            } catch {
                #expect(error.description.contains("t:2"))
            }
            #expect(throws: TokenFile.Failure.self) { try TokenFile(parsing: "short write\n", path: "t") }
        }

        @Test("routes need their scope: 401 without or with an unknown token, 403 with too small a scope, 200 else")
        func scopes() async throws {
            let server = TestServer()
            defer { server.dir.remove() }
            var options = ServerOptions()
            options.tokens = try TokenFile(parsing: Self.file, path: "tokens")
            let body = Payloads.eventList(Payloads.k8sEvents(3, prefix: "auth"))
            try await server.run(options: options) { client in
                let none = try await client.post("/v1/ingest/k8s-audit", body)
                #expect(none.status == .unauthorized)
                #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let wrong = try await client.post("/v1/ingest/k8s-audit", body, headers: [.authorization: "Bearer nope-nope-nope-nope"])
                #expect(wrong.status == .unauthorized)
                let read = try await client.post("/v1/ingest/k8s-audit", body, headers: [.authorization: "Bearer r-0123456789abcdef"])
                #expect(read.status == .forbidden)
                let write = try await client.post("/v1/ingest/k8s-audit", body, headers: [.authorization: "Bearer w-0123456789abcdef"])
                #expect(write.status == .ok)
                #expect(try Answer(write).stored == 3)
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                #expect(metrics.status == .unauthorized)
                let metricsRead = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer r-0123456789abcdef"])
                #expect(metricsRead.status == .ok)
                // A read route that does not exist yet still needs a token before it says 404.
                let query = try await client.execute(uri: "/v1/query?q=verb%3Ddelete", method: .get)
                #expect(query.status == .unauthorized)
            }
            #expect(try server.storedIDs().count == 3)
        }

        @Test("--metrics-open serves /metrics without a token")
        func metricsOpen() {
            #expect(TokenAuthMiddleware<BasicRequestContext>.requiredScope(path: "/metrics", metricsOpen: true) == nil)
            #expect(TokenAuthMiddleware<BasicRequestContext>.requiredScope(path: "/metrics", metricsOpen: false) == .read)
            #expect(TokenAuthMiddleware<BasicRequestContext>.requiredScope(path: "/v1/ingest", metricsOpen: false) == .write)
            #expect(TokenAuthMiddleware<BasicRequestContext>.requiredScope(path: "/v1/ingestx", metricsOpen: false) == .read)
            #expect(TokenAuthMiddleware<BasicRequestContext>.requiredScope(path: "/", metricsOpen: false) == .read)
        }
    }
}
