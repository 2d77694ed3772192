"""SIP on the same server: sl replies over UDP and TCP (behavior notes 4.1, 4.2), garbage
datagrams, and sipp OPTIONS traffic over UDP and TCP while an HTTP load runs."""

import os
import random
import re
import socket
import subprocess
import threading
import time

import pytest

from helpers import HERE, HttpConn, UdpClient, free_port, get, parse_sip, sip_options

TAG_RE = re.compile(r";tag=([0-9a-f]{32})\.([0-9a-f]{8})$")


SIP_ROUTE = r'''
if ($hdr(X-Close) == "yes") { set_reply_close(); }
if (is_method("OPTIONS")) { sl_send_reply("200","OK"); exit; }
sl_send_reply("404","Not here");
'''


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(sip_route=SIP_ROUTE)


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def to_tag(headers):
    to = [v for n, v in headers if n.lower() in ("to", "t")][0]
    m = TAG_RE.search(to)
    assert m, to
    return m.group(1), m.group(2)


# ------------------------------------------------------------------ UDP

def test_udp_options_reply_bytes(srv):
    with UdpClient() as u:
        reply = u.ask(srv.port, sip_options(u.port, srv.port))
    status, headers, lines, body = parse_sip(reply)
    assert status == "SIP/2.0 200 OK"
    assert body == b""
    assert lines[0] == (f"Via: SIP/2.0/UDP 127.0.0.1:{u.port};branch=z9hG4bK-abc-1"
                        f";rport={u.port};received=127.0.0.1")
    assert lines[1] == "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-second"
    assert lines[2] == "Record-Route: <sip:rr.example;lr>"
    assert lines[3] == 'From: "Alice" <sip:alice@example.com>;tag=fromtag1'
    assert lines[4].startswith("To: <sip:probe@127.0.0.1>;tag=")
    to_tag(headers)
    assert lines[5] == "Call-ID: callid-123@host"
    assert lines[6] == "CSeq: 42 OPTIONS"
    assert lines[7].startswith("Server: ")
    assert lines[8] == "Content-Length: 0"
    assert len(lines) == 9
    for dropped in ("Max-Forwards", "Contact", "User-Agent", "Accept", "X-Custom"):
        assert all(n != dropped for n, _ in headers)


def test_udp_to_tag_stable_for_retransmission_and_varies_with_call(srv):
    with UdpClient() as u:
        a = to_tag(parse_sip(u.ask(srv.port, sip_options(u.port, srv.port)))[1])
        b = to_tag(parse_sip(u.ask(srv.port, sip_options(u.port, srv.port)))[1])
        c = to_tag(parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, call_id="other@host")))[1])
        d = to_tag(parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, branch="z9hG4bK-x")))[1])
    assert a == b
    assert c[0] == a[0] and c[1] != a[1]
    assert d[0] == a[0] and d[1] != a[1]


def test_udp_existing_to_tag_kept(srv):
    with UdpClient() as u:
        _, headers, lines, _ = parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, to_tag="existing")))
    assert "To: <sip:probe@127.0.0.1>;tag=existing" in lines


def test_udp_no_rport_same_host_untouched(srv):
    with UdpClient() as u:
        _, _, lines, _ = parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, rport=False)))
    assert lines[0] == f"Via: SIP/2.0/UDP 127.0.0.1:{u.port};branch=z9hG4bK-abc-1"


def test_udp_no_rport_other_host_gets_received(srv):
    with UdpClient() as u:
        _, _, lines, _ = parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, rport=False,
                                                               via_host="localhost")))
    assert lines[0] == f"Via: SIP/2.0/UDP localhost:{u.port};branch=z9hG4bK-abc-1;received=127.0.0.1"


def test_udp_no_rport_reply_goes_to_via_port(srv):
    # Sent from one socket, Via names another port: without rport the reply goes there.
    with UdpClient() as sender, UdpClient() as listener:
        sender.sock.sendto(sip_options(listener.port, srv.port, rport=False), ("127.0.0.1", srv.port))
        reply, _ = listener.sock.recvfrom(65536)
        assert reply.startswith(b"SIP/2.0 200 OK\r\n")
        sender.sock.settimeout(0.2)
        with pytest.raises(socket.timeout):
            sender.sock.recvfrom(65536)


def test_udp_invite_404_without_record_route(srv):
    with UdpClient() as u:
        status, headers, lines, _ = parse_sip(u.ask(srv.port, sip_options(u.port, srv.port, method="INVITE")))
    assert status == "SIP/2.0 404 Not here"
    assert all(n != "Record-Route" for n, _ in headers)
    assert "CSeq: 42 INVITE" in lines


