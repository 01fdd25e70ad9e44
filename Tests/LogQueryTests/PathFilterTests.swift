import AuditCore
import SegmentStore
import Testing
import TestSupport

@testable import LogQuery

/// Fields named by a JSON path into the original event. Expected counts were taken from the
/// fixture files with Python's json module.
@Suite("JSON path filters")
struct PathFilterTests {
    @Test(
        "names with a dot or a known top-level key are paths; other unknown names are errors",
        arguments: [
            ("objectRef.subresource", true), ("requestParameters.bucketName", true), ("eventName", true),
            ("requestURI", true), ("verb", false), ("usr", false), ("a..b", false),
        ])
    func names(name: String, isPath: Bool) {
        if case .path(let p)? = FieldRef(name: name) {
            #expect(isPath)
            #expect(p.name == name)
        } else {
            #expect(!isPath || FieldRef(name: name) == nil && name.contains(".."))
        }
    }

    @Test("parses into a path filter")
    func parses() throws {
        let query = try parse("objectRef.subresource=exec,log responseStatus.code>=400").get()
        #expect(shape(query.filter) == "and(objectRef.subresource=[exec|log], responseStatus.code>=[400])")
    }

    @Test(
        "filters on paths count what the fixture files hold",
        arguments: [
            ("objectRef.subresource=status", 35),
            ("objectRef.subresource=binding,log", 5),
            ("source=k8s-audit -objectRef.subresource=status", 265),
            ("objectRef.subresource=\"\" source=k8s-audit", 260),
            ("responseStatus.code>=400", 9),
            ("requestParameters.bucketName=acme-*", 54),
            ("requestParameters.bucketName~^acme-tmp-exports-", 4),
            ("userIdentity.sessionContext.sessionIssuer.arn=*Deployer", 64),
            ("resources.ARN=*acme-prod-backups", 2),
            ("eventName=DeleteBucket or objectRef.subresource=log", 3),
        ])
    func counts(query: String, expected: Int) throws {
        #expect(try FixtureStore.shared.count(query) == expected)
    }

    @Test("a path filter agrees with the same test on the normalized field")
    func agreesWithField() throws {
        let store = FixtureStore.shared
        #expect(try store.count("responseStatus.code>=400") == store.count("source=k8s-audit code>=400"))
        #expect(try store.count("requestURI~^/api/v1/namespaces/[^/]+/secrets") == store.count("uri~^/api/v1/namespaces/[^/]+/secrets"))
    }

    @Test("filters on groups count events with any matching group")
    func groups() throws {
        let store = FixtureStore.shared
        #expect(try store.count("groups=system:nodes") == 111)
        #expect(try store.count("groups=system:serviceaccounts:*") == 73)
        #expect(try store.count("groups~^platform-") == 19)
        #expect(try store.count("groups=deployers,platform-admins") == 21)
        #expect(try store.count("source=k8s-audit groups!=system:authenticated") == 14)
    }

    @Test("and runs path terms after the column terms, whatever the order written")
    func order() throws {
        let filter = try parse("objectRef.subresource=status verb=update \"kubelet\"").get().filter
        guard case .and(let parts) = filter else {
            Issue.record("expected and")
            return
        }
        #expect(parts.sorted { $0.cost < $1.cost }.map(\.cost) == [0, 1, 1])
        #expect(parts[1].cost == 0)
    }
}
