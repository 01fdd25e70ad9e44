import AuditCore
import LogQuery
import Testing

@Suite("EventFormatter")
struct EventFormatterTests {
    /// 2024-12-13T05:28:39.999903Z (1734067719 s).
    static let time: Int64 = 1_734_067_719_999_903_000

    // MARK: line

    @Test("the text line of a k8s event: time, padded source and verb, user, object, ip, code")
    func k8sLine() {
        let event = makeEvent(
            source: .k8sAudit, time: Self.time,
            [.verb: "delete", .user: "alice", .resource: "pods", .ns: "default", .name: "web-1", .ip: "203.0.113.9", .code: "200"])
        #expect(EventFormatter.line(event) == "2024-12-13T05:28:39.999Z  k8s-audit   delete   alice  pods default/web-1  203.0.113.9  200")
    }

    @Test("a k8s subresource follows the resource; a cluster-scoped object has no namespace")
    func k8sSubresource() {
        let exec = makeEvent(
            time: Self.time,
            [.verb: "create", .user: "bob", .resource: "pods", .subresource: "exec", .ns: "prod", .name: "db-0", .ip: "10.0.0.1", .code: "101"])
        #expect(EventFormatter.line(exec) == "2024-12-13T05:28:39.999Z  k8s-audit   create   bob  pods/exec prod/db-0  10.0.0.1  101")
        let node = makeEvent(time: Self.time, [.verb: "get", .user: "kubelet", .resource: "nodes", .name: "n1", .code: "200"])
        #expect(EventFormatter.line(node) == "2024-12-13T05:28:39.999Z  k8s-audit   get      kubelet  nodes n1  -  200")
    }

    @Test("without an object the URI is shown; without a code, the stage; missing parts are dashes")
    func k8sFallbacks() {
        let health = makeEvent(time: 0, [.verb: "get", .uri: "/healthz", .stage: "ResponseStarted"])
        #expect(EventFormatter.line(health) == "1970-01-01T00:00:00.000Z  k8s-audit   get      -  /healthz  -  ResponseStarted")
        let bare = makeEvent(source: .apiserver, time: 0)
        #expect(EventFormatter.line(bare) == "1970-01-01T00:00:00.000Z  apiserver            -  -  -  -")
        // a verb longer than its column is kept whole
        let long = makeEvent(time: 0, [.verb: "deletecollection", .user: "u", .resource: "pods", .code: "200"])
        #expect(EventFormatter.line(long) == "1970-01-01T00:00:00.000Z  k8s-audit   deletecollection  u  pods  -  200")
    }

    @Test("klog and authenticator lines show their message, where in the code, and severity; perf events their kind, object and node")
    func textAndPerfLines() {
        let klog = makeEvent(
            source: .controllerManager, time: 0,
            [.severity: "E", .message: "failed to sync replicaset shop/cart-7d9", .location: "replica_set.go:448"])
        #expect(EventFormatter.line(klog) == "1970-01-01T00:00:00.000Z  controller-manager           -  failed to sync replicaset shop/cart-7d9  replica_set.go:448  E")
        let perf = makeEvent(source: .perf, time: 0, [.kind: "Pod", .ns: "shop", .name: "cart-0", .node: "ip-10-0-1-5"])
        #expect(EventFormatter.line(perf) == "1970-01-01T00:00:00.000Z  perf                 -  Pod shop/cart-0  ip-10-0-1-5  -")
    }

    @Test("the text line of a CloudTrail event: service:action name, region and ip, ok or the error code")
    func cloudTrailLine() {
        var fields: [Field: String] = [
            .verb: "put", .user: "alice", .service: "s3.amazonaws.com", .event: "PutObject", .name: "b-1",
            .region: "eu-west-1", .ip: "198.51.100.7",
        ]
        let ok = makeEvent(source: .cloudtrail, time: Self.time, fields)
        #expect(EventFormatter.line(ok) == "2024-12-13T05:28:39.999Z  cloudtrail  put      alice  s3:PutObject b-1  eu-west-1 198.51.100.7  ok")
        fields[.error] = "AccessDenied"
        fields[.name] = nil
        fields[.region] = nil
        let denied = makeEvent(source: .cloudtrail, time: Self.time, fields)
        #expect(EventFormatter.line(denied) == "2024-12-13T05:28:39.999Z  cloudtrail  put      alice  s3:PutObject  198.51.100.7  AccessDenied")
        let empty = makeEvent(source: .cloudtrail, time: Self.time)
        #expect(EventFormatter.line(empty) == "2024-12-13T05:28:39.999Z  cloudtrail           -  -  -  ok")
    }

