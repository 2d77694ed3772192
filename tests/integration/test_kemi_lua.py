"""KEMI routing with Lua (app_lua, cfgengine "lua"): the seed's xhttp event_callback
example, a full Lua routing script answering SIP OPTIONS and serving a small REST API, Lua
errors (logged with file:line, HTTP answered 500, the worker survives), and script reload on
SIGHUP (a broken script keeps the old one running)."""

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import siphon_bin
from helpers import HttpConn, UdpClient, exchange, get, parse_sip, post, request, sip_options

CFG = """
listen=tcp:127.0.0.1:@PORT@
listen=udp:127.0.0.1:@PORT@
children=2
tcp_accept_no_cl=yes
debug=2
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "xhttp.so"
loadmodule "kemix.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "@LUA@")
modparam("xhttp", "event_callback", "ksr_xhttp_event")
cfgengine "lua"
"""

# The example of the xhttp documentation (the seed), verbatim.
SEED_LUA = """
-- event callback function implemented in Lua
function ksr_xhttp_event(evname)
    KSR.info("===== xhttp module triggered event: " .. evname .. "\\n");
    return 1;
end
"""

# A complete routing script: SIP OPTIONS keep-alive answering, everything else 404, and a
# small REST API on the same port.
APP_LUA = r"""
local API = "/api/"

function ksr_request_route()
    if KSR.is_OPTIONS() then
        KSR.hdr.append_to_reply("X-Engine: lua\r\n")
        KSR.sl.sl_send_reply(200, "Keepalive")
        KSR.x.exit()
    end
    if KSR.pv.get("$hdr(X-Drop)") == "yes" then
        KSR.x.drop()
    end
    KSR.sl.send_reply(404, "Not here")
end

local function json_reply(code, reason, tbl)
    KSR.xhttp.xhttp_reply(code, reason, "application/json", tbl)
end

local routes = {}

routes["GET /api/counter"] = function()
    json_reply(200, "OK", string.format('{"value":%d}', KSR.pvx.shv_get("counter") or 0))
end

routes["POST /api/counter"] = function()
    local step = tonumber(KSR.pv.get("$rb")) or 1
    local v = (KSR.pvx.shv_get("counter") or 0) + step
    KSR.pvx.shv_seti("counter", v)
    json_reply(201, "Created", string.format('{"value":%d}', v))
end

routes["DELETE /api/counter"] = function()
    KSR.pvx.shv_seti("counter", 0)
    json_reply(200, "OK", '{"value":0}')
end

routes["GET /api/echo"] = function()
    local q = KSR.pv.get("$(hu{url.querystring})") or ""
    local ua = KSR.hdr.get("User-Agent") or "none"
    json_reply(200, "OK", string.format('{"query":"%s","ua":"%s","method":"%s"}',
        q, ua, KSR.kx.get_method()))
end

function ksr_xhttp_event(evname)
    local path = KSR.pv.get("$(hu{url.path})")
    local handler = routes[KSR.kx.get_method() .. " " .. path]
    if handler then
        handler()
        return 1
    end
    if string.sub(path, 1, #API) == API then
        for key, _ in pairs(routes) do
            if string.find(key, " " .. path, 1, true) then
                KSR.hdr.append_to_reply("Allow: GET, POST, DELETE\r\n")
                json_reply(405, "Method Not Allowed", '{"error":"method"}')
                return 1
            end
        end
    end
    json_reply(404, "Not Found", '{"error":"no such resource"}')
    return 1
end
"""


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def start(siphon, tmp_path, lua_text, cfg=CFG, name="script.lua"):
    lua = tmp_path / name
    write(lua, lua_text)
    return siphon(cfg=cfg.replace("@LUA@", str(lua))), lua


