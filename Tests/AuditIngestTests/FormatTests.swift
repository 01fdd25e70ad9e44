import AuditCore
import Testing
import TestSupport

@testable import AuditIngest

/// Every CloudTrail and CloudWatch shape of FORMATS.md §1.5 and §2.5, with realistic input.
@Suite("Input formats")
struct FormatTests {
    static let record = EventBuilder.cloudTrailRecord(eventID: "e-1", eventName: "DeleteBucket", time: "2025-03-02T10:15:07Z")
    static let audit = EventBuilder.k8sLine(
        auditID: "a-1", verb: "delete", user: "alice", resource: "secrets", namespace: "prod", name: "db", time: "2025-03-02T10:15:08.000001Z")

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        Quarantine.appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64 of gzip of `text`, made by the real gzip and base64 tools.
    static func gzipBase64(_ text: String, in dir: TemporaryDirectory) -> String {
        let plain = dir.write("payload.json", text: text)
        let result = Shell.run("/bin/sh", ["-c", "gzip -c \(plain) | base64 -w0"])
        precondition(result.status == 0, result.stderr)
        return result.stdout
    }

    static func payload(_ messages: [String], stream: String = "111122223333_CloudTrail_eu-west-1", type: String = "DATA_MESSAGE") -> String {
        let events = messages.enumerated().map { i, m in
            #"{"id":"3\#(i)","timestamp":1740910507000,"message":\#(quoted(m))}"#
        }
        return #"{"messageType":"\#(type)","owner":"111122223333","logGroup":"CloudTrail/logs","logStream":"\#(stream)","subscriptionFilters":["all"],"logEvents":[\#(events.joined(separator: ","))]}"#
    }

    @Test("CloudWatch Logs export lines: '<time> <record>' for CloudTrail and k8s audit alike, at every read size", arguments: [1, 7, 4096])
    func exportLines(chunk: Int) throws {
        let text = "2025-03-02T10:15:07.120Z " + Self.record + "\n2025-03-02T10:15:08.500Z " + Self.audit + "\n"
        let run = try ingest(bytes: Array(text.utf8), chunk: chunk)
        #expect(run.rejections.isEmpty)
        #expect(run.events.map(\.source) == [.cloudtrail, .k8sAudit])
        #expect(run.events[0].fields[.event] == "DeleteBucket")
        #expect(String(decoding: run.events[0].raw, as: UTF8.self) == Self.record)
        #expect(run.events[1].fields[.ns] == "prod")
    }

    @Test("a subscription DATA_MESSAGE yields its records; a CONTROL_MESSAGE yields nothing")
    func subscription() throws {
        let data = Self.payload([Self.record, EventBuilder.cloudTrailRecord(eventID: "e-2", eventName: "ListBuckets", time: "2025-03-02T10:15:09Z", readOnly: true)])
        let control = Self.payload(["CWL CONTROL MESSAGE: Checking health of destination Firehose."], type: "CONTROL_MESSAGE")
        let (events, rejections) = decodeAll(MemorySource(Array((data + "\n" + control + "\n").utf8), chunk: 100))
        #expect(rejections.isEmpty)
        #expect(events.map { $0.fields[.id] } == ["e-1", "e-2"])
        #expect(events[1].fields[.verb] == "list")
        #expect(String(decoding: events[0].raw, as: UTF8.self) == Self.record)
    }

