import Foundation
import Inbox
import MailMessage
import POP3
import POP3Server
import TestSupport
import XCTest

/// The POP3-backed service with the model on top, as the reader uses them, against the in-memory
/// server: progressive loading, the commit, keep-alive, and reconnecting after a cut.
final class POP3BackendTests: XCTestCase {
    private func mailbox(_ count: Int) -> [ServerMessage] {
        (1...count).map { index in
            ServerMessage(uid: "uid-\(index)", text: """
                From: Sender \(index) <s\(index)@example.org>
                Subject: Message \(index)
                Date: Mon, 2 Nov 2026 10:00:00 +0000

                Body \(index).

                """)
        }
    }

    private struct Harness {
        let server: InMemoryPOP3Server
        let proxy: TCPProxy
        let backend: POP3Backend
        let sink: EventSink
        let arrivals: AsyncStream<Void>
        let arrived: AsyncStream<Void>.Continuation
        let model = InboxModel(account: "test")
        var log: [InboxEvent] = []

        init(server: InMemoryPOP3Server, proxy: TCPProxy, backend: POP3Backend) {
            (self.server, self.proxy, self.backend) = (server, proxy, backend)
            (arrivals, arrived) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            sink = EventSink(onSend: { [arrived] in arrived.yield() })
        }

        /// Applies events to the model as they arrive until `condition` holds on the events seen
        /// so far; the timeout only ends a test that would otherwise hang.
        mutating func pump(timeout: Duration = .seconds(10), until condition: ([InboxEvent]) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            let timer = Task { [arrived] in
                try await Task.sleep(for: timeout)
                arrived.yield()
            }
            defer { timer.cancel() }
            var wakeups = arrivals.makeAsyncIterator()
            while true {
                let events = sink.drain()
                model.apply(events)
                log += events
                if condition(log) { return }
                guard ContinuousClock.now < deadline else { break }
                _ = await wakeups.next()
            }
            throw HarnessError.timeout(log.map { String(describing: $0).prefix(80) }.joined(separator: "\n"))
        }
    }

    enum HarnessError: Error { case timeout(String) }

    /// `pipelineWindow` below the mailbox size keeps header replies coming long enough for a
    /// test to act while they do.
    private func start(
        _ messages: [ServerMessage], behavior: ServerBehavior = .init(), keepalive: Duration = .seconds(240),
        pipelineWindow: Int = 8192, headerCache: HeaderCache? = nil, loggedInFirst: Bool = false,
        clock: ManualClock? = nil, safetyNet: SafetyNet? = nil
    ) async throws -> Harness {
        try await start(
            InMemoryPOP3Server(users: ["u": "p"], messages: messages, behavior: behavior),
            keepalive: keepalive, pipelineWindow: pipelineWindow, headerCache: headerCache, loggedInFirst: loggedInFirst, clock: clock,
            safetyNet: safetyNet)
    }

    /// With `loggedInFirst`, the backend starts on a session logged in before it, as the reader's does.
    private func start(
        _ server: InMemoryPOP3Server, keepalive: Duration = .seconds(240), pipelineWindow: Int = 8192,
        headerCache: HeaderCache? = nil, loggedInFirst: Bool = false, clock: ManualClock? = nil,
        recordsVisit: Bool = true, safetyNet: SafetyNet? = nil
    ) async throws -> Harness {
        let port = try await server.start()
        let proxy = TCPProxy(targetPort: port)
        let proxyPort = try await proxy.start()
        let config = POP3Configuration(
            host: "127.0.0.1", port: proxyPort, security: .plaintext, allowPlaintext: true, pipelineWindow: pipelineWindow)
        var options = POP3Backend.Options(
            keepalive: keepalive, reconnectBackoff: [.milliseconds(50), .milliseconds(100), .milliseconds(200)],
            headerCache: headerCache)
        if let clock { options.clock = clock }
        options.recordsVisit = recordsVisit
        options.safetyNet = safetyNet
        let logIn: POP3Backend.Opener = { onStage in
            var staged = config
            staged.onStage = onStage
            return try await OpenedMailbox.logIn(
                try await POP3Session.connect(staged), user: "u", credential: .password("p"), cacheHoldsSummaries: headerCache?.holdsSummaries == true)
        }
        let backend = POP3Backend(
            account: "u@test", options: options, loggedIn: loggedInFirst ? try await logIn { _ in } : nil, open: logIn)
        let harness = Harness(server: server, proxy: proxy, backend: backend)
        backend.start(harness.sink)
        return harness
    }

    /// One visit of the reader with `cache`: `check` runs once every header is in, then the
    /// reader quits without deleting and the server stops.
    private func visit(_ server: InMemoryPOP3Server, cache: HeaderCache, _ check: (Harness) throws -> Void) async throws {
        var h = try await start(server, headerCache: cache)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        try check(h)
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await server.stop()
    }

    private static func isHeadersComplete(_ event: InboxEvent) -> Bool {
        if case .headersComplete = event { return true }
        return false
    }

