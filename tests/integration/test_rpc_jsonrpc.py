"""jsonrpcs: JSON-RPC over HTTP (Kamailio's default kamailio.cfg WITH_JSONRPC section, used
unchanged), FIFO, UNIX datagram and stream sockets, jsonrpc_exec()/$jsonrpl, errors, and
siphon-ctl against a running server. Reply shapes are those of Kamailio 5.6.3."""

import json
import os
import random
import socket
import threading
import time

import pytest

from helpers import ROOT
from test_rpc_helpers import call, ctl, dgram_rpc, http_rpc, result, stream_rpc

# The JSON-RPC parts of Kamailio 5.6's default kamailio.cfg (WITH_JSONRPC), verbatim.
KAMAILIO_CFG_JSONRPC = """\
#!ifdef WITH_JSONRPC
tcp_accept_no_cl=yes
#!endif
#!ifdef WITH_JSONRPC
loadmodule "xhttp.so"
#!endif
loadmodule "jsonrpcs.so"
# ----- jsonrpcs params -----
modparam("jsonrpcs", "pretty_format", 1)
/* set the path to RPC fifo control file */
# modparam("jsonrpcs", "fifo_name", "/run/kamailio/kamailio_rpc.fifo")
/* set the path to RPC unix socket control file */
# modparam("jsonrpcs", "dgram_socket", "/run/kamailio/kamailio_rpc.sock")
#!ifdef WITH_JSONRPC
modparam("jsonrpcs", "transport", 7)
#!endif
"""

KAMAILIO_CFG_XHTTP_ROUTE = """\
# JSONRPC over HTTP(S) routing
#!ifdef WITH_JSONRPC
event_route[xhttp:request] {
	set_reply_close();
	set_reply_no_connect();
	if(src_ip!=127.0.0.1) {
		xhttp_reply("403", "Forbidden", "text/html",
				"<html><body>Not allowed from $si</body></html>");
		exit;
	}
	if ($hu =~ "^/RPC") {
		jsonrpc_dispatch();
		exit;
	}

	xhttp_reply("200", "OK", "text/html",
				"<html><body>Wrong URL $hu</body></html>");
	exit;
}
#!endif
"""


def reference_cfg():
    for base in (os.path.join(ROOT, "..", "shared"), "/work/shared"):
        p = os.path.join(base, "reference", "kamailio", "kamailio.cfg")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                return f.read()
    return None


def test_sections_are_verbatim_copies_of_kamailio_cfg():
    text = reference_cfg()
    if text is None:
        pytest.skip("reference kamailio.cfg not available")
    assert KAMAILIO_CFG_XHTTP_ROUTE in text
    for line in KAMAILIO_CFG_JSONRPC.splitlines():
        assert line in text.splitlines(), line


def kamailio_style_cfg(extra_modparams=""):
    return (
        "#!define WITH_JSONRPC\n"
        "listen=tcp:127.0.0.1:@PORT@\nlisten=udp:127.0.0.1:@PORT@\nchildren=2\n"
        # siphon checks module dependencies in load order: sl before xhttp.
        + 'loadmodule "sl.so"\n'
        + KAMAILIO_CFG_JSONRPC
        + 'loadmodule "pv.so"\nloadmodule "xlog.so"\nloadmodule "statistics.so"\n'
        + 'modparam("statistics", "variable", "register_counter")\n'
        + extra_modparams
        + 'request_route {\n    update_stat("register_counter", "+1");\n'
        + '    sl_send_reply("404", "Not here");\n    exit;\n}\n'
        + KAMAILIO_CFG_XHTTP_ROUTE
    )


@pytest.fixture
def kam(siphon, tmp_path):
    """The WITH_JSONRPC setup; FIFO and datagram socket in the runtime dir given by -Y."""
    s = siphon(cfg=kamailio_style_cfg(), args=["-Y", str(tmp_path)])
    s.rundir = str(tmp_path)
    return s


