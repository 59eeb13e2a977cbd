/// Hides the credentials of URLs in text meant for people (descriptions, errors, logs,
/// `explain`): `redis://alice:s3cret@host` and `redis://s3cret@host` (a password alone)
/// both become `redis://***@host` — an ACL user name is kept private too.
package enum CredentialRedaction {
    /// `text` with the user and password of every `scheme://user:password@` replaced by `***`.
    /// - Complexity: O(text length).
    package static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let separator = Array("://".utf8)
        guard bytes.count > separator.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            guard i + 3 <= bytes.count, bytes[i] == separator[0], Array(bytes[i..<(i + 3)]) == separator else {
                i += 1
                continue
            }
            out.append(contentsOf: separator.dropFirst())
            i += 3
            // The authority ends at the first '/', '?', '#', quote or whitespace; its
            // credentials end at the last '@' in it.
            var end = i
            while end < bytes.count, !"/?# \t\n'\"".utf8.contains(bytes[end]) { end += 1 }
            if let at = bytes[i..<end].lastIndex(of: UInt8(ascii: "@")) {
                out.append(contentsOf: "***".utf8)
                i = at
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
