/// What a store (or an engine's stores) can do: a set of ``CacheCapability`` names.
///
/// The set is open: a backend may add capabilities of its own. Written as an array
/// literal (`[.persistent, .multiProcess]`) and encoded as an array of names.
public struct CacheStoreCapabilities: SetAlgebra, Hashable, Sendable, Codable, CustomStringConvertible {
    public typealias Element = CacheCapability

    /// The capabilities, unordered.
    public private(set) var members: Set<CacheCapability>

    public init() { members = [] }
    public init(_ members: Set<CacheCapability>) { self.members = members }

    /// The capabilities named, e.g. `["persistent", "multi-process"]`. Every name is
    /// accepted: the set is open.
    public init(names: some Sequence<String>) { members = Set(names.map(CacheCapability.init(rawValue:))) }

    /// The names, family capabilities first in ``CacheCapability/builtIn`` order, then the rest sorted.
    public var names: [String] { sorted.map(\.rawValue) }

    /// The capabilities, family ones first in ``CacheCapability/builtIn`` order, then the rest by name.
    public var sorted: [CacheCapability] {
        CacheCapability.builtIn.filter(members.contains) + members.subtracting(CacheCapability.builtIn).sorted()
    }

    /// The names, e.g. `[persistent, multi-process]`.
    public var description: String { "[" + names.joined(separator: ", ") + "]" }

    public init(from decoder: any Decoder) throws {
        self.init(names: try decoder.singleValueContainer().decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(names)
    }

    // MARK: One-capability sets (the spelling of the option set this type replaced)

    /// `[.perEntryTTL]`.
    public static let perEntryTTL: CacheStoreCapabilities = [.perEntryTTL]
    /// `[.persistent]`.
    public static let persistent: CacheStoreCapabilities = [.persistent]
    /// `[.multiProcess]`.
    public static let multiProcess: CacheStoreCapabilities = [.multiProcess]
    /// `[.distributed]`.
    public static let distributed: CacheStoreCapabilities = [.distributed]
    /// `[.weighted]`.
    public static let weighted: CacheStoreCapabilities = [.weighted]

    // MARK: SetAlgebra

    public func contains(_ member: CacheCapability) -> Bool { members.contains(member) }
    public func union(_ other: Self) -> Self { Self(members.union(other.members)) }
    public func intersection(_ other: Self) -> Self { Self(members.intersection(other.members)) }
    public func symmetricDifference(_ other: Self) -> Self { Self(members.symmetricDifference(other.members)) }
    public func isSuperset(of other: Self) -> Bool { members.isSuperset(of: other.members) }
    public func subtracting(_ other: Self) -> Self { Self(members.subtracting(other.members)) }
    public var isEmpty: Bool { members.isEmpty }

    @discardableResult
    public mutating func insert(_ newMember: CacheCapability) -> (inserted: Bool, memberAfterInsert: CacheCapability) {
        members.insert(newMember)
    }

    @discardableResult
    public mutating func remove(_ member: CacheCapability) -> CacheCapability? { members.remove(member) }

    @discardableResult
    public mutating func update(with newMember: CacheCapability) -> CacheCapability? { members.update(with: newMember) }

    public mutating func formUnion(_ other: Self) { members.formUnion(other.members) }
    public mutating func formIntersection(_ other: Self) { members.formIntersection(other.members) }
    public mutating func formSymmetricDifference(_ other: Self) { members.formSymmetricDifference(other.members) }
}