    func testHeadersFillInAndAnOpenedMessageArrives() async throws {
        var h = try await start(mailbox(8))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(h.model.status.headersLoaded, 8)
        XCTAssertEqual(h.model.row(number: 5)?.summary?.subject, "Message 5")
        h.backend.fetchMessage(number: 5, uid: "uid-5")
        try await h.pump { $0.contains { if case .message(5, _, let r) = $0 { r.plainText.contains("Body 5.") } else { false } } }
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        XCTAssertEqual(h.server.messages.count, 8)
        await h.server.stop()
    }

    /// Issue 18: the screen showed nothing while logging in. The backend now reports each stage
    /// before it is connected, and the model turns them into the status line's words.
    func testTheLoginReportsEachStageBeforeTheListing() async throws {
        var h = try await start(mailbox(3))
        XCTAssertEqual(h.model.loadingStatus, "Connecting…")
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        var seen: [String] = []
        for event in h.log {
            switch event {
            case .loginStage(let stage): seen.append(stage.description)
            case .connected: seen.append("connected")
            case .listing: seen.append("listing")
            default: break
            }
        }
        XCTAssertEqual(seen.count, 4, "\(seen)")
        XCTAssertTrue(seen[0].hasPrefix("Connecting to 127.0.0.1:"), "\(seen)")
        XCTAssertEqual(seen[1], "Logging in (CRAM-MD5)…")
        XCTAssertEqual(Array(seen.suffix(2)), ["connected", "listing"])
        XCTAssertNil(h.model.loadingStatus, "the listing ends the login status")

        let model = InboxModel(account: "a")
        model.apply(.loginStage(.securing))
        XCTAssertEqual(model.loadingStatus, "Securing the connection (TLS)…")
        model.apply(.loginStage(.loggingIn(.userPass)))
        XCTAssertEqual(model.loadingStatus, "Logging in (USER/PASS)…")
        model.apply(.connected(account: "a"))
        XCTAssertEqual(model.loadingStatus, "Listing…")
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    /// Issue 18: new mail without restarting. A check ends the session with a bare QUIT, lists a
    /// new one, fetches only the new header, and the mark stays on its message.
    func testACheckForNewMailListsANewSessionAndKeepsTheMarks() async throws {
        var h = try await start(mailbox(5))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 4))
        h.model.markSelectedAndAdvance()
        h.server.deliver(mailbox(6)[5])
        h.server.deliver(mailbox(7)[6])
        let logged = h.server.commandLog.count
        h.backend.checkForNewMail()
        try await h.pump { $0.contains { if case .mailChecked(2) = $0 { true } else { false } } }
        let sent = Array(h.server.commandLog.dropFirst(logged))
        XCTAssertEqual(h.server.sessionCount, 2)
        XCTAssertFalse(sent.contains { $0.hasPrefix("DELE") }, "a check never deletes: \(sent)")
        XCTAssertEqual(sent.first, "QUIT", "the old session ends first: \(sent)")
        // Without a header cache the login asks for message 1's header blind, as on every first
        // listing; beyond that, only the new messages' headers are asked for.
        XCTAssertEqual(sent.filter { $0.hasPrefix("TOP") && $0 != "TOP 1 0" }.sorted(), ["TOP 6 0", "TOP 7 0"], "only the new headers: \(sent)")
        XCTAssertEqual(h.model.rows.count, 7)
        XCTAssertEqual(h.model.row(number: 7)?.summary?.subject, "Message 7")
        XCTAssertEqual(h.model.commitPlan().entries.map(\.uid), ["uid-4"], "the mark is still on message 4")
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        XCTAssertEqual(h.server.messages.count, 7)
        await h.server.stop()
    }

    func testASessionLoggedInBeforehandIsUsedFirstAndReconnectionsLogInAgain() async throws {
        var h = try await start(mailbox(5), keepalive: .milliseconds(200), loggedInFirst: true)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(h.server.sessionCount, 1, "the backend logged in again: \(h.server.commandLog)")
        h.proxy.cutAll()
        try await h.pump { $0.contains { if case .notice("Reconnected.") = $0 { true } else { false } } }
        XCTAssertEqual(h.server.sessionCount, 2)
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    /// The reader's second visit: summaries come from the cache, only the new message is asked
    /// for with TOP, and it alone gets the N flag.
    func testASecondVisitFetchesOnlyWhatIsNewAndFlagsIt() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        let server = InMemoryPOP3Server(users: ["u": "p"], messages: mailbox(30))
        for visit in 1...3 {
            if visit == 3 { server.deliver(mailbox(31)[30]) }
            let logged = server.commandLog.count
            var h = try await start(server, headerCache: try cache())
            try await h.pump { $0.contains(where: Self.isHeadersComplete) }
            let sent = server.commandLog.dropFirst(logged)
            let tops = sent.filter { $0.hasPrefix("TOP") }
            // On the first visit message 1's header is asked for with the login, the rest newest first.
            XCTAssertEqual(tops, [1: ["TOP 1 0"] + (2...30).reversed().map { "TOP \($0) 0" }, 2: [], 3: ["TOP 31 0"]][visit], "visit \(visit)")
            // With everything cached, UIDL and the cached sizes (which add up to STAT's total) are
            // the listing; new mail needs LIST, and its header goes out with it.
            let listing = sent.filter { ["STAT", "LIST", "UIDL"].contains($0) || $0.hasPrefix("TOP") }.prefix(4)
            XCTAssertEqual(Array(listing), [1: ["LIST", "TOP 1 0", "TOP 30 0", "TOP 29 0"], 2: ["STAT", "UIDL"], 3: ["STAT", "UIDL", "LIST", "TOP 31 0"]][visit], "visit \(visit)")
            XCTAssertEqual(h.model.status.headersLoaded, visit == 3 ? 31 : 30)
            XCTAssertEqual(h.model.row(number: 17)?.summary?.subject, "Message 17")
            let model = h.model
            XCTAssertEqual(model.rows.filter(model.isNew).map(\.number), visit == 3 ? [31] : [], "visit \(visit)")
            h.backend.quitWithoutDeleting()
            try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
            await h.proxy.stop()
        }
        await server.stop()
    }

    /// Issue 18: `mailbag list` loaded like a visit and recorded it, so the reader afterwards
    /// showed nothing new. Loaded as `list` loads (`recordsVisit` off), it shows what is new and
    /// read as the reader left it, and leaves both so; the reader's own visits keep the states
    /// they handed over.
    func testAListingLeavesNewMailAndReadStatesToTheReader() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        let server = InMemoryPOP3Server(users: ["u": "p"], messages: mailbox(3))
        let closed: ([InboxEvent]) -> Bool = { $0.contains { if case .closed = $0 { true } else { false } } }
        func load(asReader: Bool) async throws -> Harness {
            var h = try await start(server, headerCache: try cache(), recordsVisit: asReader)
            try await h.pump { $0.contains(where: Self.isHeadersComplete) }
            return h
        }

        var reader = try await load(asReader: true)
        reader.model.markRead(number: 2)
        reader.backend.rememberStates(reader.model.takeUnsavedStates())
        reader.backend.quitWithoutDeleting()
        try await reader.pump(until: closed)
        await reader.proxy.stop()
        server.deliver(mailbox(4)[3])

        for pass in ["list", "list again", "reader"] {
            var h = try await load(asReader: pass == "reader")
            let model = h.model
            XCTAssertEqual(model.rows.filter(model.isNew).map(\.number), [4], pass)
            XCTAssertEqual(model.rows.filter(model.isRead).map(\.number), [2], pass)
            XCTAssertEqual(model.status.unread, 3, pass)
            XCTAssertEqual(model.takeUnsavedStates(), [:], "\(pass): loading changes no state")
            h.backend.quitWithoutDeleting()
            try await h.pump(until: closed)
            await h.proxy.stop()
        }
        // The reader's visit was recorded: message 4 is no longer new, but still unread.
        var after = try await load(asReader: true)
        XCTAssertEqual(after.model.rows.filter(after.model.isNew).map(\.number), [])
        XCTAssertEqual(after.model.status.unread, 3)
        after.backend.quitWithoutDeleting()
        try await after.pump(until: closed)
        await server.stop()
    }

    /// A server that reused a UID for another message: the cached sizes no longer add up to
    /// STAT's total, so LIST is asked for, and the message whose size changed is fetched again
    /// instead of showing the old one's header.
    func testAReusedUIDIsCaughtByTheSizesAndFetchedAgain() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        var messages = mailbox(10)
        var sizeBefore: Int?
        for visit in 1...2 {
            if visit == 2 {
                messages[6] = ServerMessage(uid: "uid-7", text: "From: Someone Else <e@example.org>\nSubject: Not message 7\n\nA longer body than before.\n")
            }
            let server = InMemoryPOP3Server(users: ["u": "p"], messages: messages)
            try await self.visit(server, cache: try cache()) { h in
                if visit == 1 {
                    sizeBefore = h.model.row(number: 7)?.listing.size
                } else {
                    XCTAssertEqual(server.commandLog.filter { $0 == "LIST" || $0.hasPrefix("TOP") }, ["LIST", "TOP 7 0"])
                    XCTAssertEqual(h.model.row(number: 7)?.summary?.subject, "Not message 7")
                    XCTAssertNotEqual(h.model.row(number: 7)?.listing.size, sizeBefore)
                    XCTAssertEqual(h.model.row(number: 8)?.summary?.subject, "Message 8")
                }
            }
        }
    }

    /// A server that refuses STAT leaves nothing to check the cached sizes against: the visit
    /// asks for LIST instead, and the cached summaries still serve.
    func testACachedVisitToAServerThatRefusesSTATListsWithLIST() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        for visit in 1...2 {
            let behavior = visit == 1 ? ServerBehavior() : ServerBehavior(rawReplies: ["STAT": "-ERR not today\r\n"])
            let server = InMemoryPOP3Server(users: ["u": "p"], messages: mailbox(6), behavior: behavior)
            try await self.visit(server, cache: try cache()) { h in
                if visit == 2 {
                    XCTAssertEqual(server.commandLog.filter { ["STAT", "LIST", "UIDL"].contains($0) || $0.hasPrefix("TOP") }, ["STAT", "UIDL", "LIST"])
                    XCTAssertEqual(h.model.status.headersLoaded, 6)
                    XCTAssertEqual(h.model.row(number: 4)?.summary?.subject, "Message 4")
                    XCTAssertFalse(h.log.contains { if case .connectionLost = $0 { true } else { false } })
                }
            }
        }
    }

    /// A server that no longer offers UIDL: nothing cached can be matched, so the rows come from
    /// LIST and every header is fetched.
    func testACachedVisitToAServerThatDroppedUIDLFetchesEveryHeader() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        for visit in 1...2 {
            let behavior = visit == 1 ? ServerBehavior() : ServerBehavior(capabilities: ["TOP", "USER", "PIPELINING"])
            let server = InMemoryPOP3Server(users: ["u": "p"], messages: mailbox(6), behavior: behavior)
            try await self.visit(server, cache: try cache()) { h in
                XCTAssertEqual(server.commandLog.filter { $0.hasPrefix("TOP") }.count, 6, "visit \(visit)")
                XCTAssertEqual(h.model.status.headersLoaded, 6)
                XCTAssertEqual(h.model.rows.map(\.listing.uid), visit == 1 ? (1...6).map { "uid-\($0)" } : Array(repeating: nil, count: 6))
            }
        }
    }

    /// A first visit shows its rows from LIST and has UIDL answered behind the first screenful's
    /// headers; the UIDs follow, and every summary, those from before them included, is cached.
    func testAFirstVisitListsBeforeTheUIDsWhichFollowTheFirstScreenful() async throws {
        let scratch = try CacheScratch()
        let cache = { try HeaderCache.open(in: scratch.cache, account: "u@test", server: "u@test") }
        let server = InMemoryPOP3Server(users: ["u": "p"], messages: mailbox(150))
        var h = try await start(server, headerCache: try cache(), loggedInFirst: true)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        let log = server.commandLog
        let list = try XCTUnwrap(log.firstIndex(of: "LIST"))
        let uidl = try XCTUnwrap(log.firstIndex(of: "UIDL"))
        XCTAssertEqual(Array(log[(list + 1)..<uidl]), ["TOP 1 0"] + (51...150).reversed().map { "TOP \($0) 0" }, "UIDL follows the first screenful")
        XCTAssertEqual(log.filter { $0.hasPrefix("TOP") }.count, 150, "each asked once")

        guard case .listing(let listed, _, _) = try XCTUnwrap(h.log.first(where: { if case .listing = $0 { true } else { false } })) else { return }
        XCTAssertEqual(listed.count, 150)
        XCTAssertTrue(listed.allSatisfy { $0.uid == nil })
        let identified = try XCTUnwrap(h.log.firstIndex { if case .identified = $0 { true } else { false } })
        let before = h.log[..<identified].flatMap { event -> [Int] in if case .summaries(let batch) = event { batch.map(\.number) } else { [] } }
        XCTAssertEqual(before, Array((51...150).reversed()))
        XCTAssertLessThan(identified, try XCTUnwrap(h.log.firstIndex(where: Self.isHeadersComplete)))
        XCTAssertEqual(h.model.rows.map(\.listing.uid), (1...150).map { "uid-\($0)" })
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.proxy.stop()

        // The second visit finds all of them cached, those from before the UIDs included.
        let logged = server.commandLog.count
        var again = try await start(server, headerCache: try cache(), loggedInFirst: true)
        try await again.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(server.commandLog.dropFirst(logged).filter { $0.hasPrefix("TOP") }, [])
        XCTAssertEqual(again.model.status.headersLoaded, 150)
        again.backend.quitWithoutDeleting()
        try await again.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await server.stop()
    }

    func testHeadersArriveNewestFirstAndAnOpenedMessageJumpsAhead() async throws {
        var h = try await start(mailbox(400), behavior: ServerBehavior(perReplyDelay: .milliseconds(5)), pipelineWindow: 8)
        try await h.pump { $0.contains { if case .listing = $0 { true } else { false } } }
        h.backend.fetchMessage(number: 1, uid: "uid-1")
        try await h.pump { $0.contains { if case .message(1, _, _) = $0 { true } else { false } } }
        XCTAssertFalse(h.log.contains(where: Self.isHeadersComplete), "the opened message waited for every header")
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(h.model.status.headersLoaded, 400)

        let log = h.server.commandLog
        let tops = log.filter { $0.hasPrefix("TOP") }
        XCTAssertEqual(tops, ["TOP 1 0"] + (2...400).reversed().map { "TOP \($0) 0" }, "newest first (1 with the login), each once")
        let retr = try XCTUnwrap(log.firstIndex(of: "RETR 1"))
        XCTAssertLessThan(retr, try XCTUnwrap(log.lastIndex { $0.hasPrefix("TOP") }))
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    func testHeadersThatArrivedBeforeACutAreNotFetchedAgain() async throws {
        var h = try await start(mailbox(300), behavior: ServerBehavior(perReplyDelay: .milliseconds(5)), pipelineWindow: 8)
        let model = h.model
        try await h.pump { _ in model.status.headersLoaded >= 100 }
        h.proxy.cutAll()
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(h.model.status.headersLoaded, 300)
        XCTAssertEqual(h.server.sessionCount, 2)
        // A header that arrived before the cut is never asked for again, so each arrives once.
        let arrivals: [Int] = h.log.flatMap { event -> [Int] in if case .summaries(let batch) = event { batch.map(\.number) } else { [] } }
        XCTAssertEqual(arrivals.sorted(), Array(1...300))
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    /// A cut while a first visit's UIDs are still on their way: the new session lists with UIDs,
    /// the rows whose headers came meanwhile are not reported as gone, and every header arrives.
    func testACutBeforeTheUIDsCameReportsNothingGone() async throws {
        // With 8 in flight on a slow link the first 100 headers, after which the UIDs are taken,
        // take many round trips: the cut falls between the first of them and the UIDs.
        var h = try await start(mailbox(300), pipelineWindow: 8)
        h.proxy.oneWayDelay = .milliseconds(100)
        let model = h.model
        try await h.pump { _ in model.status.headersLoaded >= 10 }
        h.proxy.cutAll()
        h.proxy.oneWayDelay = .zero
        XCTAssertFalse(h.log.contains { if case .identified = $0 { true } else { false } }, "the UIDs came before the cut")
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertEqual(h.server.sessionCount, 2)
        let notices = h.log.compactMap { event -> String? in if case .notice(let text) = event { text } else { nil } }
        XCTAssertFalse(notices.contains { $0.contains("gone from the server") }, "\(notices)")
        XCTAssertEqual(h.model.status.headersLoaded, 300)
        XCTAssertEqual(h.model.rows.map(\.listing.uid), (1...300).map { "uid-\($0)" })
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    func testCommitDeletesExactlyTheMarkedUIDs() async throws {
        var h = try await start(mailbox(6))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        for number in [2, 5] {
            XCTAssertTrue(h.model.select(number: number))
            h.model.markSelectedAndAdvance()
        }
        h.backend.commit(h.model.commitPlan())
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first
        XCTAssertEqual(report?.confirmedDeletions.compactMap(\.uid), ["uid-2", "uid-5"])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-3", "uid-4", "uid-6"])
        await h.server.stop()
    }

    /// `keep_deleted`: each message is in the folder, exactly as RETR returned it, before its DELE.
    func testTheSafetyNetSavesEveryDeletedMessageFirst() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-net-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let net = SafetyNet(folder: directory + "/deleted/", byteLimit: 1 << 20, bodyCache: nil)
        var h = try await start(mailbox(6), safetyNet: net)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        for number in [2, 5] {
            XCTAssertTrue(h.model.select(number: number))
            h.model.markSelectedAndAdvance()
        }
        // As RETR sends them: the server stores LF line ends and sends CRLF.
        let originals = h.server.messages.filter { ["uid-2", "uid-5"].contains($0.uid) }
            .map { Array(String(decoding: $0.bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8) }
        h.backend.commit(h.model.commitPlan())
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.confirmedDeletions.compactMap(\.uid), ["uid-2", "uid-5"])
        XCTAssertEqual(Set(report.savedTo.values), [directory + "/deleted/"])
        let new = directory + "/deleted/new"
        let saved = try FileManager.default.contentsOfDirectory(atPath: new).map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(new)/\($0)"))) }
        XCTAssertEqual(Set(saved), Set(originals))
        await h.server.stop()
    }

    /// A message the safety net cannot take (over its limit here) stays on the server.
    func testAMessageTheSafetyNetCannotSaveIsNotDeleted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbag-net-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let net = SafetyNet(folder: directory + "/deleted", byteLimit: 10, bodyCache: nil)
        var h = try await start(mailbox(3), safetyNet: net)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 2))
        h.model.markSelectedAndAdvance()
        h.backend.commit(h.model.commitPlan())
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.deleted, [])
        XCTAssertEqual(report.skipped.map(\.message.uid), ["uid-2"])
        XCTAssertTrue(report.skipped.first?.reason.contains("keep_deleted_limit") ?? false, "\(report.skipped)")
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-2", "uid-3"])
        await h.server.stop()
    }

    /// Idle for half the keep-alive, the session gets a NOOP; traffic in between puts it off. The
    /// keep-alive runs on a clock the test owns, so no real time passes.
    func testIdleSessionIsKeptAliveWithNOOP() async throws {
        let clock = ManualClock()
        var h = try await start(mailbox(4), keepalive: .seconds(240), clock: clock)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        // What the server was sent from advancing the clock by `idle` to the end of a fetch,
        // which is queued behind what the keep-alive's ticker queued: the test waits for the
        // ticker to sleep again before it asks.
        func commands(after idle: Duration, thenFetch number: Int) async throws -> [String] {
            let logged = h.server.commandLog.count
            try await clock.waitForSleepers(1)
            clock.advance(by: idle)
            try await clock.waitForSleepers(1)
            h.backend.fetchMessage(number: number, uid: "uid-\(number)")
            try await h.pump { $0.contains { if case .message(number, _, _) = $0 { true } else { false } } }
            return Array(h.server.commandLog.dropFirst(logged))
        }

        var sent = try await commands(after: .seconds(120), thenFetch: 1)
        XCTAssertEqual(sent, ["NOOP", "RETR 1"], "idle for half the keep-alive")
        sent = try await commands(after: .seconds(60), thenFetch: 2)
        XCTAssertEqual(sent, ["RETR 2"])
        sent = try await commands(after: .seconds(60), thenFetch: 3)
        XCTAssertEqual(sent, ["RETR 3"], "the ticker came 60 s after the last command")
        sent = try await commands(after: .seconds(120), thenFetch: 4)
        XCTAssertEqual(sent, ["NOOP", "RETR 4"])
        XCTAssertEqual(h.server.sessionCount, 1, "the first session stayed logged in")
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    func testMarksSurviveACutAndTheCommitSkipsAMessageDeletedMeanwhile() async throws {
        // The keep-alive is what notices the cut while the user is idle.
        var h = try await start(mailbox(6), keepalive: .milliseconds(300))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        for number in [2, 4] {
            XCTAssertTrue(h.model.select(number: number))
            h.model.markSelectedAndAdvance()
        }
        XCTAssertEqual(h.model.status.marked, 2)

        // The network goes away; meanwhile another client deletes message 1 and message 2.
        h.proxy.cutAll()
        let other = try await POP3Session.connect(
            POP3Configuration(host: "127.0.0.1", port: try await h.server.start(), security: .plaintext, allowPlaintext: true))
        try await other.login(user: "u", password: "p")
        try await other.delete(1)
        try await other.delete(2)
        _ = try await other.quit()

        try await h.pump { $0.contains { if case .notice(let text) = $0 { text == "Reconnected." } else { false } } }
        try await h.pump { events in events.filter { if case .listing = $0 { true } else { false } }.count == 2 }
        XCTAssertTrue(h.log.contains { if case .notice(let text) = $0 { text.contains("2 messages are gone") } else { false } })
        // Renumbered: uid-4 is now message 2, and its mark followed it.
        XCTAssertEqual(h.model.row(number: 2)?.listing.uid, "uid-4")
        XCTAssertEqual(h.model.row(number: 2)?.summary?.subject, "Message 4", "summaries follow their UID")
        XCTAssertEqual(h.model.commitPlan().entries.compactMap(\.uid), ["uid-4"])

        h.backend.commit(h.model.commitPlan())
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-3", "uid-5", "uid-6"])
        await h.server.stop()
    }

    /// CAPA LOGIN-DELAY 1 allows one login a second: the reconnection waits that long on the
    /// backend's clock, which the test advances in the countdown's steps.
    func testReconnectWaitsForTheServersLoginDelay() async throws {
        let behavior = ServerBehavior(capabilities: ["TOP", "UIDL", "USER", "PIPELINING", "LOGIN-DELAY 1"])
        let clock = ManualClock()
        var h = try await start(mailbox(2), behavior: behavior, clock: clock)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        h.proxy.cutAll()
        for step in 1...20 {
            // The keep-alive's ticker and the countdown.
            try await clock.waitForSleepers(2)
            XCTAssertEqual(h.server.sessionCount, 1, "logged in again after \((step - 1) * 50) ms")
            clock.advance(by: .milliseconds(50))
        }
        try await h.pump { $0.contains { if case .notice("Reconnected.") = $0 { true } else { false } } }
        XCTAssertEqual(h.server.sessionCount, 2)
        h.backend.quitWithoutDeleting()
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        await h.server.stop()
    }

    func testACommitAfterASilentCutRunsOnANewSession() async throws {
        var h = try await start(mailbox(4))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 3))
        h.model.markSelectedAndAdvance()
        h.proxy.cutAll()
        h.backend.commit(h.model.commitPlan())
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.outcome, .confirmed)
        XCTAssertEqual(report.confirmedDeletions.compactMap(\.uid), ["uid-3"])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-2", "uid-4"])
        await h.server.stop()
    }

    func testAPlanWithAStaleNumberIsSkippedNotDeleted() async throws {
        var h = try await start(mailbox(4))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        // Message 3 as the user saw it, but the UID no longer matches what the server has there.
        h.backend.commit(CommitPlan(entries: [
            MessageListing(number: 3, uid: "uid-somebody-else", size: 10),
            MessageListing(number: 4, uid: "uid-4", size: 10),
        ]))
        try await h.pump { $0.contains { if case .closed = $0 { true } else { false } } }
        let report = try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
        XCTAssertEqual(report.skipped.map(\.message.number), [3])
        XCTAssertEqual(report.confirmedDeletions.map(\.number), [4])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-2", "uid-3"])
        await h.server.stop()
    }

    private func committedReport(_ h: inout Harness) async throws -> CommitReport {
        try await h.pump(timeout: .seconds(20)) { $0.contains { if case .committed = $0 { true } else { false } } }
        return try XCTUnwrap(h.log.compactMap { if case .committed(let r) = $0 { r } else { nil } }.first)
    }

    /// Deletes message 1 behind the reader's back, on a session of its own.
    private func deleteFirstFromAnotherClient(_ server: InMemoryPOP3Server) async throws {
        let other = try await POP3Session.connect(
            POP3Configuration(host: "127.0.0.1", port: try await server.start(), security: .plaintext, allowPlaintext: true))
        try await other.login(user: "u", password: "p")
        try await other.delete(1)
        _ = try await other.quit()
    }

    /// The case: mark message 10, the connection is cut, another client deletes message 1.
    /// The mark follows its UID to number 9 and the commit deletes exactly it.
    func testAMarkSurvivesACutAndIsDeletedAtItsNewNumber() async throws {
        var h = try await start(mailbox(10))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 10))
        h.model.markSelectedAndAdvance()
        let plan = h.model.commitPlan()
        h.proxy.cutAll()
        try await deleteFirstFromAnotherClient(h.server)
        // The cut is noticed at once, without waiting for a keep-alive or a timeout.
        try await h.pump(timeout: .seconds(5)) { $0.contains { if case .notice(let text) = $0 { text == "Reconnected." } else { false } } }
        h.backend.commit(plan)
        let report = try await committedReport(&h)
        XCTAssertEqual(report.outcome, .confirmed)
        XCTAssertEqual(report.confirmedDeletions.compactMap(\.uid), ["uid-10"])
        XCTAssertEqual(report.skipped, [])
        XCTAssertEqual(h.server.messages.map(\.uid), (2...9).map { "uid-\($0)" })
        XCTAssertTrue(h.server.commandLog.contains("DELE 9"), "\(h.server.commandLog)")
        await h.server.stop()
    }

    /// A server without UIDL: the mark is held by the header block, found again by it on the new
    /// session, and the message that took the marked number is left alone.
    func testWithoutUIDLAMarkIsFoundAgainByItsHeadersNeverByNumber() async throws {
        var h = try await start(mailbox(4), behavior: ServerBehavior(capabilities: ["TOP", "USER", "PIPELINING"]))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 2))
        h.model.markSelectedAndAdvance()
        let plan = h.model.commitPlan()
        XCTAssertNotNil(plan.entries.first?.fingerprint)
        h.proxy.cutAll()
        try await deleteFirstFromAnotherClient(h.server)
        h.backend.commit(plan)
        let report = try await committedReport(&h)
        XCTAssertEqual(report.outcome, .confirmed)
        XCTAssertEqual(report.deleted.map(\.number), [2])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-3", "uid-4"], "message 2 of the new session is another message")
        XCTAssertTrue(h.server.commandLog.contains("DELE 1"), "\(h.server.commandLog)")
        await h.server.stop()
    }

    /// A mark held by number alone (no UIDL, header never read) is never carried to another session.
    func testAMarkWithoutAnIdentityIsNotAppliedOnAnotherSession() async throws {
        var h = try await start(mailbox(4), behavior: ServerBehavior(capabilities: ["TOP", "USER", "PIPELINING"]))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        let plan = CommitPlan(entries: [MessageListing(number: 2, uid: nil, size: h.model.row(number: 2)!.listing.size)], session: 1)
        h.proxy.cutAll()
        try await deleteFirstFromAnotherClient(h.server)
        try await h.pump(timeout: .seconds(5)) { $0.contains { if case .notice(let text) = $0 { text == "Reconnected." } else { false } } }
        h.backend.commit(plan)
        let report = try await committedReport(&h)
        XCTAssertEqual(report.deleted, [])
        XCTAssertEqual(report.skipped.map(\.message.number), [2])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-2", "uid-3", "uid-4"])
        XCTAssertEqual(h.server.commandLog.filter { $0.hasPrefix("DELE") }, ["DELE 1"], "only the other client's")
        await h.server.stop()
    }

    /// QUIT answered -ERR: the outcome is unknown, said so, and a new session finds out.
    func testAnUnconfirmedQUITIsCheckedOnANewSession() async throws {
        var h = try await start(mailbox(3), behavior: ServerBehavior(rawReplies: ["QUIT": "-ERR some deleted messages not removed\r\n"]))
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 2))
        h.model.markSelectedAndAdvance()
        h.backend.commit(h.model.commitPlan())
        let report = try await committedReport(&h)
        guard case .unknown(_, let gone) = report.outcome else { return XCTFail("\(report.outcome)") }
        XCTAssertEqual(gone, [], "the server kept the message, and the new session saw it")
        XCTAssertEqual(report.deleted.compactMap(\.uid), ["uid-2"])
        XCTAssertEqual(report.confirmedDeletions, [])
        XCTAssertEqual(h.server.sessionCount, 2)
        await h.server.stop()
    }

    private func markAndCommit(_ numbers: [Int], behavior: ServerBehavior) async throws -> (CommitReport, Harness) {
        var h = try await start(mailbox(4), behavior: behavior)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        for number in numbers {
            XCTAssertTrue(h.model.select(number: number))
            h.model.markSelectedAndAdvance()
        }
        h.backend.commit(h.model.commitPlan())
        return (try await committedReport(&h), h)
    }

    /// Cut between two DELEs: nothing was applied, so the commit runs again on a new session.
    func testACutBetweenTwoDELEsIsCommittedAgainOnANewSession() async throws {
        let (report, h) = try await markAndCommit([2, 3], behavior: ServerBehavior(dropOn: ("DELE 3", 1)))
        XCTAssertEqual(report.outcome, .confirmed)
        XCTAssertEqual(report.confirmedDeletions.compactMap(\.uid), ["uid-2", "uid-3"])
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-4"])
        XCTAssertEqual(h.server.commandLog.filter { $0 == "DELE 2" }.count, 2, "the first session's DELE was void")
        await h.server.stop()
    }

    /// A server that always drops there: after a few tries the report says nothing was deleted,
    /// and the worker stays to try again when the user asks.
    func testACommitThatKeepsBeingCutReportsNothingDeleted() async throws {
        let (report, h) = try await markAndCommit([2, 3], behavior: ServerBehavior(dropOn: ("DELE 3", 100)))
        guard case .nothingDeleted = report.outcome else { return XCTFail("\(report.outcome)") }
        XCTAssertEqual(report.confirmedDeletions, [])
        XCTAssertEqual(h.server.messages.count, 4)
        XCTAssertEqual(h.model.marks.count, 2, "the marks stand")
        XCTAssertFalse(h.log.contains { if case .closed = $0 { true } else { false } })
        await h.server.stop()
    }

    /// Cut after QUIT was sent: the outcome is unknown, and a new session looks.
    func testACutAfterQUITIsAnUnknownOutcomeCheckedByUID() async throws {
        let (report, h) = try await markAndCommit([2], behavior: ServerBehavior(dropOn: ("QUIT", 1)))
        guard case .unknown(let reason, let gone) = report.outcome else { return XCTFail("\(report.outcome)") }
        XCTAssertTrue(reason.contains("after QUIT was sent"), reason)
        XCTAssertEqual(gone, [], "this server applies nothing without QUIT's answer")
        XCTAssertEqual(h.server.messages.count, 4)
        await h.server.stop()
    }

    /// The session died while the user was idle and the commit's first command finds it.
    func testACutFoundByTheCommitRunsItOnANewSession() async throws {
        let (report, h) = try await markAndCommit([4], behavior: ServerBehavior(dropOn: ("NOOP", 1)))
        XCTAssertEqual(report.outcome, .confirmed)
        XCTAssertEqual(h.server.messages.map(\.uid), ["uid-1", "uid-2", "uid-3"])
        await h.server.stop()
    }

    /// A server's LOGIN-DELAY of an hour: the countdown starts at the 5-minute cap, counts down
    /// second by second on the status line, and Esc (`stopReconnecting`) ends it with the marks
    /// kept. The countdown runs on a clock the test owns, so no real time passes.
    func testTheReconnectionCountsDownFromACappedLoginDelayAndCanBeStopped() async throws {
        let clock = ManualClock()
        var h = try await start(
            mailbox(3), behavior: ServerBehavior(capabilities: ["TOP", "UIDL", "USER", "PIPELINING", "LOGIN-DELAY 3600"]), clock: clock)
        try await h.pump { $0.contains(where: Self.isHeadersComplete) }
        XCTAssertTrue(h.model.select(number: 2))
        h.model.markSelectedAndAdvance()
        h.proxy.cutAll()
        // The user presses Esc three seconds into the wait.
        for _ in 1...60 {
            try await clock.waitForSleepers(2)
            clock.advance(by: .milliseconds(50))
        }
        try await clock.waitForSleepers(2)
        h.backend.stopReconnecting()
        clock.advance(by: .milliseconds(50))
        try await h.pump { $0.contains { if case .notice(let text) = $0 { text.hasPrefix("Stopped reconnecting") } else { false } } }
        let countdown = h.log.compactMap { if case .notice(let text) = $0, text.contains("reconnecting in") { text } else { nil } }
        XCTAssertTrue(countdown.first?.contains("reconnecting in 300 s, attempt 1 of 3") == true, "\(countdown.prefix(2))")
        XCTAssertTrue(countdown.contains { $0.contains("reconnecting in 299 s") })
        XCTAssertTrue(countdown.last?.contains("reconnecting in 297 s") == true, "stopped where the user pressed Esc: \(countdown.suffix(2))")
        XCTAssertEqual(h.model.marks.count, 1, "the marks are kept")
        XCTAssertEqual(h.server.sessionCount, 1, "no login was tried while the user waited")
        await h.server.stop()
    }
}
