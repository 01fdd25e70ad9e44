import Testing

@testable import LogQuery

@Suite("JSONPath")
struct JSONPathTests {
    static let record = #"""
        {"eventName":"PutObject","userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/Deployer"}}},
         "requestParameters":{"bucketName":"acme-web","key":"a\"b\\c\u00e9"},"resources":[{"ARN":"arn:aws:s3:::acme-web"},{"type":"x"},{"ARN":"arn:aws:s3:::acme-web/k"}],
         "responseStatus":{"code":404},"readOnly":false,"errorCode":null,"tags":["a","b"],"nested":[[1,2],[3]],"empty":{}}
        """#

    func values(_ path: String, _ json: String = Self.record) throws -> [String] {
        let p = try #require(JSONPath(path))
        var out: [String] = []
        _ = Array(json.utf8).withUnsafeBytes { raw in
            p.anyValue(in: raw) { bytes in
                out.append(String(decoding: bytes, as: UTF8.self))
                return false
            }
        }
        return out
    }

    @Test(
        "a path finds nested values; strings unescaped, numbers and literals as written",
        arguments: [
            ("eventName", ["PutObject"]),
            ("userIdentity.sessionContext.sessionIssuer.arn", ["arn:aws:iam::1:role/Deployer"]),
            ("requestParameters.bucketName", ["acme-web"]),
            ("requestParameters.key", ["a\"b\\cé"]),
            ("responseStatus.code", ["404"]),
            ("readOnly", ["false"]),
            ("resources.ARN", ["arn:aws:s3:::acme-web", "arn:aws:s3:::acme-web/k"]),
            ("tags", ["a", "b"]),
            ("nested", ["1", "2", "3"]),
            ("empty", ["{}"]),
        ] as [(String, [String])])
    func finds(path: String, expected: [String]) throws {
        #expect(try values(path) == expected)
    }

    @Test("absent keys, null, and paths through scalars have no value", arguments: [
        "errorCode", "nosuch", "eventName.x", "requestParameters.nosuch", "userIdentity.sessionContext.nosuch.arn",
    ])
    func absent(path: String) throws {
        #expect(try values(path).isEmpty)
        let p = try #require(JSONPath(path))
        #expect(Array(Self.record.utf8).withUnsafeBytes { p.text(in: $0) } == "")
    }

    @Test("text joins several values with commas")
    func text() throws {
        let p = try #require(JSONPath("resources.ARN"))
        #expect(Array(Self.record.utf8).withUnsafeBytes { p.text(in: $0) } == "arn:aws:s3:::acme-web,arn:aws:s3:::acme-web/k")
    }

    @Test("a key is matched whole, not as a prefix or suffix")
    func wholeKeys() throws {
        #expect(try values("a", #"{"ab":1,"ba":2,"a":3}"#) == ["3"])
        #expect(try values("b", #"{"ab":1}"#).isEmpty)
    }

    @Test("malformed or truncated JSON reads as absent instead of trapping", arguments: [
        #"{"a":"#, #"{"a""#, #"{"x":[1,2"#, "", "[", #"{"a":"unterminated}"#, "nonsense",
    ])
    func malformed(json: String) throws {
        #expect(try values("a.b", json).isEmpty)
        _ = try values("a", json)
    }

    @Test("empty segments are rejected", arguments: ["", ".", "a.", ".a", "a..b"])
    func invalid(name: String) {
        #expect(JSONPath(name) == nil)
    }
}
