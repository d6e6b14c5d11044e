import EngramMemory
@testable import EngramServer
import MCP
import Testing

@Suite struct MemoryServiceTests {
    @Test func remembersRecallsAndForgets() async throws {
        let service = try makeService()
        let stored = try await service.perform(.remember, arguments: ["memories": [
            ["text": "Ada keeps her bicycle in the shed", "session": "a"],
            ["text": "Ada rides to the lab", "session": "a", "metadata": ["topic": "work"]],
        ]]) as! Responses.Remembered
        #expect(stored.results.map(\.status) == ["stored", "stored"])
        let hits = try await service.perform(.recall, arguments: ["query": "bicycle shed", "k": 1]) as! Responses.Recalled
        #expect(hits.hits.map(\.memory.id) == [stored.results[0].id])
        let filtered = try await service.perform(.recall, arguments: ["query": "Ada", "metadata": ["topic": "work"]]) as! Responses.Recalled
        #expect(filtered.hits.map(\.memory.id) == [stored.results[1].id])
        let forgotten = try await service.perform(.forget, arguments: ["id": .int(Int(stored.results[0].id))]) as! Responses.Forgotten
        #expect(forgotten.forgotten == 1)
        #expect(await refusal(service, .getMemory, ["id": .int(Int(stored.results[0].id))])?.code == .notFound)
    }

    @Test func aBatchWithOneBadItemStoresNothingAndNamesTheItem() async throws {
        let service = try makeService()
        let error = await refusal(service, .remember, ["memories": [["text": "fine"], ["text": "  "]]])
        #expect(error == APIError(.invalidArgument, "must not be empty or only white space", field: "memories[1].text"))
        let badScope = await refusal(service, .remember, ["memories": [["text": "fine"], ["text": "ok", "scope": "a\u{7}b"]]])
        #expect(badScope?.field == "memories[1].scope")
        #expect(try service.store.statistics().memories == 0)
        #expect(await refusal(service, .remember, ["text": "a", "memories": [["text": "b"]]])?.field == "memories")
    }

    @Test func argumentsAreCheckedBeforeAnythingRuns() async throws {
        let service = try makeService()
        let cases: [([String: Value], APIError.Code, String)] = [
            (["query": "q", "k": 0], .invalidArgument, "k"),
            (["query": "q", "k": 101], .invalidArgument, "k"),
            (["query": "q", "k": 2.5], .malformedRequest, "k"),
            (["query": "q", "k": "3"], .malformedRequest, "k"),
            (["query": ""], .invalidArgument, "query"),
            (["query": .null], .malformedRequest, "query"),
            (["query": "\u{2003}\n"], .invalidArgument, "query"),
            (["query": "q", "after": "soon"], .invalidArgument, "after"),
            (["query": "q", "metadata": ["a": 1]], .malformedRequest, "metadata.a"),
            (["query": "q", "colour": "red"], .malformedRequest, "colour"),
            (["query": "q", "session": .string(String(repeating: "s", count: 257))], .invalidArgument, "session"),
        ]
        for (arguments, code, field) in cases {
            let error = await refusal(service, .recall, arguments)
            #expect(error?.code == code && error?.field == field, "\(arguments)")
        }
        #expect(await refusal(service, .chain, ["hops": 2])?.field == "id")
        #expect(await refusal(service, .chain, ["id": 1, "cue": "x"])?.field == "cue")
        #expect(await refusal(service, .chain, ["id": .null, "cue": "x"]) == nil)
        #expect(await refusal(service, .updateMemory, ["id": 1])?.code == .notFound)
    }

