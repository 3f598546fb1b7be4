/// Where each message number sits in a listing. Servers number messages 1 to n in order, so the
/// position is the number minus one and a mailbox of 100,000 rows costs no table; a listing that
/// skips or repeats numbers (a hostile or broken server) gets a table, and the first row listed
/// under a repeated number is the one found.
struct RowPositions: Sendable {
    private let count: Int
    /// Nil when the listing is numbered 1...count in order.
    private let table: [Int: Int]?

    init(_ numbers: some Collection<Int>) {
        count = numbers.count
        if numbers.enumerated().allSatisfy({ $0.element == $0.offset + 1 }) {
            table = nil
        } else {
            table = Dictionary(numbers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    init() { self.init([]) }

    func position(of number: Int) -> Int? {
        guard let table else { return number >= 1 && number <= count ? number - 1 : nil }
        return table[number]
    }
}
