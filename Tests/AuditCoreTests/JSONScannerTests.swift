import AuditCore
import Testing
import TestSupport

/// Runs `body` over the UTF-8 bytes of `text`, turning a thrown error into a `Result`.
private func scan<R>(
    _ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> R
) -> Result<R, JSONSyntaxError> {
    scan(Array(text.utf8), body)
}

private func scan<R>(
    _ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> R
) -> Result<R, JSONSyntaxError> {
    bytes.withUnsafeBufferPointer { buffer in
        do throws(JSONSyntaxError) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
}

/// Offsets below were counted by hand (and cross-checked with Python's `str.index`).
@Suite("JSONScanner")
struct JSONScannerTests {
    // MARK: skipValue

    @Test(
        "skipValue returns the index just past one value",
        arguments: [
            // {"a":[1,2,{"b":null}],"c":"d\"}"} is 33 bytes; " tail" follows
            (#"{"a":[1,2,{"b":null}],"c":"d\"}"} tail"#, 0, 33),
            ("  [ ]  ", 0, 5),
            ("[[[]],[{}]]", 0, 11),
            ("true,", 0, 4),
            ("false", 0, 5),
            ("null ", 0, 4),
            ("-12.5e+3,", 0, 8),
            ("0", 0, 1),
            (#""a\\b\"c""#, 0, 9),
            (#"[1,"x"]"#, 3, 6),  // starting inside a buffer
            ("{ }", 0, 3),
            (#"{"k":{"k":{"k":[true,false,null]}}}"#, 0, 35),
        ] as [(String, Int, Int)])
    func skipsValues(text: String, start: Int, end: Int) {
        #expect(scan(text) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, start) } == .success(end))
    }

    // MARK: walkObject / walkArray

    @Test("walkObject reports each member's key (with quotes) and value ranges")
    func walksObject() throws {
        //         0         1         2
        //         0123456789012345678901234567890
        let text = #" { "k" : "v" , "n" : [1, 2] } "#
        var members: [(Range<Int>, Range<Int>)] = []
        let end = scan(text) { b throws(JSONSyntaxError) in
            try JSONScanner.walkObject(b, 0) { key, value in members.append((key, value)) }
        }
        #expect(end == .success(29))
        try #require(members.count == 2)
        #expect(members[0].0 == 3..<6)
        #expect(members[0].1 == 9..<12)
        #expect(members[1].0 == 15..<18)
        #expect(members[1].1 == 21..<27)
    }

    @Test("walkObject of an empty object calls nothing")
    func walksEmptyObject() {
        var calls = 0
        let end = scan(" {  } x") { b throws(JSONSyntaxError) in
            try JSONScanner.walkObject(b, 0) { _, _ in calls += 1 }
        }
        #expect(end == .success(5))
        #expect(calls == 0)
    }

    @Test("walkArray reports each element's range")
    func walksArray() {
        // 0123456789012345
        // [ 1 , "a" , [] ]
        var elements: [Range<Int>] = []
        let end = scan(#"[ 1 , "a" , [] ]"#) { b throws(JSONSyntaxError) in
            try JSONScanner.walkArray(b, 0) { elements.append($0) }
        }
        #expect(end == .success(16))
        #expect(elements == [2..<3, 6..<9, 12..<14])
    }

    @Test("keyEquals compares a quoted key with a name")
    func keyEquals() {
        let bytes = Array(#"{"verb":1,"verbs":2}"#.utf8)
        bytes.withUnsafeBufferPointer { b in
            #expect(JSONScanner.keyEquals(b, 1..<7, "verb"))
            #expect(!JSONScanner.keyEquals(b, 1..<7, "verbs"))
            #expect(!JSONScanner.keyEquals(b, 1..<7, "vert"))
            #expect(JSONScanner.keyEquals(b, 10..<17, "verbs"))
            #expect(!JSONScanner.keyEquals(b, 10..<17, "verb"))
        }
    }

    // MARK: strings

    @Test(
        "string decodes escapes, \\u escapes and surrogate pairs",
        arguments: [
            (#""plain é""#, "plain é"),
            (#""caf\u00e9""#, "café"),
            (#""caf\u00E9""#, "café"),
            (#""\ud83d\ude42""#, "🙂"),
            (#""x\ud83d\ude42y""#, "x🙂y"),
            (#""a\nb\tc\rd\be\ff\"g\\h\/i""#, "a\nb\tc\rd\u{8}e\u{C}f\"g\\h/i"),
            (#""\u0041\u00df\u6f22""#, "Aß漢"),
            // invalid escapes become U+FFFD
            (#""\ud83d""#, "\u{FFFD}"),
            (#""\ude42""#, "\u{FFFD}"),
            (#""\ud83dx""#, "\u{FFFD}x"),
            (#""\ud83d\u0041""#, "\u{FFFD}A"),
            ("\"\"", ""),
        ])
    func decodesStrings(json: String, decoded: String) {
        let bytes = Array(json.utf8)
        let value = bytes.withUnsafeBufferPointer { JSONScanner.string($0, 0..<bytes.count) }
        #expect(value == decoded)
    }

    @Test("string is nil for a value that is not a string")
    func stringOfNonString() {
        for text in ["123", "true", "{}", "\""] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { JSONScanner.string($0, 0..<bytes.count) } == nil, "\(text)")
        }
    }

    @Test("scalarText decodes strings, keeps numbers and literals as written, and is nil for containers and null")
    func scalarText() {
        let cases: [(String, String?)] = [
            (#""a\u00e9""#, "aé"), ("12.50", "12.50"), ("true", "true"), ("false", "false"),
            ("null", nil), ("{}", nil), ("[1]", nil),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { JSONScanner.scalarText($0, 0..<bytes.count) } == expected, "\(text)")
        }
    }

    @Test("firstElement and stringElements pick array members")
    func arrayHelpers() {
        let bytes = Array(#"["a\n",1,"b"] [ 7 ] [] "s""#.utf8)
        bytes.withUnsafeBufferPointer { b in
            #expect(JSONScanner.firstElement(b, 0..<13) == 1..<6)
            #expect(JSONScanner.firstElement(b, 14..<19) == 16..<17)
            #expect(JSONScanner.firstElement(b, 20..<22) == nil)
            #expect(JSONScanner.firstElement(b, 23..<26) == 23..<26)
            #expect(JSONScanner.stringElements(b, 0..<13) == ["a\n", "b"])
            #expect(JSONScanner.stringElements(b, 20..<22) == [])
            #expect(JSONScanner.stringElements(b, 23..<26) == ["s"])
            #expect(JSONScanner.isString(b, 23..<26))
            #expect(!JSONScanner.isString(b, 14..<19))
        }
    }

    // MARK: errors

    @Test(
        "errors carry the byte offset, what was expected and what was found",
        arguments: [
            (#"{"a":1"#, 6, "',' or '}'", "end of input"),  // truncated
            (#"{"a":"#, 5, "a value", "end of input"),
            (#""abc"#, 4, "'\"' to close the string", "end of input"),
            ("{\"a\":\"x\ny\"}", 7, "'\"' to close the string", "end of line"),  // raw newline in a string
            (#"{"a" 1}"#, 5, "':' after a key", "'1'"),  // missing colon
            (#"{"a":1,}"#, 7, "a string key", "'}'"),  // trailing comma
            ("[1,]", 3, "a value", "']'"),  // trailing comma
            ("[1 2]", 3, "',' or ']'", "'2'"),
            (#"{"a":1]"#, 6, "',' or '}'", "']'"),
            ("{a:1}", 1, "a string key", "'a'"),
            ("tru", 3, "'true'", "end of input"),
            ("nul!", 3, "'null'", "'!'"),
            ("\"a\u{01}\"", 2, "'\"' to close the string", "byte 0x1"),
            ("", 0, "a value", "end of input"),
            ("   ", 3, "a value", "end of input"),
            ("é", 0, "a value", "byte 0xc3"),
            ("}", 0, "a value", "'}'"),
        ] as [(String, Int, String, String)])
    func reportsErrors(text: String, offset: Int, expected: String, found: String) {
        let result = scan(text) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
        #expect(result == .failure(JSONSyntaxError(offset: offset, expected: expected, found: found)))
    }

    @Test("an error reads as 'expected …, found …'")
    func errorDescription() {
        let result = scan(#"{"a":1"#) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.description == "expected ',' or '}', found end of input")
    }

    @Test("walkObject and walkArray reject the wrong opening byte")
    func wrongContainer() {
        #expect(
            scan("[1]") { b throws(JSONSyntaxError) in try JSONScanner.walkObject(b, 0) { _, _ in } }
                == .failure(JSONSyntaxError(offset: 0, expected: "'{'", found: "'['")))
        #expect(
            scan(" {}") { b throws(JSONSyntaxError) in try JSONScanner.walkArray(b, 0) { _ in } }
                == .failure(JSONSyntaxError(offset: 1, expected: "'['", found: "'{'")))
    }

    @Test("an error thrown by the member callback propagates unchanged")
    func callbackErrors() {
        let mine = JSONSyntaxError(offset: 99, expected: "mine", found: "test")
        let result = scan(#"{"a":1,"b":2}"#) { b throws(JSONSyntaxError) in
            try JSONScanner.walkObject(b, 0) { key, _ throws(JSONSyntaxError) in
                if JSONScanner.keyEquals(b, key, "b") { throw mine }
            }
        }
        #expect(result == .failure(mine))
    }

    // MARK: depth

    @Test("512 levels of nesting are accepted; the 513th is rejected at its offset")
    func nestingLimit() {
        #expect(JSONScanner.maxDepth == 512)
        let arrays512 = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(scan(arrays512) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) } == .success(1_024))

        let arrays513 = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(
            scan(arrays513) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
                == .failure(JSONSyntaxError(offset: 512, expected: "nesting of at most 512 levels", found: "'['")))

        // {"a":{"a":…1…}}: the k-th '{' is at 5k.
        let objects512 = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        #expect(scan(objects512) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) } == .success(3_073))
        let objects513 = String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(
            scan(objects513) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
                == .failure(JSONSyntaxError(offset: 2_560, expected: "nesting of at most 512 levels", found: "'{'")))
    }

    @Test("very deep nesting throws instead of overflowing the stack")
    func veryDeepNesting() {
        let deep = String(repeating: "[", count: 200_000)
        #expect(
            scan(deep) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
                == .failure(JSONSyntaxError(offset: 512, expected: "nesting of at most 512 levels", found: "'['")))
        let mixed = String(repeating: #"[{"k":"#, count: 100_000)
        let result = scan(mixed) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) }
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        // Levels alternate '[' (even depth) and '{' (odd depth); depth 512 is the 257th '['.
        #expect(error.offset == 256 * 6)
        #expect(error.expected == "nesting of at most 512 levels")
    }

    // MARK: fuzz

    @Test("2,000 seeded random byte strings never trap, and successes end inside the buffer")
    func fuzzRandomBytes() {
        var rng = SeededGenerator(seed: 0xF022)
        let jsonish = Array(#"{}[]",:\ -+.eE0123456789tfnrulase"#.utf8) + [0x0A, 0x00, 0xC3, 0xA9, 0xFF]
        var bad: [String] = []
        for round in 0..<2_000 {
            let length = Int.random(in: 0..<80, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &rng) ? jsonish.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            bytes.withUnsafeBufferPointer { b in
                for start in [0, length / 2] {
                    do throws(JSONSyntaxError) {
                        let end = try JSONScanner.skipValue(b, start)
                        if !(end > start && end <= b.count) { bad.append("round \(round): end \(end) of \(b.count)") }
                        // Helpers over the value found must not trap either.
                        _ = JSONScanner.scalarText(b, JSONScanner.skipWhitespace(b, start)..<end)
                        _ = JSONScanner.stringElements(b, JSONScanner.skipWhitespace(b, start)..<end)
                    } catch {
                        if error.offset < start || error.offset > b.count { bad.append("round \(round): offset \(error.offset)") }
                    }
                }
                _ = try? JSONScanner.walkObject(b, 0) { key, value in
                    _ = JSONScanner.string(b, key)
                    _ = JSONScanner.scalarText(b, value)
                }
                _ = try? JSONScanner.walkArray(b, 0) { _ = JSONScanner.firstElement(b, $0) }
                _ = JSONScanner.string(b, 0..<b.count)
            }
        }
        #expect(bad.isEmpty, "\(bad.prefix(5))")
    }

    @Test("2,000 seeded mutations of a valid event never trap")
    func fuzzMutations() {
        let valid = Array(EventBuilder.k8sLine(
            auditID: "a-1", verb: "get", user: "alice", resource: "pods", namespace: "default", name: "web",
            time: "2026-11-24T12:00:00.000000Z"
        ).utf8)
        // The original is one valid value spanning the whole line.
        #expect(scan(valid) { b throws(JSONSyntaxError) in try JSONScanner.skipValue(b, 0) } == .success(valid.count))
        var rng = SeededGenerator(seed: 7)
        var bad: [Int] = []
        for round in 0..<2_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: at)
                default: bytes.removeSubrange(at...)
                }
                if bytes.isEmpty { break }
            }
            bytes.withUnsafeBufferPointer { b in
                do throws(JSONSyntaxError) {
                    let end = try JSONScanner.skipValue(b, 0)
                    if end > b.count { bad.append(round) }
                } catch {
                    if error.offset > b.count { bad.append(round) }
                }
            }
        }
        #expect(bad.isEmpty, "\(bad.prefix(5))")
    }
}

@Suite("JSONScanner.plainRun")
struct PlainRunTests {
    @Test("finds the first quote, backslash or control byte at every position and alignment, like a byte loop")
    func matchesByteLoop() {
        var rng = SeededGenerator(seed: 0x5A11)
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x0A, 0x1F]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF, 0x61, 0x30]
        var bad: [String] = []
        for round in 0..<3_000 {
            let length = Int.random(in: 0..<40, using: &rng)
            var bytes = (0..<length).map { _ in plain.randomElement(using: &rng)! }
            if length > 0, Bool.random(using: &rng) {
                bytes[Int.random(in: 0..<length, using: &rng)] = specials.randomElement(using: &rng)!
            }
            let from = Int.random(in: 0...length, using: &rng)
            var expected = from
            while expected < length, !specials.contains(bytes[expected]) { expected += 1 }
            let found = bytes.withUnsafeBytes { JSONScanner.plainRun($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, from: from, to: length) }
            if found != expected { bad.append("round \(round): \(bytes) from \(from): \(found), expected \(expected)") }
        }
        #expect(bad.isEmpty, "\(bad.prefix(3))")
        // Past the end: the end.
        let bytes: [UInt8] = Array("abcdefghij".utf8)
        #expect(bytes.withUnsafeBytes { JSONScanner.plainRun($0.baseAddress!, from: 12, to: 10) } == 10)
    }

    @Test("skipString ends at the right quote for escapes and quotes on both sides of every 8-byte boundary")
    func skipStringBoundaries() {
        for prefix in 0..<20 {
            for tail in [#"\""#, #"\\"#, "é", "\\u00e9"] {
                let body = String(repeating: "x", count: prefix) + tail + "y"
                let text = "\"" + body + "\"" + ",1"
                let bytes = Array(text.utf8)
                let end = scan(bytes) { b throws(JSONSyntaxError) in try JSONScanner.skipString(b, 0) }
                #expect(end == .success(bytes.count - 2), "\(text)")
            }
            // A raw newline inside is an error at its offset.
            let broken = Array(("\"" + String(repeating: "x", count: prefix) + "\n\"").utf8)
            let result = scan(broken) { b throws(JSONSyntaxError) in try JSONScanner.skipString(b, 0) }
            if case .failure(let error) = result {
                #expect(error.offset == prefix + 1)
            } else {
                Issue.record("a raw newline after \(prefix) bytes was accepted")
            }
        }
    }
}