    @Test func queryIntegersArriveAsStrings() async throws {
        let service = try makeService()
        for i in 0..<3 { _ = try await service.perform(.remember, arguments: ["text": .string("memory number \(i) here")]) }
        let page = try await service.perform(.listMemories, arguments: ["limit": "2"], fromQuery: true) as! Responses.Listed
        #expect(page.memories.count == 2 && page.nextAfterID == page.memories.last?.id)
        let rest = try await service.perform(.listMemories, arguments: ["limit": "2", "after_id": .string("\(page.nextAfterID!)")],
                                             fromQuery: true) as! Responses.Listed
        #expect(rest.memories.count == 1 && rest.nextAfterID == nil)
        for text in ["two", "+2", "02", " 2", "2.0", ""] {
            #expect(await refusal(service, .listMemories, ["limit": .string(text)], fromQuery: true)?.code == .malformedRequest, "\(text)")
        }
    }

    @Test func aFixedScopeIsAWall() async throws {
        let store = try MemoryStore(inMemoryWith: WordHashEmbedder())
        let bobs = try store.remember("Bob's locker code is 4721", scope: "bob").id
        let service = try MemoryService(store: store, fixedScope: "alice", threads: 1)
        let mine = (try await service.perform(.remember, arguments: ["text": "Alice likes green tea"]) as! Responses.Remembered).results[0].id
        #expect(try store.get(mine).scope == "alice")
        #expect(await refusal(service, .getMemory, ["id": .int(Int(bobs))])?.code == .notFound)
        #expect(await refusal(service, .forget, ["id": .int(Int(bobs))])?.code == .notFound)
        #expect(await refusal(service, .updateMemory, ["id": .int(Int(bobs)), "text": "mine now"])?.code == .notFound)
        #expect(await refusal(service, .chain, ["id": .int(Int(bobs))])?.code == .notFound)
        #expect(await refusal(service, .recall, ["query": "locker", "scope": "bob"])?.code == .forbiddenScope)
        #expect(await refusal(service, .remember, ["memories": [["text": "x", "scope": "bob"]]])?.field == "memories[0].scope")
        #expect(await refusal(service, .forgetScope, ["scope": "bob"])?.code == .forbiddenScope)
        let listed = try await service.perform(.listMemories, arguments: [:]) as! Responses.Listed
        #expect(listed.memories.map(\.id) == [mine])
        let scopes = try await service.perform(.scopes, arguments: [:]) as! Responses.Scopes
        #expect(scopes.scopes == [.init(scope: "alice", memories: 1)])
        let stats = try await service.perform(.stats, arguments: [:]) as! Responses.Statistics
        #expect(stats == Responses.Statistics(memories: 1, scopes: 1))
        #expect(try store.get(bobs).text == "Bob's locker code is 4721")
    }

    @Test func updateChangesOnlyWhatIsGiven() async throws {
        let service = try makeService()
        let id = (try await service.perform(.remember, arguments: ["text": "The meeting is on Monday", "metadata": ["room": "4"]])
            as! Responses.Remembered).results[0].id
        let unchanged = try await service.perform(.updateMemory, arguments: ["id": .int(Int(id))]) as! Responses.OneMemory
        #expect(unchanged.memory.text == "The meeting is on Monday")
        let updated = try await service.perform(.updateMemory, arguments: ["id": .int(Int(id)), "time": "2026-05-01"]) as! Responses.OneMemory
        #expect(updated.memory.text == "The meeting is on Monday" && updated.memory.metadata == ["room": "4"])
        #expect(updated.memory.time == "2026-05-01T00:00:00.000Z")
    }

    @Test func aFullServerRefusesRatherThanQueues() async throws {
        var limits = ServerLimits()
        limits.maximumInFlight = 0
        let service = try makeService(limits: limits)
        #expect(await refusal(service, .stats, [:])?.code == .overloaded)
    }

    @Test func aStoppedServiceIsUnavailable() async throws {
        let service = try makeService()
        await service.shutdown()
        #expect(await refusal(service, .stats, [:])?.code == .unavailable)
    }

    @Test func anInvalidFixedScopeIsRefused() throws {
        #expect(throws: APIError.self) {
            try MemoryService(store: try MemoryStore(inMemoryWith: WordHashEmbedder()), fixedScope: "")
        }
    }
}