def test_core_commands_shapes(kam):
    p = kam.port
    assert result(p, "core.version").startswith("siphon ")
    up = result(p, "core.uptime")
    assert set(up) == {"now", "up_since", "uptime"} and isinstance(up["uptime"], int)
    info = result(p, "core.info")
    assert list(info) == ["version", "id", "compiler", "compiled", "flags"]
    psx = result(p, "core.psx")
    assert [list(x) for x in psx][0] == ["IDX", "PID", "DSC"]
    assert psx[0]["DSC"] == "main process - attendant"
    assert sum(1 for x in psx if x["DSC"].startswith("worker")) == 2
    assert any("JSONRPCS" in x["DSC"] for x in psx)
    ps = result(p, "core.ps")
    assert len(ps) == 2 * len(psx) and isinstance(ps[0], int) and isinstance(ps[1], str)
    socks = result(p, "core.sockets_list")
    assert {(s["socket"]["proto"], s["socket"]["port"]) for s in socks} == {
        ("tcp", str(p)), ("udp", str(p))}
    assert result(p, "core.echo", "a", 1) == ["a", "1"]
    mem = result(p, "core.shmmem")
    assert list(mem) == ["total", "free", "used", "real_used", "max_used", "fragments"]
    assert all(isinstance(v, int) for v in mem.values())
    tcp = result(p, "core.tcp_info")
    assert tcp["readers"] == 2 and tcp["opened_connections"] >= 1
    conns = result(p, "core.tcp_list")
    assert any(c["dst_port"] == p and c["src_ip"] == "127.0.0.1" for c in conns)
    assert set(conns[0]) == {"id", "type", "state", "timeout", "lifetime", "ref_count",
                             "src_ip", "src_port", "dst_ip", "dst_port"}
    mods = result(p, "core.modules")
    assert "jsonrpcs" in mods and "xhttp" in mods and "core" not in mods
    methods = result(p, "system.listMethods")
    assert methods == sorted(methods)
    for m in ("core.version", "core.uptime", "core.psx", "stats.get_statistics",
              "stats.reset_statistics", "corex.debug", "jsonrpc.echo", "system.methodHelp"):
        assert m in methods
    assert result(p, "system.methodHelp", "core.uptime") == "Returns uptime of SIP server."


def test_errors_are_jsonrpc_errors(kam):
    p = kam.port
    st, reason, r, ctype = http_rpc(p, {"jsonrpc": "2.0", "method": "no.such", "id": 3})
    assert (st, reason) == (500, "Method Not Found") and ctype == "application/json"
    assert r == {"jsonrpc": "2.0", "error": {"code": 500, "message": "Method Not Found"}, "id": 3}
    st, _, r, _ = http_rpc(p, '{"jsonrpc":"2.0","method":')
    assert st == 400 and r["error"]["code"] == -32700 and r["id"] is None
    st, _, r, _ = http_rpc(p, {"method": "core.version", "id": 1})
    assert st == 400 and r["error"]["code"] == -32600
    st, _, r, _ = http_rpc(p, {"jsonrpc": "2.0", "method": "core.echo", "params": 5, "id": 1})
    assert r["error"]["code"] == -32602
    st, _, r, _ = http_rpc(p, {"jsonrpc": "2.0", "method": "corex.debug", "params": ["x"], "id": 1})
    assert r["error"] == {"code": -32602, "message": "Invalid Parameters"}
    st, reason, r, _ = http_rpc(p, {"jsonrpc": "2.0", "method": "stats.get_statistics", "id": 1})
    assert (st, reason) == (400, "Please provide which stats to retrieve")
    # Batches (JSON-RPC 2.0): one answer per request with an id.
    st, _, r, _ = http_rpc(p, [{"jsonrpc": "2.0", "method": "core.echo", "params": ["x"], "id": 1},
                               {"jsonrpc": "2.0", "method": "core.echo", "params": ["y"]},
                               {"jsonrpc": "2.0", "method": "nope", "id": 2}])
    assert st == 200 and [x.get("id") for x in r] == [1, 2] and r[0]["result"] == ["x"]
    # Other URLs get the config's own answer.
    st, _, r, _ = http_rpc(p, "x", path="/other")
    assert st == 200 and b"Wrong URL /other" in r


