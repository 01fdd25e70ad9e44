import CPCRE2
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A compiled regular expression: PCRE2 with its JIT, matching UTF-8 bytes in place.
///
/// Swift `Regex` costs ~650 ms per million URIs here against ~55 ms for PCRE2's JIT
/// (FACTS.md). Patterns are compiled in UTF mode with `PCRE2_MATCH_INVALID_UTF`: subjects are
/// not always valid UTF-8 (a JSON path's value is read from the original bytes, which a
/// damaged input can garble), and with that option PCRE2 — its JIT included — matches any bytes
/// safely: an invalid sequence matches no pattern item and no match crosses it. The pattern
/// itself is a Swift string, so it is valid UTF-8 and is not checked again.
///
/// A matcher is immutable after `init`, so one parsed query can run on many threads at once
/// (the server runs concurrent requests of the same query): PCRE2 reads a compiled pattern and
/// a match context without changing them. The one thing a match writes — its match data (the
/// match offsets, and the backtracking frames of the interpreter) — is per thread
/// (``MatchScratch``), never stored here.
public final class RegexMatcher: @unchecked Sendable {
    // Sendable by hand: the three pointers are written only in init and freed in deinit;
    // PCRE2 documents compiled code (JIT included) and contexts as shareable between threads.
    private let code: OpaquePointer
    /// Match and depth limits (``QueryLimits``), so a catastrophic pattern fails fast.
    private let matchContext: OpaquePointer
    private let jit: Bool
    /// The pattern as written.
    public let pattern: String

    /// Compiles `pattern`; throws a message with the PCRE2 error and its offset.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = pattern.withCString { p in
            pcre2_compile_8(
                UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count,
                UInt32(PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NO_UTF_CHECK), &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            throw RegexError(message: "\(message) at offset \(errorOffset)")
        }
        code = compiled
        jit = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_code_free_8(compiled)
            throw RegexError(message: "out of memory for the match context")
        }
        pcre2_set_match_limit_8(context, QueryLimits.regexMatchLimit)
        pcre2_set_depth_limit_8(context, QueryLimits.regexDepthLimit)
        matchContext = context
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    /// Whether the pattern matches anywhere in `subject`.
    @inline(__always)
    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        guard let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            // An empty buffer may have no address; PCRE2 needs a valid pointer even for length 0.
            var zero: UInt8 = 0
            return withUnsafePointer(to: &zero) { match($0, 0) }
        }
        return match(base, subject.count)
    }

    @inline(__always)
    private func match(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard let matchData = MatchScratch.current() else { return false }
        let result =
            jit
            ? pcre2_jit_match_8(code, base, count, 0, 0, matchData, matchContext)
            : pcre2_match_8(code, base, count, 0, 0, matchData, matchContext)
        if result == PCRE2_ERROR_MATCHLIMIT || result == PCRE2_ERROR_DEPTHLIMIT || result == PCRE2_ERROR_HEAPLIMIT {
            // Counted as a non-match; the CLI warns once (``limitHits``) after the query.
            Self.limitHits.add(1, ordering: .relaxed)
        }
        return result >= 0
    }

    /// How many matches, process-wide, gave up at the match or depth limit and counted as
    /// non-matches: the CLI warns on stderr when this is not zero after a query.
    public static let limitHits = Atomic<Int>(0)

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

}

/// A pattern PCRE2 does not accept.
public struct RegexError: Error, Sendable {
    public var message: String
}

/// The match data of the calling thread, shared by every pattern it matches: a matcher only asks
/// whether a pattern matches, so one pair of offsets is enough for any pattern (PCRE2 returns 0,
/// still a match, when a pattern has more groups than the data holds). Created on a thread's
/// first match, freed when the thread exits.
enum MatchScratch {
    /// The thread-specific slot holding each thread's match data.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { data in
            if let data { pcre2_match_data_free_8(OpaquePointer(data)) }
        }
        precondition(created == 0, "cannot create a thread-specific key for PCRE2 match data")
        return key
    }()

    /// This thread's match data; nil only when memory for it cannot be had (matches then fail).
    @inline(__always)
    static func current() -> OpaquePointer? {
        if let data = pthread_getspecific(key) { return OpaquePointer(data) }
        guard let data = pcre2_match_data_create_8(1, nil) else { return nil }
        pthread_setspecific(key, UnsafeRawPointer(data))
        return data
    }
}
