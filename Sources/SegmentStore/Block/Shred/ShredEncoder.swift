import AuditCore
/// Encodes the original bytes of a block's events into the shredded stream of ``ShredFormat``.
enum ShredEncoder {
    /// Shreds the events laid end to end in `input`, `lengths[k]` bytes each, in order. `fields`
    /// are the block's field columns by field raw value (row k = event k): values that repeat
    /// them are stored as references (none given: nothing is).
    static func encode(_ input: UnsafeRawBufferPointer, lengths: [Int], fields: [FieldColumn] = []) -> [UInt8] {
        encodeCounting(input, lengths: lengths, fields: fields).stream
    }

    /// ``encode(_:lengths:fields:)``, also telling how many events were stored verbatim (not strict JSON).
    static func encodeCounting(
        _ input: UnsafeRawBufferPointer, lengths: [Int], fields: [FieldColumn] = []
    ) -> (stream: [UInt8], verbatim: Int) {
        var scanner = ShredScanner()
        var templateNumbers: [TemplateKey: Int] = [:]
        var templates: [(bytes: [UInt8], columns: [Int32])] = []
        var eventTemplates: [Int] = []  // per event: template number + 1, 0 = verbatim
        eventTemplates.reserveCapacity(lengths.count)
        var verbatim: [ShredValue] = []
        var columnOfPath: [Int32] = []  // path id → column number, −1 while it has no value
        var columns: [[ShredValue]] = []

        var offset = 0
        for (event, length) in lengths.enumerated() {
            defer { offset += length }
            guard length <= ShredFormat.maxEventBytes, scanner.scan(input, start: offset, count: length) else {
                eventTemplates.append(0)
                verbatim.append(ShredValue(start: UInt32(offset), length: UInt32(length), event: UInt32(event)))
                continue
            }
            if columnOfPath.count < Int(scanner.pathCount) {
                columnOfPath.append(contentsOf: repeatElement(-1, count: Int(scanner.pathCount) - columnOfPath.count))
            }
            for slot in scanner.slots {
                var column = columnOfPath[Int(slot.path)]
                if column < 0 {
                    column = Int32(columns.count)
                    columnOfPath[Int(slot.path)] = column
                    columns.append([])
                }
                columns[Int(column)].append(ShredValue(start: UInt32(slot.start), length: UInt32(slot.length), event: UInt32(event)))
            }
            if let number = templateNumbers[TemplateKey(bytes: scanner.template)] {
                eventTemplates.append(number + 1)
            } else {
                // The same template bytes always hold the same key paths, so the same columns.
                let number = templates.count
                templateNumbers[TemplateKey(bytes: scanner.template)] = number
                templates.append((scanner.template, scanner.slots.map { columnOfPath[Int($0.path)] }))
                eventTemplates.append(number + 1)
            }
        }

        var w = ByteWriter(capacity: input.count / 2)
        w.u8(ShredFormat.version)
        w.varint(UInt64(lengths.count))
        w.varint(UInt64(input.count))
        w.varint(UInt64(templates.count))
        for template in templates {
            w.lengthPrefixed(template.bytes)
            for column in template.columns { w.varint(UInt64(column)) }
        }
        for number in eventTemplates { w.varint(UInt64(number)) }
        for v in verbatim {
            w.varint(UInt64(v.length))
            w.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[Int(v.start)..<Int(v.start + v.length)]))
        }
        w.varint(UInt64(columns.count))
        for values in columns {
            let (kind, payload) = ShredColumnEncoder.encode(values, in: input, fields: fields)
            w.u8(kind.rawValue)
            w.varint(UInt64(values.count))
            w.lengthPrefixed(payload)
        }
        return (w.bytes, verbatim.count)
    }
}

/// A template as a dictionary key, hashed in one pass over its bytes (an array of bytes as a key
/// would be hashed byte by byte: a fifth of the ingest's CPU time when measured).
private struct TemplateKey: Hashable {
    let bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        // Hash64 (wyhash-like, 8 bytes a step) first: SipHash over each ~600-byte template cost
        // 4% of an ingest.
        hasher.combine(Hash64.hash(bytes))
    }

    static func == (a: TemplateKey, b: TemplateKey) -> Bool { a.bytes == b.bytes }
}