def test_garbage_never_crashes(kam):
    rnd = random.Random(7)
    samples = [b"", b"null", b"[]", b"[[[[", b"{" * 5000, b"[" * 200000, b"\xff\xfe\x00",
               b'{"jsonrpc":"2.0","method":"core.echo","params":[' + b"[" * 300 + b"]" * 300 + b"],"
               b'"id":1}',
               b'{"jsonrpc":"2.0","method":"core.echo","params":["\\ud800"],"id":1}',
               b'{"jsonrpc":"2.0","method":"core.echo","params":[1e999, -0, 18446744073709551616],"id":1}',
               b'{"jsonrpc":"2.0","method":123,"id":{"a":1}}']
    samples += [bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300))) for _ in range(30)]
    for body in samples:
        st, _, r, _ = http_rpc(kam.port, body)
        assert st in (200, 400, 500), (body[:50], st)
        assert kam.alive()
    for body in samples[:10]:
        dgram_rpc(os.path.join(kam.rundir, "kamailio_rpc.sock"), body or b" ")
    assert result(kam.port, "core.version").startswith("siphon")


def test_concurrent_requests(kam):
    errors = []

    def worker(n):
        try:
            for i in range(25):
                r = result(kam.port, "core.echo", f"w{n}", i)
                assert r == [f"w{n}", str(i)]
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors, errors[:3]


def test_debug_level_at_run_time(kam):
    p = kam.port
    assert result(p, "corex.debug") == {"debug": 0}
    assert result(p, "corex.debug", 3) == {"old": 0, "new": 3}
    assert result(p, "cfg.get", "core", "debug") == 3
    result(p, "cfg.set", "core", "debug", 0)
    assert result(p, "corex.debug") == {"debug": 0}


def test_datagram_and_fifo_transports(kam):
    sock = os.path.join(kam.rundir, "kamailio_rpc.sock")
    r = dgram_rpc(sock, {"jsonrpc": "2.0", "method": "core.echo", "params": ["d"], "id": 9})
    assert r == {"jsonrpc": "2.0", "result": ["d"], "id": 9}
    r = dgram_rpc(sock, b'{"jsonrpc":"2.0"')
    assert r["error"]["code"] == -32700
    fifo = os.path.join(kam.rundir, "kamailio_rpc.fifo")
    assert os.path.exists(fifo)
    name = f"rpc_test_reply_{os.getpid()}.fifo"
    reply = os.path.join("/tmp", name)
    os.mkfifo(reply)
    try:
        fd = os.open(fifo, os.O_WRONLY)
        os.write(fd, json.dumps({"jsonrpc": "2.0", "method": "core.version", "reply_name": name,
                                 "id": 1}).encode() + b"\n")
        os.close(fd)
        rfd = os.open(reply, os.O_RDONLY | os.O_NONBLOCK)
        buf = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                chunk = os.read(rfd, 65536)
            except BlockingIOError:
                chunk = b""
            buf += chunk
            if buf.endswith(b"}\n"):
                break
            time.sleep(0.02)
        os.close(rfd)
    finally:
        os.unlink(reply)
    assert json.loads(buf)["result"].startswith("siphon")