    // MARK: ndjson

    @Test("ndjson compacts a pretty-printed event and keeps whitespace inside strings")
    func ndjsonCompacts() {
        let raw = "{\n  \"a\": \"x  y\",\n  \"b\": [1, 2],\n\t\"c\": \"q\\\"  z\",\r\n  \"d\": \"e\\\\\" ,\n  \"f\": \"\\n \\t\"\n}"
        let expected = #"{"a":"x  y","b":[1,2],"c":"q\"  z","d":"e\\","f":"\n \t"}"#
        let out = EventFormatter.ndjson(makeEvent(raw: raw))
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test("ndjson leaves a one-line event byte for byte, spaces included")
    func ndjsonVerbatim() {
        let raw = #"{"a": 1,  "b" : "c d"}"#
        #expect(EventFormatter.ndjson(makeEvent(raw: raw)) == Array(raw.utf8))
        // A carriage return alone also triggers compaction.
        #expect(EventFormatter.ndjson(makeEvent(raw: "{\"a\": 1,\r\"b\": 2}")) == Array(#"{"a":1,"b":2}"#.utf8))
    }

    // MARK: counts

    static let rows: [(key: [String], count: Int)] = [
        (["alice", "get"], 3), (["alice", "delete"], 2), (["bob", "delete"], 12), (["", "get"], 1),
    ]

    @Test("countTable right-aligns counts, left-aligns and pads the other columns except the last")
    func countTable() {
        #expect(
            EventFormatter.countTable(Self.rows, by: [.field(.user), .field(.verb)]) == [
                "count  user   verb",
                "    3  alice  get",
                "    2  alice  delete",
                "   12  bob    delete",
                "    1  -      get",
            ])
    }

    @Test("countTable widens the count column for large counts and prints 0 for an empty total")
    func countTableEdges() {
        #expect(EventFormatter.countTable([(key: [], count: 1_234_567)], by: []) == ["  count", "1234567"])
        #expect(EventFormatter.countTable([], by: []) == ["count", "    0"])
        #expect(EventFormatter.countTable([], by: [.field(.user)]) == ["count  user"])
        #expect(EventFormatter.countTable([(key: ["k8s-audit"], count: 2)], by: [.source]) == ["count  source", "    2  k8s-audit"])
    }

    @Test("countJSON prints one object per row, with fields in order and count last")
    func countJSON() {
        #expect(
            EventFormatter.countJSON(Self.rows, by: [.field(.user), .field(.verb)]) == [
                #"{"user":"alice","verb":"get","count":3}"#,
                #"{"user":"alice","verb":"delete","count":2}"#,
                #"{"user":"bob","verb":"delete","count":12}"#,
                #"{"user":"","verb":"get","count":1}"#,
            ])
        #expect(EventFormatter.countJSON([], by: []) == [#"{"count":0}"#])
        #expect(EventFormatter.countJSON([(key: [], count: 4)], by: []) == [#"{"count":4}"#])
        #expect(EventFormatter.countJSON([], by: [.field(.user)]) == [])
    }

    @Test("countJSON escapes quotes, backslashes and control characters, and keeps other text")
    func countJSONEscaping() {
        let rows: [(key: [String], count: Int)] = [(["a\"b\\c\nd\re\tf\u{01}g\u{1F}é🙂"], 1)]
        #expect(EventFormatter.countJSON(rows, by: [.field(.user)]) == [#"{"user":"a\"b\\c\nd\re\tf\u0001g\u001fé🙂","count":1}"#])
    }
}