def test_udp_compact_headers_copied_verbatim(srv):
    with UdpClient() as u:
        msg = (f"OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
               f"v: SIP/2.0/UDP 127.0.0.1:{u.port};branch=z9hG4bK-c;rport\r\n"
               f"f: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: cid-compact\r\ncseq: 7 OPTIONS\r\n"
               f"l: 0\r\n\r\n").encode()
        _, _, lines, _ = parse_sip(u.ask(srv.port, msg))
    assert lines[0].startswith("v: SIP/2.0/UDP 127.0.0.1")
    assert lines[1] == "f: <sip:a@b>;tag=1"
    assert lines[2].startswith("t: <sip:c@d>;tag=")
    assert lines[3] == "i: cid-compact"
    assert lines[4] == "cseq: 7 OPTIONS"


def test_udp_ack_not_answered(srv):
    with UdpClient(timeout=0.3) as u:
        u.sock.sendto(sip_options(u.port, srv.port, method="ACK"), ("127.0.0.1", srv.port))
        with pytest.raises(socket.timeout):
            u.sock.recvfrom(65536)


def test_udp_garbage_flood_then_still_answers(srv):
    rnd = random.Random(20240601)
    base = sip_options(40000, srv.port)
    with UdpClient() as u, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as g:
        dest = ("127.0.0.1", srv.port)
        t0 = time.monotonic()
        for i in range(10000):
            kind = i % 4
            if kind == 0:
                d = rnd.randbytes(rnd.randint(1, 1400))
            elif kind == 1:  # a SIP message with random bytes overwritten
                b = bytearray(base)
                for _ in range(rnd.randint(1, 20)):
                    b[rnd.randrange(len(b))] = rnd.randrange(256)
                d = bytes(b)
            elif kind == 2:  # truncated SIP message
                d = base[:rnd.randint(0, len(base))]
            else:  # header soup
                d = b"OPTIONS sip:x SIP/2.0\r\n" + b"\r\n".join(
                    rnd.choice([b"Via:", b"Content-Length: 99999999999", b"CSeq: x", b"From: <",
                                b"To", b"\x00\x00", b"v: SIP/2.0/UDP [::1", b"Call-ID: " + b"a" * 3000])
                    for _ in range(rnd.randint(1, 12))) + b"\r\n\r\n"
            try:
                g.sendto(d, dest)
            except OSError:
                pass
            if i % 500 == 0:
                time.sleep(0.005)  # keep the socket buffer from overflowing all the time
        assert time.monotonic() - t0 < 30
        assert srv.alive()
        reply = u.ask(srv.port, sip_options(u.port, srv.port), tries=5)
        assert reply.startswith(b"SIP/2.0 200 OK\r\n")
    # HTTP still served too.
    with HttpConn(srv.port) as c:
        c.send(get("/after-garbage"))
        assert c.read_response().status == 200


def test_udp_burst_replies_in_order_small_and_large(siphon):
    # Replies to one recvmmsg batch leave together (sendmmsg); a reply too large for the
    # batch's slots (here > 4 KB, echoing a padded header) is sent at once after the queued
    # ones. One worker, one client: every reply arrives, in the order of the requests.
    s = siphon(children=1, sip_route='append_to_reply("X-Echo: $hdr(X-Pad)\\r\\n"); '
                                     'sl_send_reply("200", "OK");')
    with UdpClient(timeout=3.0) as u:
        u.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sent = []
        for i in range(40):
            pad = ("p" * 5000) if i % 7 == 3 else f"small-{i}"
            msg = sip_options(u.port, s.port, branch=f"z9hG4bK-burst-{i}", cseq=i + 1)
            msg = msg.replace(b"X-Custom: yes\r\n", f"X-Pad: {pad}\r\n".encode())
            sent.append((i + 1, len(pad)))
            u.sock.sendto(msg, ("127.0.0.1", s.port))
        got = []
        while len(got) < len(sent):
            data, _ = u.sock.recvfrom(65535)
            start, headers, _, _ = parse_sip(data)
            assert start == "SIP/2.0 200 OK", start
            cseq = int(next(v for n, v in headers if n.lower() == "cseq").split()[0])
            echo = next(v for n, v in headers if n.lower() == "x-echo")
            got.append((cseq, len(echo)))
    assert got == sent


