"""Statistics: core counters (requests and replies received, sl replies sent, HTTP by status
class, TCP connections, parse errors), the statistics module (variable, update_stat,
reset_stat, $stat) and stats.* RPC commands, in Kamailio's names and formats."""

import socket
import time

from test_rpc_helpers import call, http_rpc, result

SIP_ROUTE = """
    update_stat("register_counter", "+1");
    $var(n) = "active_calls";
    update_stat("$var(n)", "-2");
    if ($rm == "BYE") { drop; }
    sl_send_reply("404", "Not here");
"""

HTTP_ROUTE = """
    if ($hu =~ "^/RPC") { jsonrpc_dispatch(); exit; }
    if ($hu =~ "^/stat") {
        xhttp_reply("200", "OK", "text/plain", "reg=$stat(register_counter) calls=$stat(active_calls) none=$stat(nope)");
        exit;
    }
    if ($hu =~ "^/reset") { reset_stat("register_counter"); xhttp_reply("200", "OK", "", ""); exit; }
    xhttp_reply("503", "Busy", "", "");
"""

MODPARAMS = """
modparam("jsonrpcs", "transport", 1)
modparam("statistics", "variable", "register_counter")
modparam("statistics", "variable", "active_calls/no_reset")
"""


def sip(port, method, cseq=1):
    return (f"{method} sip:a@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{method}{cseq};rport\r\n"
            "From: <sip:b@x>;tag=1\r\nTo: <sip:a@x>\r\nCall-ID: stats-1\r\n"
            f"CSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n").encode()


def stats(port, *names):
    out = {}
    for line in result(port, "stats.get_statistics", *names):
        k, _, v = line.partition(" = ")
        out[k] = int(v)
    return out


def start(siphon):
    return siphon(sip_route=SIP_ROUTE, http_route=HTTP_ROUTE, modparams=MODPARAMS,
                  modules=("sl", "xhttp", "xlog", "textops", "pv", "jsonrpcs", "statistics"))


def test_core_and_sl_counters(siphon):
    s = start(siphon)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    u.settimeout(3)
    for i, m in enumerate(("INVITE", "OPTIONS", "FOO", "BYE")):
        u.sendto(sip(u.getsockname()[1], m, i + 1), ("127.0.0.1", s.port))
        if m != "BYE":
            assert b"404 Not here" in u.recv(4096)
    # A SIP reply arriving (no reply_route): counted by class and CSeq method.
    u.sendto(b"SIP/2.0 486 Busy\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n"
             b"From: <sip:b@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\nCall-ID: r\r\nCSeq: 1 INVITE\r\n"
             b"Content-Length: 0\r\n\r\n", ("127.0.0.1", s.port))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        st = stats(s.port, "core:", "sl:", "script:", "http:")
        if st["core:rcv_replies"] == 1 and st["core:drop_requests"] == 1:
            break
        time.sleep(0.05)
    assert st["core:rcv_requests_invite"] == 1
    assert st["core:rcv_requests_options"] == 1
    assert st["core:rcv_requests_bye"] == 1
    assert st["core:unsupported_methods"] == 1
    assert st["core:drop_requests"] == 1
    assert st["core:rcv_replies"] == 1 and st["core:rcv_replies_4xx"] == 1
    assert st["core:rcv_replies_486"] == 1 and st["core:rcv_replies_4xx_invite"] == 1
    # 4 SIP requests + the HTTP requests so far (each RPC is one).
    assert st["core:rcv_requests"] >= 5 and st["http:requests"] >= 1
    assert st["sl:404_replies"] == 3
    assert st["script:register_counter"] == 4
    assert st["script:active_calls"] == -8
    # HTTP replies by status class.
    http_rpc(s.port, "x", path="/other")
    st = stats(s.port, "http:", "sl:")
    assert st["http:replies_5xx"] == 1 and st["http:replies_2xx"] >= 1
    # The RPC answers went through sl, as xhttp replies do in Kamailio.
    assert st["sl:200_replies"] >= 1 and st["sl:5xx_replies"] == 1


def test_statistics_module_pv_and_reset(siphon):
    s = start(siphon)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(3)
    u.sendto(sip(1, "OPTIONS"), ("127.0.0.1", s.port))
    u.recv(4096)
    _, _, body, _ = http_rpc(s.port, "", path="/stat")
    assert body == b"reg=1 calls=-2 none=<null>"
    http_rpc(s.port, "", path="/reset")
    _, _, body, _ = http_rpc(s.port, "", path="/stat")
    assert body == b"reg=0 calls=-2 none=<null>"
    # stats.reset_statistics: no_reset variables keep their value.
    assert result(s.port, "stats.reset_statistics", "script:") == {}
    assert stats(s.port, "script:") == {"script:active_calls": -2, "script:register_counter": 0}
    assert result(s.port, "stats.fetch", "script:") == {"script.active_calls": "-2",
                                                       "script.register_counter": "0"}
    assert result(s.port, "stats.fetchn", "script.active_calls") == {"script.active_calls": -2}
    # Unknown names select nothing (Kamailio); no parameter is an error.
    assert result(s.port, "stats.get_statistics", "nonexistent") == []
    st, r = call(s.port, "stats.reset_statistics")
    assert st == 400 and r["error"] == {"code": 400, "message": "Please provide stats name"}


def test_tcp_and_parse_error_counters(siphon):
    s = start(siphon)
    conns = [socket.create_connection(("127.0.0.1", s.port), timeout=3) for _ in range(3)]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        st = stats(s.port, "tcp:")
        if st["tcp:current_opened_connections"] >= 4:
            break
        time.sleep(0.05)
    assert st["tcp:current_opened_connections"] >= 4    # 3 + the RPC connection
    assert st["tcp:established"] >= 4 and st["tcp:passive_open"] == st["tcp:established"]
    bad = conns[0]
    bad.sendall(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
    bad.recv(4096)
    for c in conns:
        c.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        st = stats(s.port, "bad_msg_hdr", "tcp:")
        if st.get("core:bad_msg_hdr", 0) >= 1 and st["tcp:current_opened_connections"] <= 1:
            break
        time.sleep(0.05)
    assert st["core:bad_msg_hdr"] >= 1
    assert st["tcp:current_opened_connections"] <= 1
    tcp = result(s.port, "core.tcp_info")
    assert tcp["opened_connections"] >= 1
