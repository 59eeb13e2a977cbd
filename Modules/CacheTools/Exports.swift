@_exported import CachePolicies