def test_http_over_udp(srv):
    with UdpClient() as u:
        reply = u.ask(srv.port, b"GET /udp-path HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert reply.endswith(b"</body></html>")
    assert f"[127.0.0.1:{u.port}]".encode() in reply


# ------------------------------------------------------------------ TCP

def test_tcp_options_and_connection_kept(srv):
    with HttpConn(srv.port) as c:
        lport = c.sock.getsockname()[1]
        for n in range(2):
            c.send(sip_options(lport, srv.port, transport="TCP", extra_via=False, cseq=n + 1))
            r = c.read_response()
            assert r.version == "SIP/2.0" and r.status == 200
            assert r.header("Via") == (f"SIP/2.0/TCP 127.0.0.1:{lport};branch=z9hG4bK-abc-1"
                                       f";rport={lport};received=127.0.0.1")
            assert r.header("CSeq") == f"{n + 1} OPTIONS"
        assert c.is_open(0.3)
        # SIP and HTTP on the same connection.
        c.send(get("/mixed"))
        assert c.read_response().body.startswith(b"<html><body>OK - ")


def test_tcp_sip_without_content_length_accepted_with_accept_no_cl(srv):
    # tcp_accept_no_cl=yes lets it through, as Kamailio does (see test_tcp_limits for "no").
    with HttpConn(srv.port) as c:
        c.send(sip_options(40000, srv.port, transport="TCP").replace(b"Content-Length: 0\r\n", b""))
        r = c.read_response()
        assert r.status == 200


def test_tcp_set_reply_close(srv):
    with HttpConn(srv.port) as c:
        msg = sip_options(40000, srv.port, transport="TCP").replace(b"X-Custom: yes", b"X-Close: yes")
        c.send(msg + sip_options(40000, srv.port, transport="TCP", cseq=43))
        r = c.read_response()
        assert r.version == "SIP/2.0" and r.status == 200
        assert c.wait_closed(2.0)
        assert c.buf == b""


@pytest.mark.parametrize("bad", [
    b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK-1\r\n" + b"X: " + b"v" * 70000 + b"\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0\r\nContent-Length: abc\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0\r\nBad Header\r\n\r\n",
    b"SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"OPTIONS sip:" + b"u" * 9000 + b" SIP/2.0\r\n\r\n",
], ids=["huge-header", "bad-cl", "bad-header", "reply-bad-cl", "long-uri"])
def test_tcp_bad_sip_closed_without_http_reply(srv, bad):
    # A SIP peer never gets an HTTP error reply: the connection is just closed.
    with HttpConn(srv.port) as c:
        try:
            c.send(bad)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert c.wait_closed(3.0)
        assert b"HTTP/1.1" not in c.buf


# ------------------------------------------------------------------ sipp under HTTP load

def run_sipp(port, transport, workdir, calls=50):
    scenario = os.path.join(HERE, "sipp", "uac_options.xml")
    cmd = ["sipp", f"127.0.0.1:{port}", "-sf", scenario, "-m", str(calls), "-r", "50",
           "-timeout", "30", "-timeout_error", "-t", transport, "-i", "127.0.0.1",
           "-p", str(free_port()), "-nostdin", "-trace_err"]
    p = subprocess.run(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=45)
    return p.returncode, p.stdout.decode("utf-8", "replace")


class HttpLoad:
    """Keep-alive GET requests from a few threads until stopped."""

    def __init__(self, port, conns=4):
        self.port = port
        self.ok = 0
        self.errors = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(conns)]
        self.lock = threading.Lock()

    def run(self):
        deadline = time.monotonic() + 40
        try:
            with HttpConn(self.port, timeout=5) as c:
                while not self.stop.is_set() and time.monotonic() < deadline:
                    c.send(get("/load"))
                    r = c.read_response()
                    assert r.status == 200
                    with self.lock:
                        self.ok += 1
        except Exception as e:  # reported by the test
            self.errors.append(repr(e))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *a):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=10)


@pytest.mark.parametrize("transport", ["u1", "t1"])
def test_sipp_options_during_http_load(srv, tmp_path, transport):
    with HttpLoad(srv.port) as load:
        rc, out = run_sipp(srv.port, transport, str(tmp_path))
        seen = load.ok
    assert rc == 0, out[-3000:]
    m = re.search(r"Successful call\s+\|\s+\d+\s+\|\s+(\d+)", out)
    assert m and int(m.group(1)) == 50, out[-3000:]
    assert load.errors == []
    assert seen > 50, "the HTTP load did not run alongside sipp"
