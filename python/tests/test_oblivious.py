"""Oblivious tokens through a real key server (the debug pseudolink-server
with the demo key-server config), against the JS client's tokens and codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request

import pytest

import pseudolink as pl
from conftest import ROOT

SERVER = ROOT / "target" / "debug" / "pseudolink-server"
CONFIG = ROOT / "demo" / "keyserver" / "keyserver.json"
API_KEY = "sk_demo_company_keyserver_not_secret"  # DEMO ONLY (demo/keyserver/keyserver.json)
DEFINITION = {"version": 1, "fields": ["email", "phone"], "defaultRegion": "US"}


@pytest.fixture(scope="module")
def keyserver(tmp_path_factory):
    if not SERVER.exists():
        pytest.skip("target/debug/pseudolink-server not built (make test builds it in test-server)")
    db = tmp_path_factory.mktemp("ks") / "orders.sqlite"
    proc = subprocess.Popen(
        [str(SERVER), "--port", "0", "--www", "www", "--pkg", "pkg", "--db", str(db),
         "--keyserver", str(CONFIG), "--keyserver-port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = None
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.search(r"keyserver listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "the key server did not start"
    keys = json.load(urllib.request.urlopen(f"{url}/v1/keys", timeout=10))
    pins = {k["version"]: k["publicKey"] for k in keys["keys"] if k["version"] == keys["activeKey"]}
    yield url, pins
    proc.terminate()
    proc.wait(timeout=10)


def test_tokens_batches_and_js_equality(keyserver):
    url, pins = keyserver
    p = pl.ObliviousPseudonymizer(endpoint=url, public_key=pins, api_key=API_KEY,
                                  definition=DEFINITION, max_batch=3)
    records = [{"email": f"user{i}@example.com", "phone": f"+1 415 555 01{i:02d}"} for i in range(5)]
    records.append({"email": "no-at-sign"})
    progress = []
    out = p.tokenize_batch(records, on_progress=lambda d, t: progress.append((d, t)))
    (version,) = pins
    assert out[0]["tokens"][0].startswith(f"po1.email.{version}.")
    assert out[5]["tokens"] == [] and out[5]["errors"][0]["code"] == "email.missing_at"
    assert progress[-1] == (6, 6) and len(progress) == 6  # one record per request (3 // 2)
    # Oblivious tokens are deterministic: a second run, and the JS client, agree.
    assert p.tokenize(records[0]) == out[0]
    node = shutil.which("node")
    if node and (ROOT / "pkg" / "pseudolink_oblivious_bg.wasm").exists():
        script = (
            "import { ObliviousPseudonymizer } from './pkg/oblivious-node.js';"
            f"const p = new ObliviousPseudonymizer({json.dumps({'endpoint': url, 'publicKey': pins, 'apiKey': API_KEY, 'definition': DEFINITION})});"
            f"console.log(JSON.stringify(await p.tokenize({json.dumps(records[0])})));"
        )
        js = json.loads(subprocess.run([node, "--input-type=module", "-e", script], cwd=ROOT,
                                       check=True, capture_output=True, text=True).stdout)
        assert js["tokens"] == out[0]["tokens"]


def test_refusals_carry_the_js_codes(keyserver):
    url, pins = keyserver
    bad_key = pl.ObliviousPseudonymizer(endpoint=url, public_key=pins, api_key="pk_wrong", definition=DEFINITION)
    with pytest.raises(pl.ObliviousError) as e:
        bad_key.tokenize({"email": "a@b.com"})
    assert e.value.code == "server.refused" and e.value.status == 401 and e.value.server_code

    (version,) = pins
    other_pin = {version: "TEMruJRcsqoTeSoMIMxIPzhV9dTFO0qv5k0oQqdW5k8"}  # another version's key
    wrong_pin = pl.ObliviousPseudonymizer(endpoint=url, public_key=other_pin, api_key=API_KEY, definition=DEFINITION)
    with pytest.raises(pl.ObliviousError) as e:
        wrong_pin.tokenize({"email": "a@b.com"})
    assert e.value.code == "oblivious.verification_failed"

    closed = pl.ObliviousPseudonymizer(endpoint="http://127.0.0.1:9", public_key=pins, definition=DEFINITION)
    with pytest.raises(pl.ObliviousError) as e:
        closed.tokenize({"email": "a@b.com"})
    assert e.value.code == "network.failed"


def test_rate_limit_and_bad_answers_without_a_server():
    pins = {"v1": "Gtp_ynld6MWwMkKorbUHWk_2XhoA-WzBxI6If0kIuSo"}

    def limited(url, body, headers, timeout):
        return 429, {"Retry-After": "7"}, b'{"error":"rate.limited"}'

    p = pl.ObliviousPseudonymizer(endpoint="https://keys.example", public_key=pins,
                                  definition=DEFINITION, transport=limited)
    with pytest.raises(pl.ObliviousError) as e:
        p.tokenize({"email": "a@b.com"})
    assert (e.value.code, e.value.status, e.value.server_code, e.value.retry_after) == (
        "server.refused", 429, "rate.limited", 7.0)

    def garbage(url, body, headers, timeout):
        return 200, {}, b'{"keyVersion":"v1","evaluated":["AA"],"proof":"AA"}'

    p = pl.ObliviousPseudonymizer(endpoint="https://keys.example", public_key=pins,
                                  definition=DEFINITION, transport=garbage)
    with pytest.raises(pl.ObliviousError) as e:
        p.tokenize({"email": "a@b.com"})
    assert e.value.code == "oblivious.invalid_response"
    with pytest.raises(pl.ObliviousError) as e:
        pl.ObliviousPseudonymizer(endpoint="keys.example", public_key=pins, definition=DEFINITION)
    assert e.value.code == "option.invalid"
    with pytest.raises(pl.ObliviousError) as e:
        pl.ObliviousPseudonymizer(endpoint="https://k.example", public_key={"v1": "bad"}, definition=DEFINITION)
    assert e.value.code == "oblivious.invalid_public_key"
