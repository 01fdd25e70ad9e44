import AuditCore
import AuditIngest
import Hummingbird
import Synchronization

/// `POST /v1/ingest/k8s-audit`, `POST /v1/ingest/cloudtrail` and `POST /v1/ingest`: a body
/// (gzip or not) is decoded in the request's task through the ingest seam (``BatchDecoder``),
/// handed to the ``IngestService`` and answered once the commit covering its events returned.
///
/// Every route reads every format `logq ingest` reads (the kube-apiserver webhook's
/// `EventList`, CloudTrail `{"Records":[…]}`, EventBridge events single or batched,
/// CloudWatch Logs subscription payloads — base64 of gzip too —, NDJSON); the path names what
/// the sender is, for its token, its logs and its rejections.
final class IngestRoutes: Sendable {
    let service: IngestService
    let limits: ServerLimits
    /// Ingest requests being served now (read, parsed or waiting for their commit).
    let inFlight = Mutex(0)

    init(service: IngestService, limits: ServerLimits) {
        self.service = service
        self.limits = limits
    }

    /// The routes and the name their rejections carry.
    static let paths = ["/v1/ingest/k8s-audit", "/v1/ingest/cloudtrail", "/v1/ingest"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        for path in Self.paths {
            router.post(RouterPath(path)) { request, _ in
                await self.ingest(request, name: "POST \(path)")
            }
        }
    }

    /// Serves one ingest request; every failure is a JSON answer, never a dropped connection.
    func ingest(_ request: Request, name: String) async -> Response {
        let admitted = inFlight.withLock { count in
            guard count < limits.maxIngestRequests else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return busy("too many ingest requests at once (at most \(limits.maxIngestRequests), --max-ingest-requests)")
        }
        defer { inFlight.withLock { $0 -= 1 } }

        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes {
            return tooLarge()
        }
        var body: [UInt8]
        do {
            let buffer = try await request.body.collect(upTo: limits.maxBodyBytes)
            body = Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge()
        } catch {
            return JSONAnswer.error(.badRequest, "cannot read the request body: \(error)")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "identity"
        guard ["identity", "gzip", "x-gzip"].contains(encoding) else {
            return JSONAnswer.error(.unsupportedMediaType, "cannot decode Content-Encoding \(encoding): send gzip or identity")
        }
        // Gzip by header or by magic number (some senders compress without saying so).
        if encoding != "identity" || BatchDecoder.isGzip(body) {
            do {
                body = try BatchDecoder.gunzip(body, maximumBytes: limits.maxBodyBytes)
            } catch .tooLarge(let limit) {
                return JSONAnswer.error(.contentTooLarge, "cannot take a body that gunzips to more than \(limit) bytes (--max-body)")
            } catch {
                return JSONAnswer.error(.badRequest, "cannot gunzip the request body: damaged or truncated gzip (byte 0)")
            }
        }

        let links = service.links.snapshot
        var decoder = BatchDecoder(name: name)
        let correlator = links.correlator()
        decoder.correlator = correlator
        let batch = decoder.decode(body, receivedAt: IngestService.now())
        let learned = links.learned(by: correlator)

        var answer = IngestAnswer()
        answer.rejected = batch.problems.count
        answer.firstProblem = batch.problems.first
        if batch.events.isEmpty, !batch.problems.isEmpty {
            // Nothing storable: still quarantined, so that nothing sent is lost silently.
            _ = try? await service.submit([], rejections: batch.problems.map(\.rejection))
            return JSONAnswer.response(.badRequest, answer.json)
        }
        do {
            let committed = try await service.submit(batch.events, rejections: batch.problems.map(\.rejection), links: learned)
            answer.stored = committed.stored
            answer.duplicates = committed.duplicates
            return JSONAnswer.response(.ok, answer.json)
        } catch IngestService.Refusal.queueFull {
            return busy("the ingest queue is full (\(limits.maxQueuedEvents) events wait for the disk)")
        } catch IngestService.Refusal.stopping {
            return busy("the server is shutting down")
        } catch IngestService.Refusal.writerFailed(let message) {
            return JSONAnswer.error(.serviceUnavailable, "\(message); nothing of this request was acknowledged")
        } catch {
            return JSONAnswer.error(.internalServerError, "cannot store the batch: \(error)")
        }
    }

    private func busy(_ message: String) -> Response {
        JSONAnswer.error(
            .serviceUnavailable, "\(message): send again after \(limits.retryAfterSeconds) s",
            headers: [.retryAfter: String(limits.retryAfterSeconds)])
    }

    private func tooLarge() -> Response {
        JSONAnswer.error(
            .contentTooLarge, "cannot take a body over \(limits.maxBodyBytes) bytes (--max-body): send smaller batches")
    }
}
