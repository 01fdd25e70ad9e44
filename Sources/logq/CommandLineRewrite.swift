/// What the `@main` entry does with argv before ArgumentParser sees it.
///
/// ArgumentParser reads options that come before a subcommand as the default subcommand's
/// (`query`), so `logq --data D ingest FILE` ran a query for "ingest". Global options are
/// moved after the subcommand, as `git -C` and `kubectl -n` allow them anywhere.
enum CommandLineRewrite {
    /// The subcommand names (and ArgumentParser's `help`, and our `version`).
    static let commandNames = [
        "query", "ingest", "rejects", "serve", "stats", "metrics", "verify", "retention", "compact", "help", "version",
        "segments",
    ]

    /// What to do with the arguments (without the program name).
    enum Action: Equatable {
        /// Hand these arguments to ArgumentParser.
        case parse([String])
        /// Print the version and exit 0.
        case version
        /// Print this message on stderr and exit 2.
        case fail(String)
    }

    static func action(for arguments: [String]) -> Action {
        var globals: [String] = []
        var rest = arguments[...]
        // Leading global options: --data DIR or --data=DIR.
        while let first = rest.first {
            if first == "--data", rest.count >= 2 {
                globals += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--data=") {
                globals.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard let word = rest.first else { return .parse(globals) }
        if word == "--version" || word == "version" { return .version }
        if commandNames.contains(word) {
            // help's own arguments name subcommands; it takes no --data.
            if word == "help" { return .parse(Array(rest)) }
            return .parse([word] + globals + rest.dropFirst())
        }
        if let hint = misspelledCommand(word) {
            return .fail(
                "logq: unknown command '\(word)' (did you mean '\(hint)'?); to search for the word, quote it: logq '\"\(word)\"'")
        }
        return .parse(globals + rest)
    }

    /// The subcommand `word` looks like a misspelling of: a plain word (letters only, so no
    /// field term, quote or option) within edit distance 2 of a command name.
    static func misspelledCommand(_ word: String) -> String? {
        guard word.count >= 4, word.allSatisfy({ $0.isLetter && $0.isASCII }) else { return nil }
        let lower = word.lowercased()
        var best: (name: String, distance: Int)?
        for name in commandNames {
            let distance = editDistance(lower, name)
            if distance <= 2, distance < name.count / 2 + 1, distance < (best?.distance ?? .max) {
                best = (name, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
