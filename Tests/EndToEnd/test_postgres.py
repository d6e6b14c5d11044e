"""Engram over PostgreSQL: several `engram serve` processes on one database, and the faults a
shared database brings (a server killed in an import, the database restarted under a running
server, servers writing one scope at once). The database's password is planted and must never
show in logs, responses, `--help` or errors."""

import json
import os
import random
import signal
import subprocess
import threading
import time

import httpx
import pytest

from conftest import ENGRAM, distinct_text


def all_ids(client, scope=None):
    ids, after = [], 0
    while True:
        params = {"after_id": after, "limit": 500}
        if scope:
            params["scope"] = scope
        page = client.get("/v1/memories", params=params).json()
        ids += [m["id"] for m in page["memories"]]
        if "next_after_id" not in page:
            return ids
        after = page["next_after_id"]


def test_servers_see_each_others_writes_and_scopes_stay_apart(postgres, start_server):
    url = postgres.fresh_database()
    a, b = start_server(store=url), start_server(store=url)
    with a.client() as first, b.client() as second:
        stored = first.post("/v1/memories", json={"text": "the harbour ferry leaves at seven", "scope": "alice"})
        assert stored.status_code == 201, stored.text
        ferry = stored.json()["results"][0]["id"]
        # B recalls alice before and after A's next write: each time it sees A's writes.
        assert second.post("/v1/recall", json={"query": "harbour ferry", "scope": "alice"}).json()["hits"][0]["memory"]["id"] == ferry
        later = first.post("/v1/memories", json={"text": "the mountain train departs at noon", "scope": "alice"}).json()["results"][0]["id"]
        hits = second.post("/v1/recall", json={"query": "mountain train", "scope": "alice", "k": 2}).json()["hits"]
        assert hits[0]["memory"]["id"] == later
        first.post("/v1/memories", json={"text": "bob's garden shed", "scope": "bob"})
        assert [h["memory"]["scope"] for h in second.post("/v1/recall", json={"query": "garden shed", "scope": "alice"}).json()["hits"]] == ["alice", "alice"]
        # A forget on B is gone for A.
        assert second.delete(f"/v1/memories/{ferry}").json() == {"forgotten": 1}
        assert first.get(f"/v1/memories/{ferry}").status_code == 404
        assert ferry not in [h["memory"]["id"] for h in first.post("/v1/recall", json={"query": "harbour ferry", "scope": "alice"}).json()["hits"]]
        stats = first.get("/v1/stats").json()
        assert stats["memories"] == 2 and postgres.password not in json.dumps(stats)


def test_four_servers_writing_one_scope_lose_nothing_and_share_no_id(postgres, start_server):
    url = postgres.fresh_database()
    servers = [start_server(store=url) for _ in range(4)]
    per_worker, results, errors = 60, {}, []

    def write(number):
        rng = random.Random(number)
        with servers[number].client() as client:
            ids = []
            for i in range(per_worker):
                response = client.post("/v1/memories", json={"memories": [
                    {"text": distinct_text(rng, f"w{number} i{i} j{j}"), "session": f"w{number}"} for j in range(2)]})
                if response.status_code not in (200, 201):
                    errors.append(response.text)
                    return
                ids += [item["id"] for item in response.json()["results"] if item["status"] == "stored"]
            results[number] = ids

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    acknowledged = [i for ids in results.values() for i in ids]
    assert len(acknowledged) == 4 * per_worker * 2 and len(set(acknowledged)) == len(acknowledged)
    for server in servers:
        with server.client() as client:
            assert sorted(all_ids(client)) == sorted(acknowledged)


