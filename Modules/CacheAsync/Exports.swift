// CacheAsync's stores are used through CacheCore's `AsyncCache` and `AsyncMemoized`
// (which lived here before): `import CacheAsync` brings them along.
@_exported import CacheCore
