import NIOCore
import NIOEmbedded
@testable import POP3
import XCTest

final class ReplyQueueTests: XCTestCase {
    /// A reply already in when it is tracked (one written with the listing) has its callback run
    /// later than replies to later commands: the queue still hands them over in command order.
    func testRepliesAreHandedOverInTheOrderTheyWereTracked() async {
        let loop = EmbeddedEventLoop()
        let queue = ReplyQueue()
        let promises = (0..<4).map { _ in loop.makePromise(of: POP3Reply.self) }
        for promise in promises { queue.track(promise.futureResult) }
        for index in [2, 1, 3] { promises[index].succeed(.status(StatusLine(isOK: true, text: "reply \(index)"))) }
        promises[0].succeed(.status(StatusLine(isOK: true, text: "reply 0")))
        let texts = await queue.next().map { result -> String in
            guard case .success(.status(let status)) = result else { return "not a status" }
            return status.text
        }
        XCTAssertEqual(texts, ["reply 0", "reply 1", "reply 2", "reply 3"])
    }
}
