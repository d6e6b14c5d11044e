"""The HTTP API against a real `engram serve`: every route, the documented errors, and that a
refused request changes nothing."""

import json
import random
import signal
import threading
import time

import httpx

import pytest


def counts(client):
    return client.get("/v1/stats").json()["memories"]


def test_routes_end_to_end(server):
    with server.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        stored = client.post("/v1/memories", json={"memories": [
            {"text": "Ada keeps her bicycle in the shed", "session": "morning", "metadata": {"topic": "home"}},
            {"text": "Ada rides to the lab every day", "session": "morning", "time": "2026-05-01T09:30:00Z"},
        ]})
        assert stored.status_code == 201, stored.text
        first, second = (item["id"] for item in stored.json()["results"])
        assert [item["status"] for item in stored.json()["results"]] == ["stored", "stored"]

        again = client.post("/v1/memories", json={"text": "Ada keeps her bicycle in the shed"})
        assert again.status_code == 200 and again.json()["results"][0] == {"status": "duplicate", "id": first, "similarity": pytest.approx(1, abs=1e-3)}

        hits = client.post("/v1/recall", json={"query": "bicycle shed", "k": 2}).json()["hits"]
        assert hits[0]["memory"]["id"] == first and "lexical" in hits[0]["found_by"]
        filtered = client.post("/v1/recall", json={"query": "Ada", "metadata": {"topic": "home"}}).json()["hits"]
        assert [hit["memory"]["id"] for hit in filtered] == [first]

        steps = client.post("/v1/chain", json={"id": first, "hops": 1}).json()["steps"]
        assert [step["memory"]["id"] for step in steps] == [first, second]

        memory = client.get(f"/v1/memories/{second}").json()["memory"]
        assert memory["time"] == "2026-05-01T09:30:00.000Z" and memory["session"] == "morning"
        patched = client.patch(f"/v1/memories/{second}", json={"text": "Ada walks to the lab every day"})
        assert patched.status_code == 200 and patched.json()["memory"]["text"] == "Ada walks to the lab every day"

        page = client.get("/v1/memories", params={"limit": 1}).json()
        assert [m["id"] for m in page["memories"]] == [first] and page["next_after_id"] == first
        rest = client.get("/v1/memories", params={"limit": 1, "after_id": first}).json()
        assert [m["id"] for m in rest["memories"]] == [second] and "next_after_id" not in rest
        matching = client.get("/v1/memories", params={"matching": "walks"}).json()["memories"]
        assert [m["id"] for m in matching] == [second]
        timed = client.get("/v1/memories", params={"from": "2026-05-01", "until": "2026-05-02"}).json()["memories"]
        assert [m["id"] for m in timed] == [second]

        assert client.get("/v1/scopes").json() == {"scopes": [{"scope": "default", "memories": 2}]}
        assert client.delete(f"/v1/memories/{first}").json() == {"forgotten": 1}
        assert client.get(f"/v1/memories/{first}").status_code == 404
        assert client.post("/v1/recall", json={"query": "bicycle shed"}).json()["hits"][0]["memory"]["id"] != first

        client.post("/v1/memories", json={"text": "Bob's note", "scope": "bob"})
        assert client.delete("/v1/scopes/bob").json() == {"forgotten": 1}
        assert client.get("/v1/memories", params={"scope": "bob"}).json()["memories"] == []

        document = client.get("/openapi.json").json()
        assert document["openapi"].startswith("3.1") and "/v1/recall" in document["paths"]


