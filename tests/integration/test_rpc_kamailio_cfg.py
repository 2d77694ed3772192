"""Kamailio's default kamailio.cfg JSON-RPC section (WITH_JSONRPC) on siphon:
tests/configs/kamailio_jsonrpc.cfg holds those lines verbatim (checked here against
tests/cfg/kamailio/kamailio.cfg) and the commands operators use are run against it through
curl and through tools/siphon-ctl. When the reference Kamailio is installed, the same file
runs on it too and the reply shapes (member names, value types) must be the same."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import Siphon
from helpers import ROOT, free_port
from test_rpc_helpers import ctl

CFG = os.path.join(ROOT, "tests", "configs", "kamailio_jsonrpc.cfg")
KAMAILIO_CFG = os.path.join(ROOT, "tests", "cfg", "kamailio", "kamailio.cfg")
KAMAILIO_BIN = "/usr/sbin/kamailio"
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
CURL_TIMEOUT_S = 10

# The commands of the issue, with their parameters.
COMMANDS = [
    ("core.version", []),
    ("core.uptime", []),
    ("core.info", []),
    ("core.psx", []),
    ("core.sockets_list", []),
    ("core.echo", ["one", "two words"]),
    ("core.shmmem", []),
    ("core.tcp_info", []),
    ("stats.get_statistics", ["all"]),
    ("system.listMethods", []),
]


def test_verbatim_sections():
    with open(KAMAILIO_CFG, encoding="utf-8") as f:
        ref = f.read().split("\n")
    with open(CFG, encoding="utf-8") as f:
        ours = f.read()
    marks = list(re.finditer(r"^# ---- verbatim: lines (\d+)-(\d+)\n", ours, re.M))
    assert len(marks) == 4
    for m in marks:
        a, b = int(m.group(1)), int(m.group(2))
        block = "\n".join(ref[a - 1:b]) + "\n"
        assert ours[m.end():m.end() + len(block)] == block, f"lines {a}-{b} differ"
    assert "jsonrpc_dispatch();" in ours and "#!define WITH_JSONRPC" in ours
    assert not re.search(r"^\s*listen\s*=", ours, re.M)   # as the default config: none


def test_config_check_passes():
    binary = os.environ.get("SIPHON_BIN", os.path.join(ROOT, "build", "siphon"))
    p = subprocess.run([binary, "-c", "-f", CFG], capture_output=True, text=True, timeout=20)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.fixture
def server(tmp_path, request):
    """siphon with the config file as it is; the listen addresses come from -l."""
    port = free_port()
    run = tmp_path / "run"
    run.mkdir()
    with open(CFG, encoding="utf-8") as f:
        text = f.read()
    s = Siphon(str(tmp_path), text, port,
               args=["-l", f"tcp:127.0.0.1:{port}", "-l", f"udp:127.0.0.1:{port}",
                     "-Y", str(run)])
    request.node._siphons = [s]
    s.start()
    s.rundir = str(run)
    yield s
    died = s.proc.poll() is not None
    rc = s.stop()
    assert not died and rc == 0, f"siphon exited with {rc}:\n" + s.log()[-5000:]


def curl_rpc(port, method, params, path="/RPC"):
    """The request as an operator writes it with curl; returns (status, parsed JSON)."""
    curl = shutil.which("curl")
    assert curl, "curl is not installed (scripts/setup.sh test installs it)"
    doc = {"jsonrpc": "2.0", "method": method, "id": 1}
    if params:
        doc["params"] = params
    p = subprocess.run([curl, "-sS", "--max-time", str(CURL_TIMEOUT_S), "-o", "-",
                        "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                        "--data", json.dumps(doc), f"http://127.0.0.1:{port}{path}"],
                       capture_output=True, text=True, timeout=CURL_TIMEOUT_S + 5)
    assert p.returncode == 0, p.stderr
    body, _, code = p.stdout.rpartition("\n")
    return int(code), body


def check_shape(method, r, port, server_name="siphon", over_tcp=True):
    """The reply shapes of Kamailio 5.6.3 (recorded with its jsonrpcs)."""
    if method == "core.version":
        assert isinstance(r, str) and r.startswith(server_name + " ")
    elif method == "core.uptime":
        assert set(r) == {"now", "up_since", "uptime"} and isinstance(r["uptime"], int)
        assert isinstance(r["now"], str) and isinstance(r["up_since"], str)
    elif method == "core.info":
        assert list(r) == ["version", "id", "compiler", "compiled", "flags"]
        assert all(isinstance(v, str) for v in r.values())
    elif method == "core.psx":
        assert isinstance(r, list) and r and all(list(x) == ["IDX", "PID", "DSC"] for x in r)
        assert all(isinstance(x["IDX"], int) and isinstance(x["PID"], int) for x in r)
        assert r[0]["DSC"] == "main process - attendant"
    elif method == "core.sockets_list":
        socks = {(x["socket"]["proto"], x["socket"]["address"], x["socket"]["port"]) for x in r}
        assert {("tcp", "127.0.0.1", str(port)), ("udp", "127.0.0.1", str(port))} <= socks
        for x in r:
            assert list(x) == ["socket"]
            assert {"proto", "address", "port", "mcast", "mhomed"} <= set(x["socket"])
    elif method == "core.echo":
        assert r == ["one", "two words"]
    elif method == "core.shmmem":
        assert list(r) == ["total", "free", "used", "real_used", "max_used", "fragments"]
        assert all(isinstance(v, int) and v >= 0 for v in r.values())
    elif method == "core.tcp_info":
        assert set(r) >= {"readers", "max_connections", "max_tls_connections",
                          "opened_connections", "opened_tls_connections", "write_queued_bytes"}
        assert all(isinstance(v, int) for v in r.values())
        if over_tcp:
            assert r["opened_connections"] >= 1    # this request's own connection
    elif method == "stats.get_statistics":
        assert isinstance(r, list) and r
        assert all(re.fullmatch(r"[a-z_0-9]+:[A-Za-z_0-9]+ = -?\d+", x) for x in r), r[:5]
        names = {x.split(" = ")[0] for x in r}
        assert {"core:rcv_requests", "shmem:used_size", "tcp:current_opened_connections"} <= names
    elif method == "system.listMethods":
        assert isinstance(r, list) and all(isinstance(x, str) for x in r)
        assert {m for m, _ in COMMANDS} <= set(r)
    else:
        raise AssertionError(method)


def test_commands_through_curl(server):
    for method, params in COMMANDS:
        code, body = curl_rpc(server.port, method, params)
        assert code == 200, (method, code, body)
        # pretty_format 1: cJSON's tab-indented layout.
        assert body.startswith("{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t"), body[:80]
        reply = json.loads(body)
        assert list(reply) == ["jsonrpc", "result", "id"] and reply["id"] == 1
        check_shape(method, reply["result"], server.port)
    # The section's other answers.
    code, body = curl_rpc(server.port, "no.such", [])
    assert code == 500 and json.loads(body)["error"] == {"code": 500, "message": "Method Not Found"}
    code, body = curl_rpc(server.port, "core.version", [], path="/other")
    assert code == 200 and body == "<html><body>Wrong URL /other</body></html>"
    assert server.alive()


def test_commands_through_siphon_ctl(server):
    addrs = [f"http://127.0.0.1:{server.port}/RPC",
             f"unix:{server.rundir}/kamailio_rpc.sock",
             f"fifo:{server.rundir}/kamailio_rpc.fifo"]
    for method, params in COMMANDS:
        for addr in addrs:
            rc, out, err = ctl("-s", addr, "--json", method, *params)
            assert rc == 0, (addr, method, rc, err)
            check_shape(method, json.loads(out), server.port, over_tcp=addr.startswith("http"))
    # Plain (kamcmd-like) output of a struct and of a list.
    rc, out, _ = ctl("-s", addrs[0], "core.uptime")
    assert rc == 0 and re.search(r"^\tuptime: \d+$", out, re.M), out
    rc, out, _ = ctl("-s", addrs[0], "stats.get_statistics", "all")
    assert rc == 0 and re.search(r"^core:rcv_requests = \d+$", out, re.M), out[:300]


# ---- the same file on the reference Kamailio (when installed)

def shape_of(v):
    if isinstance(v, dict):
        return {k: shape_of(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape_of(v[0])] if v else []
    return type(v).__name__


@pytest.mark.slow
def test_same_shapes_as_kamailio(server, tmp_path):
    if not os.access(KAMAILIO_BIN, os.X_OK):
        pytest.skip("the reference Kamailio is not installed (scripts/setup.sh bench)")
    port = free_port()
    kdir = tmp_path / "kamailio"
    (kdir / "run").mkdir(parents=True)
    log = open(kdir / "log", "wb")
    proc = subprocess.Popen([KAMAILIO_BIN, "-f", CFG, "-DD", "-E", "-L", KAMAILIO_MODULES,
                             "-Y", str(kdir / "run"), "-w", str(kdir),
                             "-l", f"tcp:127.0.0.1:{port}", "-l", f"udp:127.0.0.1:{port}"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            cwd=str(kdir), start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, open(kdir / "log", "rb").read()[-3000:]
            try:
                if curl_rpc(port, "core.version", [])[0] == 200:
                    break
            except AssertionError:
                pass
            assert time.monotonic() < deadline, "Kamailio did not answer in 15 s"
            time.sleep(0.1)   # poll interval while Kamailio starts
        for method, params in COMMANDS:
            if method in ("system.listMethods", "stats.get_statistics"):
                continue    # lists of names: the sets differ by design
            _, kbody = curl_rpc(port, method, params)
            _, sbody = curl_rpc(server.port, method, params)
            k, s = json.loads(kbody)["result"], json.loads(sbody)["result"]
            check_shape(method, k, port, server_name="kamailio")
            if method == "core.tcp_info":
                assert set(s) == set(k), (set(s) ^ set(k))
            elif method == "core.sockets_list":
                assert shape_of(s[0]) == shape_of(k[0]), (s[0], k[0])
            else:
                assert shape_of(s) == shape_of(k), (method, s, k)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)    # Kamailio's worker processes
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(5)
        log.close()
