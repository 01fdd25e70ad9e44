import LogQuery
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `logq query --timeout`: stops a query that runs too long, and the warning for regular
/// expressions that gave up.
enum QueryTimeout {
    /// The exit status of a query stopped by `--timeout` (as timeout(1)).
    static let exitStatus: Int32 = 124

    /// Arms a one-shot timer: when `nanoseconds` pass, the process prints a message and
    /// exits with ``exitStatus``. The query runs on this thread, so a signal is the simplest
    /// way to stop it wherever it is.
    static func arm(nanoseconds: Int64) {
        signal(SIGALRM) { _ in
            // Only async-signal-safe calls here: write(2) and _exit(2).
            let message: StaticString =
                "\nlogq: cannot finish the query in the --timeout given: stopped; narrow the time range (since=) or the filter, or pass a longer --timeout\n"
            message.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
            _exit(QueryTimeout.exitStatus)
        }
        var timer = itimerval()
        timer.it_value.tv_sec = Int(nanoseconds / 1_000_000_000)
        timer.it_value.tv_usec = Int(nanoseconds % 1_000_000_000 / 1_000)
        if timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0 { timer.it_value.tv_usec = 1 }
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    /// Warns once on stderr when a regular expression gave up at PCRE2's limits: those
    /// values were counted as non-matches.
    static func warnAboutRegexLimits() {
        let hits = RegexMatcher.limitHits.load(ordering: .relaxed)
        guard hits > 0 else { return }
        OutputStream.printError(
            "logq: warning: \(hits) value(s) did not match because the regular expression backtracked past PCRE2's limit; they count as non-matches (simplify the pattern, e.g. avoid nested repeats like (.+)+)")
    }
}