BAD_REQUESTS = [
    # (method, path, body, status, code, field)
    ("POST", "/v1/memories", b"{not json", 400, "malformed_request", None),
    ("POST", "/v1/memories", b"[1, 2]", 400, "malformed_request", None),
    ("POST", "/v1/memories", b"", 400, "malformed_request", None),
    ("POST", "/v1/memories", {"text": 42}, 400, "malformed_request", "text"),
    ("POST", "/v1/memories", {"text": "ok", "colour": "red"}, 400, "malformed_request", "colour"),
    ("POST", "/v1/memories", {}, 400, "malformed_request", "text"),
    ("POST", "/v1/memories", {"text": "x" * 32769}, 422, "invalid_argument", "text"),
    ("POST", "/v1/memories", {"text": "   "}, 422, "invalid_argument", "text"),
    ("POST", "/v1/memories", {"text": "ok", "time": "last Tuesday"}, 422, "invalid_argument", "time"),
    ("POST", "/v1/memories", {"text": "ok", "metadata": {"a": 1}}, 400, "malformed_request", "metadata.a"),
    ("POST", "/v1/memories", {"memories": [{"text": "fine"}, {"text": ""}]}, 422, "invalid_argument", "memories[1].text"),
    ("POST", "/v1/memories", {"memories": [{"text": "t"}] * 129}, 422, "invalid_argument", "memories"),
    ("POST", "/v1/recall", {"query": "q", "k": -1}, 422, "invalid_argument", "k"),
    ("POST", "/v1/recall", {"query": "q", "k": 101}, 422, "invalid_argument", "k"),
    ("POST", "/v1/recall", {"query": "q", "k": "ten"}, 400, "malformed_request", "k"),
    ("POST", "/v1/recall", {"k": 3}, 400, "malformed_request", "query"),
    ("POST", "/v1/chain", {"hops": 2}, 400, "malformed_request", "id"),
    ("POST", "/v1/chain", {"cue": "c", "hops": 33}, 422, "invalid_argument", "hops"),
    ("POST", "/v1/chain", {"cue": "c", "id": 1}, 400, "malformed_request", "cue"),
    ("POST", "/v1/chain", {"id": 999, "hops": 2}, 404, "not_found", "id"),
    ("GET", "/v1/memories/999", None, 404, "not_found", "id"),
    ("GET", "/v1/memories/abc", None, 400, "malformed_request", "id"),
    ("PATCH", "/v1/memories/999", {"text": "new"}, 404, "not_found", "id"),
    ("PATCH", "/v1/memories/1", {"id": 2, "text": "new"}, 400, "malformed_request", "id"),
    ("DELETE", "/v1/memories/999", None, 404, "not_found", "id"),
    ("GET", "/v1/memories?limit=0", None, 422, "invalid_argument", "limit"),
    ("GET", "/v1/memories?limit=501", None, 422, "invalid_argument", "limit"),
    ("GET", "/v1/nothing-here", None, 404, "not_found", None),
]


@pytest.mark.parametrize("method,path,body,status,code,field", BAD_REQUESTS)
def test_bad_requests_get_the_documented_error_and_change_nothing(server, method, path, body, status, code, field):
    with server.client() as client:
        client.post("/v1/memories", json={"text": "An existing memory"})
        before = client.get("/v1/memories").json()
        content = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        response = client.request(method, path, content=content, headers={"content-type": "application/json"})
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["code"] == code and error["message"]
        assert error.get("field") == field
        assert client.get("/v1/memories").json() == before


def test_body_over_the_limit_is_413(server):
    with server.client() as client:
        response = client.post("/v1/recall", content=b"{" + b" " * (4 * 1024 * 1024 + 1) + b"}")
        assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
        assert counts(client) == 0


def test_token_is_required_everywhere_but_healthz(start_server):
    token = "s3cret-token-for-the-test"
    server = start_server(token=token)
    with server.client(token=None) as anonymous:
        assert anonymous.get("/healthz").status_code == 200
        for method, path in [("GET", "/v1/stats"), ("POST", "/v1/recall"), ("GET", "/openapi.json"), ("POST", "/mcp"), ("DELETE", "/v1/scopes/default")]:
            response = anonymous.request(method, path, json={"query": "q"})
            assert response.status_code == 401, (method, path)
            assert response.json()["error"]["code"] == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"
    with server.client(token="planted-wrong-secret") as wrong:
        response = wrong.get("/v1/stats")
        assert response.status_code == 401 and "planted-wrong-secret" not in response.text
    with server.client() as client:
        assert client.get("/v1/stats").status_code == 200
    assert all(token not in line and "planted-wrong-secret" not in line for line in server.log)


