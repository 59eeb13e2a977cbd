// A user who imports CacheBox can memoize over it without importing CacheCore too.
@_exported import CacheCore
