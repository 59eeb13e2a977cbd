/// Tabular data: named columns of equal length (their first dimension), each a shaped
/// array of any element type — a data frame's columns, stored as one `.npy` per column.
public struct ArrayTable: Sendable {
    public struct Column: Sendable {
        public let name: String
        public let values: AnyShapedArray
    }

    /// Columns in order.
    public let columns: [Column]
    /// The shared length of every column (0 for a table without columns).
    public let rowCount: Int

    /// A table of `columns`. Throws ``ArrayTableError`` for an empty or duplicate name,
    /// a 0-dimensional column, or columns of different lengths.
    public init(columns: [(name: String, values: AnyShapedArray)]) throws {
        var seen = Set<String>()
        var rows: Int? = nil
        for (name, values) in columns {
            guard !name.isEmpty else { throw ArrayTableError(column: name, reason: "column names must not be empty") }
            guard seen.insert(name).inserted else { throw ArrayTableError(column: name, reason: "duplicate column name") }
            guard let length = values.shape.first else {
                throw ArrayTableError(column: name, reason: "a column needs at least one dimension")
            }
            if let rows, rows != length {
                throw ArrayTableError(column: name, reason: "has \(length) rows, earlier columns have \(rows)")
            }
            rows = length
        }
        self.columns = columns.map { Column(name: $0.name, values: $0.values) }
        self.rowCount = rows ?? 0
    }

    /// A table of typed columns, e.g. `["price": prices, "volume": volumes]` in a fixed order.
    public init<each E: NumPyElement>(_ columns: repeat (String, ShapedArray<each E>)) throws {
        var list: [(name: String, values: AnyShapedArray)] = []
        for (name, values) in repeat each columns { list.append((name, AnyShapedArray(values))) }
        try self.init(columns: list)
    }

    public var columnNames: [String] { columns.map(\.name) }

    /// The column named `name`.
    public func column(_ name: String) -> AnyShapedArray? { columns.first { $0.name == name }?.values }

    /// The column named `name` typed as `Element` (no copy). Throws ``ArrayTableError`` when
    /// absent, ``NumPyFormatError`` when it holds another type.
    public func column<Element: NumPyElement>(_ name: String, as type: Element.Type) throws -> ShapedArray<Element> {
        guard let column = column(name) else { throw ArrayTableError(column: name, reason: "no such column (have \(columnNames))") }
        return try column.typed(as: type)
    }
}

/// A table whose columns do not fit together.
public struct ArrayTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var column: String
    public var reason: String
    public var description: String { "table column '\(column)': \(reason)" }
}
