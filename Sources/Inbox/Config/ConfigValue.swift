import TOMLKit

/// A parsed TOML value copied out of TOMLKit, whose classes wrap C++ nodes and are not Sendable.
indirect enum ConfigValue: Sendable {
    case table([String: ConfigValue])
    case array([ConfigValue])
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// Dates and times: no setting takes one, so their value is never needed.
    case dateOrTime

    init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .table:
            var entries: [String: ConfigValue] = [:]
            if let table = value.table {
                for key in table.keys {
                    if let child = table[key] { entries[key] = ConfigValue(child) }
                }
            }
            self = .table(entries)
        case .array:
            self = .array(value.array.map { $0.map(ConfigValue.init) } ?? [])
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        case .date, .time, .dateTime: self = .dateOrTime
        }
    }

    /// With its article, for messages such as "`port` must be an integer, not a string".
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a fractional number"
        case .bool: "a boolean"
        case .dateOrTime: "a date"
        }
    }
}
