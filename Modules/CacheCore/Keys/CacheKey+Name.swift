extension CacheKey {
    /// Checks a persistent function name before anything is created with it.
    ///
    /// Refused: an empty name, one of only white space, one with leading or trailing white
    /// space or control characters (invisible in logs and listings), and one containing `@`,
    /// which separates the version: `"f@1"` would share its keys with `"f"` at version `"1"`,
    /// and one containing `/`, which separates a store's namespace from a key's
    /// (``scoped(in:)``): the name `"a/b"` would share its keys with function `"b"` in a
    /// store whose namespace is `"a"`.
    /// - Throws: ``CacheConfigurationError`` (`setting: "name"`) saying which rule.
    public static func validateName(_ name: String) throws(CacheConfigurationError) {
        func refuse(_ reason: String) -> CacheConfigurationError {
            CacheConfigurationError(setting: "name", value: "'\(name)'", reason: reason)
        }
        if name.isEmpty { throw refuse("a persistent memoized function needs a stable, non-empty name") }
        if name.unicodeScalars.allSatisfy(\.properties.isWhitespace) { throw refuse("a name of only white space is not a name") }
        if name.unicodeScalars.first!.properties.isWhitespace || name.unicodeScalars.last!.properties.isWhitespace {
            throw refuse("leading or trailing white space would make two names look alike")
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw refuse("control characters are not allowed in a name")
        }
        if name.contains("@") { throw refuse("'@' separates the version (name@version); pass the version separately") }
        if name.contains("/") { throw refuse("'/' separates a store's namespace from a function's; use another character such as '.' or '-'") }
    }
}