def test_fixed_scope_keeps_callers_inside_it(start_server, tmp_path):
    store = tmp_path / "shared.sqlite"
    open_server = start_server(store=store)
    with open_server.client() as client:
        other = client.post("/v1/memories", json={"text": "Bob's bank PIN is in the drawer", "scope": "bob"}).json()["results"][0]["id"]
    open_server.stop()
    alice = start_server(store=store, arguments=["--scope", "alice"])
    with alice.client() as client:
        mine = client.post("/v1/memories", json={"text": "Alice likes green tea"}).json()["results"][0]["id"]
        assert client.get(f"/v1/memories/{mine}").json()["memory"]["scope"] == "alice"
        assert client.get(f"/v1/memories/{other}").status_code == 404
        assert client.delete(f"/v1/memories/{other}").status_code == 404
        forbidden = client.post("/v1/recall", json={"query": "PIN", "scope": "bob"})
        assert forbidden.status_code == 403 and forbidden.json()["error"]["field"] == "scope"
        assert client.post("/v1/memories", json={"text": "x", "scope": "bob"}).status_code == 403
        assert client.delete("/v1/scopes/bob").status_code == 403
        assert [m["id"] for m in client.get("/v1/memories").json()["memories"]] == [mine]
        assert client.get("/v1/scopes").json() == {"scopes": [{"scope": "alice", "memories": 1}]}
        assert client.get("/v1/stats").json() == {"memories": 1, "scopes": 1}
        assert all(hit["memory"]["scope"] == "alice" for hit in client.post("/v1/recall", json={"query": "PIN drawer"}).json()["hits"])


def test_sigterm_finishes_writes_in_flight_and_loses_no_acknowledged_one(start_server):
    server = start_server()
    acknowledged, spanning, lock = [], [], threading.Lock()
    signalled = threading.Event()

    def write(worker):
        with server.client() as client:
            for round in range(1000):
                batch = {"memories": [{"text": f"worker {worker} round {round} item {i} of a write in flight"} for i in range(20)]}
                began_before_signal = not signalled.is_set()
                try:
                    response = client.post("/v1/memories", json=batch)
                except httpx.HTTPError:
                    return
                if response.status_code not in (200, 201):
                    return
                with lock:
                    acknowledged.extend(item["id"] for item in response.json()["results"])
                    if began_before_signal and signalled.is_set():
                        spanning.append(round)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for writer in writers:
        writer.start()
    time.sleep(1.5)
    signalled.set()
    assert server.stop(signal.SIGTERM) == 0
    for writer in writers:
        writer.join()
    assert acknowledged and spanning, "no write was in flight when the signal came"

    reopened = start_server(store=server.store)
    with reopened.client() as client:
        stored = set()
        after = 0
        while True:
            page = client.get("/v1/memories", params={"after_id": after, "limit": 500}).json()
            stored.update(m["id"] for m in page["memories"])
            if "next_after_id" not in page:
                break
            after = page["next_after_id"]
    assert set(acknowledged) <= stored


def test_acknowledged_memories_can_be_read_back(server):
    """Writes, updates and deletes of memories and whole scopes interleaved at random: every id a
    remember returns (stored or the twin of a duplicate) can be read right after."""
    rng = random.Random(7)
    alive = set()

    def text():
        return "".join(rng.choice("abcdefghij \u00e9\u0085\U0001F60D") for _ in range(rng.randint(1, 12))) or "x"

    with server.client() as client:
        for step in range(800):
            roll, scope = rng.random(), rng.choice(["default", "s1", "s2"])
            if roll < 0.45:
                body = ({"text": text(), "scope": scope} if rng.random() < 0.5
                        else {"memories": [{"text": text(), "scope": scope} for _ in range(rng.randint(1, 4))]})
                response = client.post("/v1/memories", json=body)
                if response.status_code not in (200, 201):
                    assert response.status_code == 422, response.text
                    continue
                for item in response.json()["results"]:
                    assert client.get(f"/v1/memories/{item['id']}").status_code == 200, (step, body, response.json())
                    alive.add(item["id"])
            elif roll < 0.7 and alive:
                victim = rng.choice(sorted(alive))
                client.delete(f"/v1/memories/{victim}")
                alive.discard(victim)
            elif roll < 0.75:
                client.delete(f"/v1/scopes/{scope}")
            elif roll < 0.9 and alive:
                client.patch(f"/v1/memories/{rng.choice(sorted(alive))}", json={"text": text()})
            else:
                assert client.post("/v1/recall", json={"query": text(), "scope": scope}).status_code == 200
