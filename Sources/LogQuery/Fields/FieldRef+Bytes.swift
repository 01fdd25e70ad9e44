import AuditCore
import SegmentStore

extension FieldRef {
    /// Calls `body` with the bytes of each value of this field in row `row`: one value for a
    /// normalized field or the source ("" when absent), each value for a path (none when absent).
    @inline(__always)
    public func forEachValue(in view: BlockView, _ row: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        switch self {
        case .field(let f):
            view.withField(row, f, body)
        case .source, .time:
            var text = value(in: view, row)
            text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .path(let p):
            view.withRaw(row) { raw in
                _ = p.anyValue(in: raw) { value in
                    body(value)
                    return false
                }
            }
        }
    }

    /// Calls `body` with the bytes of each value of this field in `event` (see the block form).
    public func forEachValue(in event: AuditEvent, _ body: (UnsafeRawBufferPointer) -> Void) {
        switch self {
        case .field, .source, .time:
            var value = self.value(in: event)
            value.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .path(let p):
            event.raw.withUnsafeBytes { raw in
                _ = p.anyValue(in: raw) { value in
                    body(value)
                    return false
                }
            }
        }
    }
}