    @Test("base64 gzip payloads are read as lines, and inside a Lambda awslogs event")
    func compressedPayloads() throws {
        let dir = TemporaryDirectory()
        let payload = Self.payload([Self.audit], stream: "kube-apiserver-audit-0123")
        let encoded = Self.gzipBase64(payload, in: dir)
        #expect(encoded.hasPrefix("H4sI"))
        let lines = dir.write("kinesis-records.txt", text: encoded + "\n" + encoded + "\n")
        let lambda = dir.write("lambda-event.json", text: #"{"awslogs":{"data":"\#(encoded)"}}"#)
        let run = try ingest([lines, lambda])
        #expect(run.rejections.isEmpty)
        #expect(run.summary.events == 3)
        #expect(run.summary.stored == 1)
        #expect(run.summary.duplicates == 2)
        #expect(run.events.first?.fields[.user] == "alice")
    }

    @Test("damaged base64 payloads are rejected with a reason")
    func damagedPayload() throws {
        let dir = TemporaryDirectory()
        let run = try ingest([dir.write("bad.txt", text: "H4sIAAAAAAAAA+++broken\n")])
        #expect(run.events.isEmpty)
        #expect(run.rejections.count == 1)
        #expect(run.rejections.first?.reason.contains("damaged or truncated gzip") == true)
        #expect(run.rejections.first?.line == 1)
    }

    @Test("EventBridge envelopes store the CloudTrail record in detail; other detail-types are rejected")
    func eventBridge() throws {
        let envelope = #"{"version":"0","id":"6f8e","detail-type":"AWS API Call via CloudTrail","source":"aws.s3","account":"111122223333","time":"2025-03-02T10:15:07Z","region":"eu-west-1","resources":[],"detail":\#(Self.record)}"#
        let other = #"{"version":"0","id":"7a","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"1","time":"2025-03-02T10:15:07Z","region":"eu-west-1","resources":[],"detail":{"state":"running"}}"#
        let (events, rejections) = decodeAll(MemorySource(Array((envelope + "\n" + other + "\n").utf8), chunk: 33))
        #expect(events.count == 1)
        #expect(String(decoding: events[0].raw, as: UTF8.self) == Self.record)
        #expect(events[0].fields[.event] == "DeleteBucket")
        #expect(rejections.map(\.line) == [2])
        #expect(rejections.first?.reason.contains("EC2 Instance State-change Notification") == true)
    }

    @Test("aws logs filter-log-events output: messages of several streams, klog source from the stream name")
    func filterLogEvents() throws {
        let klog = #"I0302 10:15:07.123456      10 leaderelection.go:258] "successfully acquired lease" lease="kube-system/kube-scheduler""#
        let output = #"{"events":[{"logStreamName":"kube-apiserver-audit-a1","timestamp":1740910508000,"message":\#(Self.quoted(Self.audit)),"ingestionTime":1740910509000,"eventId":"1"},{"logStreamName":"kube-scheduler-b2","timestamp":1740910507200,"message":\#(Self.quoted(klog)),"ingestionTime":1,"eventId":"2"}],"searchedLogStreams":[]}"#
        let (events, rejections) = decodeAll(MemorySource(Array(output.utf8)), fallbackTime: 0)
        #expect(rejections.isEmpty)
        #expect(events.map(\.source) == [.k8sAudit, .scheduler])
        let scheduler = events[1]
        // The year comes from the CloudWatch timestamp (2025), not the fallback (1970).
        #expect(scheduler.time == Timestamp.parse("2025-03-02T10:15:07.123456Z"))
        #expect(scheduler.fields[.message] == "successfully acquired lease")
    }

    @Test("lookup-events output stores the decoded CloudTrailEvent")
    func lookupEvents() throws {
        let line = #"{"EventId": "e-1", "EventName": "DeleteBucket", "ReadOnly": "false", "EventTime": "2025-03-02 21:15:07+11:00", "CloudTrailEvent": \#(Self.quoted(Self.record))}"#
        let (events, rejections) = decodeAll(MemorySource(Array(line.utf8), chunk: 9))
        #expect(rejections.isEmpty)
        #expect(events.count == 1)
        #expect(String(decoding: events[0].raw, as: UTF8.self) == Self.record)
        #expect(events[0].time == Timestamp.parse("2025-03-02T10:15:07Z"))
    }

    @Test("a CloudTrail file with \"Records\" twice keeps the records of both arrays, at every read size", arguments: [1, 9, 4096])
    func duplicateRecordsKey(chunk: Int) throws {
        let records = (0..<4).map { EventBuilder.cloudTrailRecord(eventID: "d\($0)", eventName: "GetObject", time: "2025-03-02T10:15:0\($0)Z") }
        let file = #"{"Records":["# + records[0...1].joined(separator: ",") + #"],"Records":["# + records[2...3].joined(separator: ",") + "]}"
        let run = try ingest(bytes: Array(file.utf8), chunk: chunk)
        #expect(run.rejections.isEmpty)
        #expect(run.events.map { $0.fields[.id] } == ["d0", "d1", "d2", "d3"])
    }

    @Test("a digest file is recognised and not stored")
    func digest() throws {
        let dir = TemporaryDirectory()
        let digest = #"{"awsAccountId":"111122223333","digestStartTime":"2025-03-02T09:00:00Z","digestEndTime":"2025-03-02T10:00:00Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/02/x.json.gz","digestPublicKeyFingerprint":"ab","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}"#
        let run = try ingest([dir.write("digest.json", text: digest)])
        #expect(run.events.isEmpty)
        #expect(run.rejections.isEmpty)
        #expect(run.summary.digests == 1)
        #expect(run.skipped.isEmpty)
    }

    @Test("--format forces one reading: a CloudTrail record read as k8s audit is rejected")
    func forcedFormat() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("r.json", text: Self.record + "\n" + Self.audit + "\n")
        var options = IngestOptions()
        options.format = .k8sAudit
        let run = try ingest([file], options: options)
        #expect(run.events.map(\.source) == [.k8sAudit])
        #expect(run.rejections.map(\.line) == [1])
        #expect(run.rejections.first?.reason.contains("auditID") == true)
        options.format = .cloudtrail
        let trail = try ingest([file], options: options)
        #expect(trail.events.map(\.source) == [.cloudtrail])
        #expect(trail.rejections.map(\.line) == [2])
        #expect(trail.rejections.first?.reason.contains("eventSource") == true)
    }
}
