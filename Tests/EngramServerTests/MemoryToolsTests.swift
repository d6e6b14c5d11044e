@testable import EngramServer
import MCP
import Testing

@Suite struct MemoryToolsTests {
    @Test func everyToolHasSchemasAndHints() throws {
        let tools = MemoryTools(service: try makeService()).tools
        #expect(tools.map(\.name) == ["remember", "recall", "chain", "get_memory", "update_memory", "forget", "list_memories", "stats"])
        for tool in tools {
            #expect(tool.inputSchema.objectValue?["type"] == "object", "\(tool.name)")
            #expect(tool.inputSchema.objectValue?["additionalProperties"] == false, "\(tool.name)")
            #expect(tool.outputSchema?.objectValue?["type"] == "object", "\(tool.name)")
            #expect(tool.annotations.readOnlyHint != nil && tool.annotations.destructiveHint != nil, "\(tool.name)")
            #expect(!(tool.description ?? "").isEmpty)
        }
        let recall = tools.first { $0.name == "recall" }!
        #expect(recall.inputSchema.objectValue?["required"] == ["query"])
        #expect(recall.annotations.readOnlyHint == true && recall.annotations.destructiveHint == false)
        #expect(tools.first { $0.name == "forget" }!.annotations.destructiveHint == true)
    }

    @Test func aCallAnswersWithStructuredContentAndTheSameText() async throws {
        let tools = MemoryTools(service: try makeService())
        let stored = await tools.call(.init(name: "remember", arguments: ["text": "The spare key is under the flowerpot"]))
        #expect(stored.isError == false)
        #expect(stored.structuredContent == ["results": [["id": 1, "status": "stored"]]])
        guard case let .text(text, _, _) = stored.content.first else { Issue.record("no text"); return }
        #expect(text == #"{"results":[{"id":1,"status":"stored"}]}"#)
    }

    @Test func aBadCallIsAToolErrorThatNamesTheArgument() async throws {
        let tools = MemoryTools(service: try makeService())
        let refused = await tools.call(.init(name: "recall", arguments: ["query": "q", "k": 0]))
        #expect(refused.isError == true)
        #expect(refused.structuredContent == ["error": ["code": "invalid_argument", "field": "k", "message": "must be an integer from 1 to 100, got 0"]])
        let unknown = await tools.call(.init(name: "erase_everything", arguments: [:]))
        #expect(unknown.isError == true && unknown.structuredContent?.objectValue?["error"]?.objectValue?["code"] == "not_found")
        let noArguments = await tools.call(.init(name: "get_memory"))
        #expect(noArguments.isError == true && noArguments.structuredContent?.objectValue?["error"]?.objectValue?["field"] == "id")
    }

    @Test func aSessionCannotHaveMoreCallsInFlightThanItsLimit() async throws {
        var limits = ServerLimits()
        limits.maximumInFlightPerSession = 0
        let tools = MemoryTools(service: try makeService(limits: limits))
        let refused = await tools.call(.init(name: "stats", arguments: [:]))
        #expect(refused.isError == true && refused.structuredContent?.objectValue?["error"]?.objectValue?["code"] == "overloaded")
    }
}
