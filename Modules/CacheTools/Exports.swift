// Importing CacheTools is enough to use the CacheCore types and the policy states its API is written in.
@_exported import CacheCore
@_exported import CachePolicies
