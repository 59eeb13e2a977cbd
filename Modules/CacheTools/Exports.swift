// Importing CacheTools is enough to use the CacheCore types its API is written in.
@_exported import CacheCore
