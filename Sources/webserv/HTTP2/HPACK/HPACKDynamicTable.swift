/// The dynamic table (RFC 7541 §2.3.2, §4): entries newest first, evicted
/// oldest first when an insertion or a smaller maximum needs the room. A ring
/// of entries, so neither insertion nor eviction moves the others; an entry's
/// arrays are shared with the fields decoded from it (copy on write), so
/// naming it again copies no bytes.
struct HPACKDynamicTable {
    /// The sum of the entries' sizes (name + value + 32 each, §4.1).
    private(set) var size = 0
    private(set) var maxSize: Int
    private(set) var count = 0
    /// A power of two long (or empty), `newest` the slot of index 0.
    private var ring: [HPACKHeaderField] = []
    private var newest = 0

    init(maxSize: Int) {
        self.maxSize = max(0, maxSize)
    }

    /// The entry at `index`, 0 the newest (HPACK's index 62 is 0 here).
    /// The caller checks `index < count`.
    subscript(index: Int) -> HPACKHeaderField {
        ring[(newest - index) & (ring.count - 1)]
    }

    /// Adds `field` as the newest entry, evicting the oldest until it fits;
    /// a field larger than the table empties it and is not added (§4.4).
    mutating func insert(_ field: HPACKHeaderField) {
        let fieldSize = field.size
        guard fieldSize <= maxSize else {
            evict(toFit: 0)
            return
        }
        evict(toFit: maxSize - fieldSize)
        if count == ring.count { grow() }
        newest = (newest + 1) & (ring.count - 1)
        ring[newest] = HPACKHeaderField(name: field.name, value: field.value)
        count += 1
        size += fieldSize
    }

    /// A new maximum (a size update, §4.3, §6.3), evicting what no longer fits.
    mutating func setMaxSize(_ newMax: Int) {
        maxSize = max(0, newMax)
        evict(toFit: maxSize)
    }

    /// The newest entry equal to `field` in name and value, and the newest
    /// with its name; indices as the subscript's.
    func match(_ field: HPACKHeaderField) -> (full: Int?, name: Int?) {
        var nameMatch: Int?
        var index = 0
        while index < count {
            let entry = self[index]
            if entry.name == field.name {
                if entry.value == field.value { return (index, nameMatch ?? index) }
                if nameMatch == nil { nameMatch = index }
            }
            index += 1
        }
        return (nil, nameMatch)
    }

    private mutating func evict(toFit limit: Int) {
        while size > limit, count > 0 {
            let oldest = (newest - count + 1) & (ring.count - 1)
            size -= ring[oldest].size
            // Release the entry's bytes now rather than when the slot is reused.
            ring[oldest] = HPACKHeaderField(name: [], value: [])
            count -= 1
        }
    }

    /// Doubles the ring, the entries oldest first from slot 0.
    private mutating func grow() {
        var larger = [HPACKHeaderField](repeating: HPACKHeaderField(name: [], value: []), count: max(16, ring.count * 2))
        var slot = 0
        var index = count - 1
        while index >= 0 {
            larger[slot] = self[index]
            slot += 1
            index -= 1
        }
        ring = larger
        // -1 when empty: the next insertion goes to slot 0.
        newest = count - 1
    }
}
