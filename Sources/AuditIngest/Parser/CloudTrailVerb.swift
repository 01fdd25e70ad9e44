/// Maps a CloudTrail `eventName` to the unified `verb` (FORMATS.md §1.6): by its leading
/// CamelCase word, with `readOnly` as the authority for read vs write.
public enum CloudTrailVerb {
    static let create: Set<String> = ["Create", "Run", "Launch", "Allocate", "Register", "Import", "Add", "Attach", "Associate"]
    static let get: Set<String> = ["Get", "Describe", "Lookup", "Head", "BatchGet", "Check", "View", "Download", "Generate", "Decrypt", "Assume"]
    static let list: Set<String> = ["List", "Search", "Query", "Scan", "Select"]
    static let update: Set<String> = [
        "Update", "Modify", "Set", "Change", "Replace", "Reset", "Edit", "Enable", "Disable", "Start", "Stop", "Reboot",
        "Tag", "Untag", "Put", "Upload", "Copy", "Restore", "Apply", "Rotate",
    ]
    static let delete: Set<String> = [
        "Delete", "Remove", "Terminate", "Detach", "Disassociate", "Deregister", "Revoke", "Release", "Purge", "Cancel",
        "BatchDelete",
    ]

    /// The unified verb of `eventName`; `readOnly` nil when the record lacks it.
    public static func verb(eventName: String, readOnly: Bool?) -> String {
        let word = leadingWord(eventName)
        let guess: String? =
            if create.contains(word) { "create" }
            else if delete.contains(word) { "delete" }
            else if update.contains(word) { "update" }
            else if list.contains(word) { "list" }
            else if get.contains(word) { "get" }
            else { nil }
        switch readOnly {
        case true:
            // A read says so: keep list vs get, never a write verb.
            return guess == "list" ? "list" : "get"
        case false:
            if let guess, guess != "get", guess != "list" { return guess }
            return "other"
        case nil:
            return guess ?? "other"
        }
    }

    /// `DeleteBucket` → `Delete`, `BatchGetItem` → `BatchGet`, `BatchDeleteImage` → `BatchDelete`.
    static func leadingWord(_ name: String) -> String {
        var scalars = name.unicodeScalars.makeIterator()
        var word = ""
        var first = true
        while let s = scalars.next() {
            if !first, s.properties.isUppercase {
                if word == "Batch" {
                    word.unicodeScalars.append(s)
                    first = true
                    continue
                }
                break
            }
            first = false
            word.unicodeScalars.append(s)
        }
        return word
    }
}
