"""The MCP tools through the Python `mcp` client, over stdio (`engram mcp`) and over streamable
HTTP (`engram serve`'s /mcp): the tool list and its schemas, every tool, tool errors that name
the argument, and four stdio servers writing one store at once."""

import asyncio
import json
import os
import random
from contextlib import asynccontextmanager

import httpx
import jsonschema
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import ENGRAM, distinct_text

TOOLS = {"remember", "recall", "chain", "get_memory", "update_memory", "forget", "list_memories", "stats"}


@asynccontextmanager
async def stdio_session(store, model_dir, *arguments):
    parameters = StdioServerParameters(
        command=str(ENGRAM), args=["mcp", "--store", str(store), "--model-dir", str(model_dir), *arguments],
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "")})
    async with stdio_client(parameters) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


@asynccontextmanager
async def http_session(server):
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else None
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        async with streamable_http_client(server.base_url + "/mcp", http_client=client) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                yield session


async def call(session, tool, arguments, schemas):
    result = await session.call_tool(tool, arguments)
    structured = result.structured_content
    if result.is_error:
        assert structured["error"]["code"] and structured["error"]["message"]
    else:
        jsonschema.validate(structured, schemas[tool])
    assert json.loads(result.content[0].text) == structured
    return result


async def exercise_every_tool(session):
    listed = (await session.list_tools()).tools
    assert {tool.name for tool in listed} == TOOLS
    for tool in listed:
        assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object"
        assert tool.annotations.read_only_hint == (tool.name in {"recall", "chain", "get_memory", "list_memories", "stats"})
        assert tool.annotations.destructive_hint == (tool.name in {"update_memory", "forget"})
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
    schemas = {tool.name: tool.output_schema for tool in listed}

    stored = await call(session, "remember", {"memories": [
        {"text": "Grace keeps the spare key under the blue flowerpot", "session": "visit"},
        {"text": "Grace waters the tomatoes on Sundays", "session": "visit"},
    ]}, schemas)
    first, second = (item["id"] for item in stored.structured_content["results"])
    hits = (await call(session, "recall", {"query": "spare key flowerpot", "k": 2}, schemas)).structured_content["hits"]
    assert hits[0]["memory"]["id"] == first
    steps = (await call(session, "chain", {"id": first, "hops": 1}, schemas)).structured_content["steps"]
    assert [step["memory"]["id"] for step in steps] == [first, second]
    updated = await call(session, "update_memory", {"id": second, "text": "Grace waters the tomatoes on Saturdays"}, schemas)
    assert updated.structured_content["memory"]["text"].endswith("Saturdays")
    assert (await call(session, "get_memory", {"id": second}, schemas)).structured_content["memory"]["id"] == second
    listed_memories = (await call(session, "list_memories", {"matching": "tomatoes"}, schemas)).structured_content
    assert [m["id"] for m in listed_memories["memories"]] == [second]
    assert (await call(session, "stats", {}, schemas)).structured_content["memories"] == 2
    assert (await call(session, "forget", {"id": first}, schemas)).structured_content == {"forgotten": 1}
    missing = await call(session, "get_memory", {"id": first}, schemas)
    assert missing.is_error and missing.structured_content["error"] == {
        "code": "not_found", "field": "id", "message": f"no memory has id {first}"}

    for arguments, field in [
        ({"query": "q", "k": -1}, "k"), ({"query": 7}, "query"), ({}, "query"), ({"query": "q", "when": 1}, "when"),
        ({"query": "q", "after": "yesterday"}, "after"),
    ]:
        refused = await call(session, "recall", arguments, schemas)
        assert refused.is_error and refused.structured_content["error"]["field"] == field, arguments
    over_long = await call(session, "remember", {"text": "x" * 40000}, schemas)
    assert over_long.is_error and over_long.structured_content["error"]["field"] == "text"
    unknown = await session.call_tool("no_such_tool", {})
    assert unknown.is_error
    assert (await call(session, "stats", {}, schemas)).structured_content["memories"] == 1


def test_stdio_server_offers_every_tool(tmp_path, model_dir):
    async def run():
        async with stdio_session(tmp_path / "memory.sqlite", model_dir) as session:
            await exercise_every_tool(session)
    asyncio.run(run())


def test_streamable_http_offers_every_tool(start_server):
    server = start_server(token="a-token-for-mcp")

    async def run():
        async with http_session(server) as session:
            await exercise_every_tool(session)
    asyncio.run(run())
    assert all("a-token-for-mcp" not in line for line in server.log)


def test_fixed_scope_over_stdio(tmp_path, model_dir):
    async def run():
        store = tmp_path / "memory.sqlite"
        async with stdio_session(store, model_dir, "--scope", "bob") as bob:
            secret = (await bob.call_tool("remember", {"text": "Bob's locker code is 4721"})).structured_content["results"][0]["id"]
        async with stdio_session(store, model_dir, "--scope", "alice") as alice:
            assert (await alice.call_tool("get_memory", {"id": secret})).is_error
            refused = await alice.call_tool("recall", {"query": "locker code", "scope": "bob"})
            assert refused.is_error and refused.structured_content["error"]["code"] == "forbidden_scope"
            assert (await alice.call_tool("recall", {"query": "locker code"})).structured_content["hits"] == []
    asyncio.run(run())


def test_four_stdio_servers_share_one_store(tmp_path, model_dir):
    """Four `engram mcp` processes on one file each remember 500 memories while the others do;
    then every one of the 2,000 is there once, and every server lists all of them and recalls
    another server's memory."""
    store = tmp_path / "shared.sqlite"
    servers, per_server = 4, 500
    started, finished = asyncio.Event(), asyncio.Event()

    async def server(number, connected, written):
        rng = random.Random(number)
        async with stdio_session(store, model_dir) as session:
            connected.release()
            await started.wait()
            ids = []
            for i in range(per_server):
                result = await session.call_tool("remember", {"text": distinct_text(rng, f"server{number} item{i}"), "session": f"s{number}"})
                assert not result.is_error, result.content[0].text
                outcome = result.structured_content["results"][0]
                assert outcome["status"] == "stored", outcome
                ids.append(outcome["id"])
            written.release()
            await finished.wait()
            listed, after = [], 0
            while True:
                page = (await session.call_tool("list_memories", {"after_id": after, "limit": 500})).structured_content
                listed += [m["id"] for m in page["memories"]]
                if "next_after_id" not in page:
                    break
                after = page["next_after_id"]
            other = (number + 1) % servers
            hits = (await session.call_tool("recall", {"query": f"server{other} item7", "session": f"s{other}", "k": 5})).structured_content["hits"]
            return ids, listed, [hit["memory"]["session"] for hit in hits]

    async def run():
        # A task group, so that one server's failure cancels the others and fails the test
        # instead of leaving them waiting for a semaphore that is never released.
        connected, written = asyncio.Semaphore(0), asyncio.Semaphore(0)
        async with asyncio.timeout(900):
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(server(n, connected, written)) for n in range(servers)]
                for _ in range(servers):
                    await connected.acquire()
                started.set()
                for _ in range(servers):
                    await written.acquire()
                finished.set()
        return [task.result() for task in tasks]

    results = asyncio.run(run())
    every_id = [i for ids, _, _ in results for i in ids]
    assert len(every_id) == len(set(every_id)) == servers * per_server
    for number, (_, listed, sessions) in enumerate(results):
        assert sorted(listed) == sorted(every_id)
        assert sessions and set(sessions) == {f"s{(number + 1) % servers}"}
