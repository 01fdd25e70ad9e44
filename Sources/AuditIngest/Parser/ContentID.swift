import AuditCore

/// The `id` of events whose source gives none (klog and authenticator lines, performance
/// events): a hash of their bytes. Dedupe keys on (source, id, stage) and content, so the same
/// line ingested twice is a duplicate, and two different lines are never an "ID conflict".
enum ContentID {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 16 hex digits of ``Hash64`` over `raw`.
    static func of(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var hasher = Hash64()
        hasher.combine(bytes: UnsafeRawBufferPointer(raw))
        var value = hasher.finalize()
        var out = [UInt8](repeating: 0, count: 16)
        for k in stride(from: 15, through: 0, by: -1) {
            out[k] = digits[Int(value & 0xF)]
            value >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }
}
