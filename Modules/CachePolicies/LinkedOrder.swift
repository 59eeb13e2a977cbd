/// The head and tail of an intrusive doubly linked list whose links live in a
/// ``SlotTable``'s `Int32` link buffers. `head` is the oldest end.
@usableFromInline
package struct LinkedOrder: Sendable {
    @usableFromInline package var head: Int32 = noSlot
    @usableFromInline package var tail: Int32 = noSlot

    @inlinable package init() {}

    @inlinable
    package var isEmpty: Bool { head < 0 }

    /// Links `s` at the tail. - Complexity: O(1).
    @inlinable
    package mutating func append(_ s: Int32, _ prev: UnsafeMutablePointer<Int32>, _ next: UnsafeMutablePointer<Int32>) {
        let i = Int(s)
        prev[i] = tail
        next[i] = noSlot
        if tail >= 0 { next[Int(tail)] = s } else { head = s }
        tail = s
    }

    /// Unlinks `s`. - Complexity: O(1).
    @inlinable
    package mutating func remove(_ s: Int32, _ prev: UnsafeMutablePointer<Int32>, _ next: UnsafeMutablePointer<Int32>) {
        let i = Int(s)
        let p = prev[i]
        let n = next[i]
        if p >= 0 { next[Int(p)] = n } else { head = n }
        if n >= 0 { prev[Int(n)] = p } else { tail = p }
    }

    /// Moves `s` to the tail. - Complexity: O(1).
    @inlinable
    package mutating func moveToTail(_ s: Int32, _ prev: UnsafeMutablePointer<Int32>, _ next: UnsafeMutablePointer<Int32>) {
        if s == tail { return }
        remove(s, prev, next)
        append(s, prev, next)
    }

    /// The slots from head to tail. - Complexity: O(n).
    @usableFromInline
    package func slots(_ next: UnsafeMutablePointer<Int32>) -> [Int32] {
        var out: [Int32] = []
        var s = head
        while s >= 0 {
            out.append(s)
            s = next[Int(s)]
        }
        return out
    }
}
