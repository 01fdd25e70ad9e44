import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The first executable named `name` on PATH (or in /usr/bin), if any.
private func executable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return (path.split(separator: ":").map { $0 + "/" + name } + ["/usr/bin/" + name]).first { access($0, X_OK) == 0 }
}

/// A Python that imports selenium: Debian's (python3-selenium installs there), else the one on
/// PATH (which may be another interpreter, e.g. pyenv's).
private let seleniumPython: String? = {
    ["/usr/bin/python3", executable("python3")].compactMap { $0 }.first { access($0, X_OK) == 0 && Shell.run($0, ["-c", "import selenium"]).status == 0 }
}()

/// What the browser test needs that is missing here: Debian's chromium, chromium-driver and
/// python3-selenium (`.ci/run` installs them); nil when all are present.
private let missingBrowserParts: String? = {
    var missing: [String] = []
    if executable("chromium") == nil { missing.append("chromium") }
    if executable("chromedriver") == nil { missing.append("chromium-driver") }
    if seleniumPython == nil { missing.append("python3-selenium") }
    return missing.isEmpty ? nil : missing.joined(separator: ", ")
}()

/// Whether this is CI (`CI` set): there a missing browser fails instead of skipping.
private let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false

/// The web page of `logq serve`, driven in headless Chromium by `Tests/browser/ui_test.py`
/// against a real server holding the fixtures: a query's rows and histogram bars equal the
/// CLI's answers, a bad query shows the caret error, drag-to-zoom narrows the rows, an
/// aggregate shows as table and bars, a live tail shows an event ingested over HTTP and, paused
/// and resumed, every event once; with `--token-file` the page asks for the read token once.
///
/// Screenshots go to `$LOGQ_TEST_ARTIFACTS`, else to a directory under the temp folder (printed).
@Suite(
    "The web UI in a real browser", .serialized,
    .enabled(
        if: TestPaths.logqBinary != nil || inCI, "the logq binary is not built: run 'swift build' before 'swift test'"),
    .enabled(
        if: missingBrowserParts == nil || inCI,
        "needs \(missingBrowserParts ?? "nothing"): apt-get install -y chromium chromium-driver python3-selenium (in CI this fails instead)"))
struct BrowserTests {
    @Test("the page answers as the CLI does: rows, histogram, top values, caret error, zoom, aggregate, live tail, token")
    func pageInChromium() throws {
        #expect(missingBrowserParts == nil, "CI must have \(missingBrowserParts ?? ""): .ci/run installs them")
        guard missingBrowserParts == nil, let python = seleniumPython, let logq = TestPaths.logqBinary else { return }
        let artifacts =
            ProcessInfo.processInfo.environment["LOGQ_TEST_ARTIFACTS"].map { $0 + "/browser" }
            ?? NSTemporaryDirectory() + "logq-ui-artifacts-\(getpid())"
        print("browser test screenshots: \(artifacts)")
        let result = Shell.run(
            python,
            [
                TestPaths.packageRoot + "/Tests/browser/ui_test.py", "--logq", logq, "--fixtures", TestPaths.fixtures,
                "--artifacts", artifacts,
            ])
        #expect(result.status == 0, "Tests/browser/ui_test.py failed (exit \(result.status)):\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("browser tests: all passed"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: artifacts + "/ui.png"), "no screenshot at \(artifacts)/ui.png")
    }
}
