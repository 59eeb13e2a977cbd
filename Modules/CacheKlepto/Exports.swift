// A user who imports CacheKlepto can memoize over it without importing CacheCore too.
@_exported import CacheCore