def test_a_server_killed_during_an_import_keeps_every_acknowledged_memory(postgres, model_dir, tmp_path):
    url = postgres.fresh_database()
    lines = [json.dumps({"text": f"memory {i} of a long import, item {i * 7 % 1000}", "scope": "bulk"}) for i in range(20_000)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n")
    process = subprocess.Popen([str(ENGRAM), "import", str(tmp_path / "big.jsonl"), "--store", url, "--json", "--keep-duplicates",
                                "--model-dir", str(model_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = 0
    for line in process.stdout:
        committed = json.loads(line).get("committed")
        if committed:
            acknowledged = max(acknowledged, committed)
        if acknowledged >= 640:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and acknowledged >= 640, process.stderr.read()
    listed = subprocess.run([str(ENGRAM), "list", "--store", url, "--scope", "bulk", "--limit", "20000", "--json", "--model-dir", str(model_dir)],
                            capture_output=True, text=True, check=True)
    texts = [m["text"] for m in json.loads(listed.stdout)["memories"]]
    assert acknowledged <= len(texts) < 20_000
    assert texts[:acknowledged] == [f"memory {i} of a long import, item {i * 7 % 1000}" for i in range(acknowledged)]


def test_a_database_restart_gives_503_then_recovers_by_itself(postgres, start_server):
    url = postgres.fresh_database()
    server = start_server(store=url)
    with server.client() as client:
        assert client.post("/v1/memories", json={"text": "before the restart"}).status_code == 201
        postgres.stop("fast")
        try:
            down = client.post("/v1/recall", json={"query": "before the restart"})
            assert down.status_code == 503, down.text
            error = down.json()["error"]
            assert error["code"] == "unavailable" and "PostgreSQL" in error["message"]
            assert postgres.password not in down.text
            write = client.post("/v1/memories", json={"text": "while it is down"})
            assert write.status_code == 503
        finally:
            postgres.start()
        deadline = time.time() + 30
        while True:
            response = client.post("/v1/recall", json={"query": "before the restart"})
            if response.status_code == 200 or time.time() > deadline:
                break
            time.sleep(0.5)
        assert response.status_code == 200 and response.json()["hits"][0]["memory"]["text"] == "before the restart"
        assert client.post("/v1/memories", json={"text": "after the restart"}).status_code == 201
        assert [m["text"] for m in client.get("/v1/memories").json()["memories"]] == ["before the restart", "after the restart"]
    assert server.stop() == 0
    assert postgres.password not in "".join(server.log)


def test_the_password_never_shows(postgres, model_dir, start_server):
    url = postgres.fresh_database()
    server = start_server(store=url)
    with server.client() as client:
        client.post("/v1/memories", json={"text": "a planted password must not leak"})
        bodies = [client.get(path).text for path in ("/v1/stats", "/v1/scopes", "/v1/memories", "/openapi.json")]
    server.stop()
    wrong = url.replace(postgres.password, postgres.password + "x")
    runs = [
        subprocess.run([str(ENGRAM), "stats", "--store", url, "--model-dir", str(model_dir)], capture_output=True, text=True),
        subprocess.run([str(ENGRAM), "stats", "--store", url, "--json", "--model-dir", str(model_dir)], capture_output=True, text=True),
        # A wrong password and an unreachable port: the errors name the store without it.
        subprocess.run([str(ENGRAM), "stats", "--store", wrong, "--model-dir", str(model_dir)], capture_output=True, text=True),
        subprocess.run([str(ENGRAM), "stats", "--store", url.replace(str(postgres.port), "1"), "--model-dir", str(model_dir)],
                       capture_output=True, text=True),
        subprocess.run([str(ENGRAM), "serve", "--help"], capture_output=True, text=True, env=dict(os.environ, ENGRAM_STORE=url)),
    ]
    assert runs[0].returncode == 0 and "***" in runs[0].stdout, runs[0].stdout + runs[0].stderr
    assert runs[2].returncode != 0 and "SQLSTATE 28P01" in runs[2].stderr, runs[2].stderr
    assert runs[3].returncode != 0 and "cannot reach PostgreSQL" in runs[3].stderr, runs[3].stderr
    everything = "".join(server.log) + "".join(bodies) + "".join(r.stdout + r.stderr for r in runs)
    assert postgres.password not in everything