def wait_for(pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------- seed example

def test_seed_example_callback_runs_with_event_name(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, SEED_LUA)
    r = exchange(s.port, get("/anything"))
    # The callback sends nothing: siphon answers no_reply_code (500) instead of leaving the
    # client hanging as Kamailio does.
    assert r.status == 500
    assert wait_for(lambda: "xhttp module triggered event: xhttp:request" in s.log()), s.log()


def test_event_callback_reply_and_keep_alive(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, APP_LUA)
    with HttpConn(s.port) as c:
        for i in range(3):
            c.send(get(f"/api/echo?n={i}", headers=[("User-Agent", "pytest")]))
            r = c.read_response()
            assert r.status == 200
            assert r.header("Content-Type") == "application/json"
            assert json.loads(r.body) == {"query": f"n={i}", "ua": "pytest", "method": "GET"}
        # Callback return values never close the connection (measured on Kamailio).
        assert c.is_open()


# ---------------------------------------------------------------------------- full script

def test_lua_routing_answers_sip_options_udp_and_tcp(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, APP_LUA)
    with UdpClient() as u:
        status, headers, _, _ = parse_sip(u.ask(s.port, sip_options(u.port, s.port)))
        assert status == "SIP/2.0 200 Keepalive"
        assert ("X-Engine", "lua") in headers
        assert any(n == "To" and ";tag=" in v for n, v in headers)
        status, _, _, _ = parse_sip(u.ask(s.port, sip_options(u.port, s.port, method="INVITE",
                                                              branch="z9hG4bK-inv")))
        assert status == "SIP/2.0 404 Not here"
    t = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    try:
        t.sendall(sip_options(t.getsockname()[1], s.port, transport="TCP"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = t.recv(4096)
            assert chunk, "connection closed"
            data += chunk
        assert data.startswith(b"SIP/2.0 200 Keepalive\r\n")
    finally:
        t.close()


def test_lua_drop_sends_nothing(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, APP_LUA)
    msg = sip_options(0, s.port, method="INVITE", branch="z9hG4bK-drop")
    msg = msg.replace(b"X-Custom: yes", b"X-Drop: yes")
    with UdpClient(timeout=0.5) as u:
        with pytest.raises(TimeoutError):
            u.ask(s.port, msg.replace(b"127.0.0.1:0;", f"127.0.0.1:{u.port};".encode()), tries=1)
        # The worker is fine afterwards.
        status, _, _, _ = parse_sip(u.ask(s.port, sip_options(u.port, s.port, branch="z9hG4bK-2")))
        assert status == "SIP/2.0 200 Keepalive"


def test_rest_example(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, APP_LUA)
    r = exchange(s.port, request("DELETE", "/api/counter"))
    assert (r.status, json.loads(r.body)) == (200, {"value": 0})
    for expect in (1, 6):
        r = exchange(s.port, post("/api/counter", b"1" if expect == 1 else b"5"))
        assert r.status == 201 and r.reason == "Created"
        assert json.loads(r.body) == {"value": expect}
    # $shv is shared by the workers: several connections see the same value.
    for _ in range(4):
        r = exchange(s.port, get("/api/counter"))
        assert json.loads(r.body) == {"value": 6}
    r = exchange(s.port, request("PUT", "/api/counter"))
    assert r.status == 405 and r.header("Allow") == "GET, POST, DELETE"
    r = exchange(s.port, get("/nope"))
    assert r.status == 404 and json.loads(r.body) == {"error": "no such resource"}


def test_rest_example_with_curl(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, APP_LUA)
    p = subprocess.run(["curl", "-sS", "--max-time", "10", "-X", "POST", "--data", "3",
                        f"http://127.0.0.1:{s.port}/api/counter"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=15)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"value": 3}


# ---------------------------------------------------------------------------- errors

ERROR_LUA = """
function ksr_request_route()
    if KSR.is_INVITE() then
        local t = nil
        return t.field          -- line 5: runtime error
    end
    KSR.sl.sl_send_reply(200, "OK")
end

function ksr_xhttp_event(evname)
    if KSR.xhttp.get_hu() == "/boom" then
        error("boom")           -- line 12
    end
    if KSR.xhttp.get_hu() == "/badarg" then
        KSR.sl.sl_send_reply("not a number", "x")
    end
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "fine")
end
"""


def test_lua_errors_are_logged_with_position_and_answered_500(siphon, tmp_path):
    s, lua = start(siphon, tmp_path, ERROR_LUA)
    r = exchange(s.port, get("/boom"))
    assert r.status == 500
    assert wait_for(lambda: f"{lua.name}:12: boom" in s.log()), s.log()
    r = exchange(s.port, get("/badarg"))
    assert r.status == 500
    assert wait_for(lambda: "bad argument #1 to 'KSR.sl.sl_send_reply'" in s.log()), s.log()
    # The same workers go on serving.
    for _ in range(4):
        r = exchange(s.port, get("/ok"))
        assert (r.status, r.body) == (200, b"fine")


def test_lua_error_in_sip_route_is_left_to_the_script(siphon, tmp_path):
    s, lua = start(siphon, tmp_path, ERROR_LUA)
    with UdpClient(timeout=0.5) as u:
        with pytest.raises(TimeoutError):
            u.ask(s.port, sip_options(u.port, s.port, method="INVITE"), tries=1)
        assert wait_for(lambda: f"{lua.name}:5:" in s.log()), s.log()
        u.sock.settimeout(2.0)
        status, _, _, _ = parse_sip(u.ask(s.port, sip_options(u.port, s.port, branch="z9hG4bK-ok")))
        assert status == "SIP/2.0 200 OK"
    assert s.alive()


def test_missing_callback_function_is_answered_500(siphon, tmp_path):
    s, _ = start(siphon, tmp_path, "function ksr_request_route() end\n")
    r = exchange(s.port, get("/x"))
    assert r.status == 500
    assert wait_for(lambda: "no function ksr_xhttp_event()" in s.log()), s.log()


@pytest.mark.parametrize("lua_text,expect", [
    ("function ksr_xhttp_event(\n", ":2:"),
    ("error('refusing to load')\n", ":1: refusing to load"),
])
def test_broken_script_is_a_config_error(tmp_path, lua_text, expect):
    lua = tmp_path / "broken.lua"
    write(lua, lua_text)
    cfg = tmp_path / "broken.cfg"
    write(cfg, CFG.replace("@PORT@", "5060").replace("@LUA@", str(lua)))
    p = subprocess.run([siphon_bin(), "-c", "-f", str(cfg)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    assert p.returncode == 1
    err = p.stderr.decode()
    # Lua shortens long chunk names from the left ("...st_x0/broken.lua:2:").
    assert "failed to load Lua script: " in err and f"broken.lua{expect}" in err, err


def test_event_callback_needs_the_lua_engine(tmp_path):
    lua = tmp_path / "x.lua"
    write(lua, SEED_LUA)
    cfg = tmp_path / "native.cfg"
    write(cfg, CFG.replace("@PORT@", "5060").replace("@LUA@", str(lua)).replace('cfgengine "lua"', ""))
    p = subprocess.run([siphon_bin(), "-c", "-f", str(cfg)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    assert p.returncode == 1
    assert b"needs a KEMI engine" in p.stderr


# ---------------------------------------------------------------------------- reload

def version_lua(v):
    return f"""
loads = (loads or 0) + 1
function ksr_request_route()
    KSR.sl.sl_send_reply(200, "OK")
end
function ksr_xhttp_event(evname)
    KSR.xhttp.xhttp_reply(200, "OK", "text/plain", "{v} loads=" .. loads)
end
"""


def body_of(port):
    return exchange(port, get("/v")).body.decode()


def test_sighup_reloads_the_script_in_every_worker(siphon, tmp_path):
    s, lua = start(siphon, tmp_path, version_lua("v1"))
    assert body_of(s.port).startswith("v1 ")
    write(lua, version_lua("v2"))
    os.kill(s.pid, signal.SIGHUP)
    assert wait_for(lambda: "script reloaded" in s.log()), s.log()
    # Every connection (whatever worker takes it) now runs v2, in the worker's existing
    # state: the global `loads` survived and was incremented.
    bodies = {body_of(s.port) for _ in range(8)}
    assert all(b.startswith("v2 ") for b in bodies), bodies
    assert all(b != "v2 loads=1" for b in bodies), bodies


def test_reload_of_a_broken_script_keeps_the_old_one(siphon, tmp_path):
    s, lua = start(siphon, tmp_path, version_lua("v1"))
    assert body_of(s.port).startswith("v1 ")
    write(lua, "function ksr_xhttp_event(\n")
    os.kill(s.pid, signal.SIGHUP)
    assert wait_for(lambda: "reload failed" in s.log()), s.log()
    assert f"{lua.name}:2:" in s.log()
    for _ in range(4):
        assert body_of(s.port).startswith("v1 ")
    assert s.alive()
