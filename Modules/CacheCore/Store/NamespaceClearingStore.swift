/// A store whose keys carry a namespace and that can drop one namespace's entries.
public protocol NamespaceClearingStore: AsyncCacheStore {
    /// Removes every entry under `namespace`; returns how many were removed.
    @discardableResult
    func removeAll(inNamespace namespace: String) async throws -> Int
}
