import AuditCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        var templates = TemplateTable()
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
            // The same template bytes always hold the same key paths, so the same columns.
            let number = templates.number(of: scanner.template) { scanner.slots.map { columnOfPath[Int($0.path)] } }
            eventTemplates.append(number + 1)
        }

        var w = ByteWriter(capacity: input.count / 2)
        w.u8(ShredFormat.version)
        w.varint(UInt64(lengths.count))
        w.varint(UInt64(input.count))
        w.varint(UInt64(templates.templates.count))
        for template in templates.templates {
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

/// The distinct templates of a block, numbered in order of first appearance, found by their
/// bytes through an open-addressing table over each template's ``Hash64``: a template is hashed
/// once whether the block has seen it or not (a `Dictionary` keyed by the bytes hashed a new
/// template twice, lookup then insert, and ran SipHash over that hash each time).
private struct TemplateTable {
    /// The templates by number: their bytes and the column of each of their slots.
    private(set) var templates: [(bytes: [UInt8], columns: [Int32])] = []
    /// Per table slot: the template number (−1: empty) and that template's hash.
    private var numbers: [Int32] = Array(repeating: -1, count: 64)
    private var hashes: [UInt64] = Array(repeating: 0, count: 64)

    /// The number of `template`, adding it with the slot columns `columns()` when it is new.
    mutating func number(of template: [UInt8], columns: () -> [Int32]) -> Int {
        let hash = Hash64.hash(template)
        let mask = numbers.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        while numbers[slot] >= 0 {
            let number = Int(numbers[slot])
            if hashes[slot] == hash && Self.equal(templates[number].bytes, template) { return number }
            slot = (slot + 1) & mask
        }
        let number = templates.count
        templates.append((template, columns()))
        numbers[slot] = Int32(number)
        hashes[slot] = hash
        if templates.count * 2 > numbers.count { grow() }
        return number
    }

    /// Doubles the table, keeping at most half of it used.
    private mutating func grow() {
        let (oldNumbers, oldHashes) = (numbers, hashes)
        numbers = Array(repeating: -1, count: oldNumbers.count * 2)
        hashes = Array(repeating: 0, count: oldNumbers.count * 2)
        let mask = numbers.count - 1
        for k in oldNumbers.indices where oldNumbers[k] >= 0 {
            let hash = oldHashes[k]
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
            while numbers[slot] >= 0 { slot = (slot + 1) & mask }
            numbers[slot] = oldNumbers[k]
            hashes[slot] = hash
        }
    }

    /// Whether two templates hold the same bytes (one `memcmp`, not a loop over elements).
    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
        }
    }
}