def test_stream_socket_and_ctl(siphon, tmp_path):
    port_file = tmp_path / "x"
    s = siphon(cfg=kamailio_style_cfg('modparam("jsonrpcs", "transport", 15)\n'
                                      'modparam("jsonrpcs", "tcp_socket", "unix:ctl.sock")\n'),
               args=["-Y", str(tmp_path)])
    del port_file
    path = str(tmp_path / "ctl.sock")
    docs = stream_rpc(path, b'{"jsonrpc":"2.0","method":"core.echo","params":["a"],"id":1}'
                            b' {"jsonrpc":"2.0","method":"core.echo","params":["b"],"id":2}', count=2)
    assert [d["result"] for d in docs] == [["a"], ["b"]]
    # siphon-ctl over every transport.
    for addr in (f"http://127.0.0.1:{s.port}/RPC", f"unix:{tmp_path}/kamailio_rpc.sock",
                 f"unix:{path}", f"stream:{path}", f"fifo:{tmp_path}/kamailio_rpc.fifo"):
        rc, out, err = ctl("-s", addr, "core.version")
        assert rc == 0 and out.startswith("siphon "), (addr, rc, out, err)
    rc, out, _ = ctl("-s", f"http://127.0.0.1:{s.port}/RPC", "stats.get_statistics", "all")
    assert rc == 0 and "core:rcv_requests = " in out and "script:register_counter = 0" in out
    rc, out, _ = ctl("-s", f"http://127.0.0.1:{s.port}/RPC", "--json", "core.uptime")
    assert rc == 0 and set(json.loads(out)) == {"now", "up_since", "uptime"}
    rc, out, _ = ctl("-s", f"http://127.0.0.1:{s.port}/RPC", "core.uptime")
    assert rc == 0 and "uptime:" in out
    rc, _, err = ctl("-s", f"http://127.0.0.1:{s.port}/RPC", "no.such")
    assert rc == 1 and "500 - Method Not Found" in err
    rc, _, err = ctl("-s", f"unix:{tmp_path}/nothing.sock", "core.version")
    assert rc == 3
    rc, _, _ = ctl()
    assert rc == 2


def test_jsonrpc_exec_and_jsonrpl(siphon):
    route = ('jsonrpc_exec(\'{"jsonrpc": "2.0", "method": "core.echo", "params": ["a", 1], "id": 1}\');\n'
             'xhttp_reply("200", "OK", "text/plain", "$jsonrpl(code)|$jsonrpl(text)|$jsonrpl(body)");')
    s = siphon(http_route=route, modules=("sl", "xhttp", "xlog", "textops", "jsonrpcs"),
               modparams='modparam("jsonrpcs", "transport", 1)\nmodparam("jsonrpcs", "pretty_format", 0)')
    st, _, body, _ = http_rpc(s.port, "", path="/")
    assert body == b'200|OK|{"jsonrpc":"2.0","result":["a","1"],"id":1}'


def test_transport_bits_respected(siphon, tmp_path):
    # transport=1: HTTP only, no files in the runtime directory.
    s = siphon(cfg=kamailio_style_cfg('modparam("jsonrpcs", "transport", 1)\n').replace(
        'modparam("jsonrpcs", "transport", 7)\n', ""), args=["-Y", str(tmp_path)])
    assert result(s.port, "core.version")
    assert not os.path.exists(tmp_path / "kamailio_rpc.fifo")
    assert not os.path.exists(tmp_path / "kamailio_rpc.sock")


def test_fifo_and_socket_removed_at_stop(siphon, tmp_path):
    s = siphon(cfg=kamailio_style_cfg(), args=["-Y", str(tmp_path)])
    assert os.path.exists(tmp_path / "kamailio_rpc.sock")
    s.stop()
    assert not os.path.exists(tmp_path / "kamailio_rpc.sock")
    assert not os.path.exists(tmp_path / "kamailio_rpc.fifo")


def test_remote_client_refused_by_config(kam):
    # The config only serves 127.0.0.1; any other source address would get 403. Reach the
    # server from 127.0.0.2 when the loopback allows it.
    c = socket.socket()
    try:
        c.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 not usable")
    c.settimeout(5)
    c.connect(("127.0.0.1", kam.port))
    body = b'{"jsonrpc":"2.0","method":"core.version","id":1}'
    c.sendall(b"POST /RPC HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    data = b""
    while b"</html>" not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    c.close()
    assert data.startswith(b"HTTP/1.1 403 Forbidden") and b"Not allowed from 127.0.0.2" in data
