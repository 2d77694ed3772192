"""Transport limits and timeouts: slow request heads, idle connections, connection floods beyond
tcp_max_connections, and peers that never read their replies (tcp_send_queue_max)."""

import socket
import threading
import time

import pytest

from helpers import Closed, HttpConn, exchange, get, post, proc_cpu_seconds, sip_options


def served(port, path="/ok", timeout=3.0):
    r = exchange(port, get(path), timeout=timeout)
    return r.status == 200


# ------------------------------------------------------------------ header timeout

@pytest.mark.slow
def test_slow_request_head_is_cut_off(siphon):
    s = siphon(globals_="tcp_header_timeout=2\n")
    with HttpConn(s.port) as slow:
        t0 = time.monotonic()
        slow.send(b"GET /slow HTTP/1.1\r\n")
        closed_at = None
        others_ok = 0
        i = 0
        # Trickle one header byte every 0.2 s: the connection is never idle, but its head is
        # never complete either.
        while time.monotonic() - t0 < 8:
            try:
                slow.send(b"X-Trickle-%d: y\r\n"[:1] if i % 2 else b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed_at = time.monotonic() - t0
                break
            if not slow.is_open(0.2):
                closed_at = time.monotonic() - t0
                break
            i += 1
            if i % 5 == 0:
                # Other clients are served meanwhile.
                assert served(s.port)
                others_ok += 1
        assert closed_at is not None, "slow client was never cut off"
        assert 1.5 <= closed_at <= 4.5, closed_at
        assert others_ok >= 2
        # Nothing but (at most) a 408 was sent to the slow client.
        assert slow.buf == b"" or slow.buf.startswith(b"HTTP/1.1 408 ")
    assert served(s.port)


@pytest.mark.slow
def test_slow_body_is_not_a_header_timeout(siphon):
    # The head arrived in time; a body trickling in is governed by the idle timeout only.
    s = siphon(globals_="tcp_header_timeout=1\n", http_route='xhttp_reply("200","OK","text/plain","$rb");')
    with HttpConn(s.port) as c:
        c.send(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
        for ch in b"0123456789":
            time.sleep(0.3)
            c.send(bytes([ch]))
        assert c.read_response().body == b"0123456789"


@pytest.mark.slow
def test_idle_connection_closed_after_lifetime(siphon):
    s = siphon(globals_="tcp_connection_lifetime=2\n")
    with HttpConn(s.port) as c:
        c.send(get("/x"))
        c.read_response()
        t0 = time.monotonic()
        assert c.wait_closed(6.0)
        assert 1.5 <= time.monotonic() - t0 <= 4.5


# ------------------------------------------------------------------ connection flood

@pytest.mark.slow
def test_connection_flood_beyond_max(siphon):
    s = siphon(globals_="tcp_max_connections=50\n")
    # The readiness probe's connection counts until the server has seen it close.
    time.sleep(0.3)
    socks = []
    ok = refused = 0
    try:
        for _ in range(80):
            try:
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=3))
            except ConnectionResetError:
                refused += 1  # accepted and reset before connect() returned
        for c in socks:
            try:
                c.sendall(get("/flood"))
                c.settimeout(3)
                data = c.recv(4096)
                if data.startswith(b"HTTP/1.1 200 OK"):
                    ok += 1
                elif data == b"":
                    refused += 1
                else:
                    raise AssertionError(data)
            except (ConnectionResetError, BrokenPipeError):
                refused += 1
        assert 50 <= ok <= 51, (ok, refused)  # 51: two workers may race for the last slot
        assert ok + refused == 80
    finally:
        for c in socks:
            c.close()
    # Service continues once the flood is gone (the server notices the closes asynchronously).
    deadline = time.monotonic() + 5
    while True:
        try:
            if served(s.port):
                break
        except (Closed, OSError):
            pass
        assert time.monotonic() < deadline, "no service after the flood ended"
        time.sleep(0.05)
    # And the full capacity is back.
    conns = [HttpConn(s.port) for _ in range(45)]
    try:
        for c in conns:
            c.send(get("/again"))
        for c in conns:
            assert c.read_response().status == 200
    finally:
        for c in conns:
            c.close()


@pytest.mark.slow
def test_out_of_file_descriptors_does_not_spin(siphon):
    # accept() failing with EMFILE leaves the listener readable; the server must neither
    # busy-loop on it nor leave the excess clients hanging forever.
    s = siphon(nofile=64, children=4)  # several workers race for the freed descriptors
    socks = []
    try:
        for _ in range(100):
            try:
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=3))
            except ConnectionResetError:
                pass
        time.sleep(0.3)
        cpu0 = proc_cpu_seconds(s.pid)
        time.sleep(1.5)
        cpu = proc_cpu_seconds(s.pid) - cpu0
        assert cpu < 0.25, f"server used {cpu:.2f} s CPU in 1.5 s with all descriptors in use"
        # The clients that were not accepted were told so (reset/EOF) rather than hanging.
        hanging = 0
        for c in socks:
            c.settimeout(0.05)
            try:
                if c.recv(1) == b"":
                    continue
            except (ConnectionResetError, BrokenPipeError):
                continue
            except socket.timeout:
                hanging += 1
        assert hanging < 64
    finally:
        for c in socks:
            c.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            if served(s.port):
                break
        except (Closed, OSError):
            pass
        assert time.monotonic() < deadline, "no service after descriptors were freed"
        time.sleep(0.05)


# ------------------------------------------------------------------ peers that never read

BIG_ROUTE = 'xhttp_reply("200", "OK", "text/plain", "' + "B" * 60000 + '");'


@pytest.mark.slow
def test_client_that_never_reads_is_dropped(siphon):
    s = siphon(http_route=BIG_ROUTE,
               globals_="debug=3\npv_buffer_size=100000\ntcp_send_queue_max=262144\n")
    n = 500  # 500 x 60 KB = 30 MB of replies: far beyond socket buffers + queue limit
    hog = HttpConn(s.port, rcvbuf=4096)
    try:
        try:
            hog.send(b"".join(get(f"/r{i}") for i in range(n)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        # Meanwhile others are served.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.0:
            assert served(s.port)
        # Now read what the hog got: the stream ends (EOF or reset) well before n replies.
        got = 0
        try:
            while got < n:
                hog.read_response(timeout=3.0)
                got += 1
        except Closed:
            pass
        assert got < n
        assert hog.eof
    finally:
        hog.close()
    assert served(s.port)
    assert "send queue" in s.log()


@pytest.mark.slow
def test_unread_replies_do_not_spin_the_worker(siphon):
    # A peer that keeps sending requests one at a time but never reads: the server stops
    # reading from it (backpressure) and must not busy-loop on the readable socket.
    s = siphon(http_route=BIG_ROUTE, globals_="pv_buffer_size=100000\ntcp_send_queue_max=262144\n")
    hog = HttpConn(s.port, rcvbuf=4096)
    hog.sock.settimeout(0.05)
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                hog.sock.send(get("/r"))
            except (socket.timeout, BlockingIOError):
                break
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.01)
        cpu0 = proc_cpu_seconds(s.pid)
        time.sleep(1.5)
        cpu = proc_cpu_seconds(s.pid) - cpu0
        assert cpu < 0.25, f"server used {cpu:.2f} s CPU in 1.5 s while idle"
        assert served(s.port)
    finally:
        hog.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["half-close", "connection-close"])
def test_closing_connection_with_unread_replies_does_not_spin(siphon, how):
    # The server has decided to close once its replies are out, but the peer reads nothing
    # and keeps the connection readable (EOF pending, or more bytes): no busy loop meanwhile.
    s = siphon(http_route=BIG_ROUTE, globals_="pv_buffer_size=100000\ntcp_send_queue_max=50000000\n")
    hog = HttpConn(s.port, rcvbuf=4096)
    try:
        data = b"".join(get(f"/r{i}") for i in range(150))  # 9 MB: more than socket buffers
        if how == "half-close":
            hog.send(data)
            hog.sock.shutdown(socket.SHUT_WR)
        else:
            hog.send(data + get("/last", headers=[("Connection", "close")]) + b"junk after close")
        time.sleep(0.3)
        cpu0 = proc_cpu_seconds(s.pid)
        time.sleep(1.5)
        cpu = proc_cpu_seconds(s.pid) - cpu0
        assert cpu < 0.25, f"server used {cpu:.2f} s CPU in 1.5 s while idle"
        assert served(s.port)
    finally:
        hog.close()


@pytest.mark.slow
def test_single_reply_larger_than_queue_limit_reaches_slow_reader(siphon):
    # tcp_send_queue_max bounds what piles up for a peer that does not read; one reply bigger
    # than the limit is still delivered to a peer that reads it slowly.
    s = siphon(http_route='xhttp_reply("200", "OK", "application/octet-stream", "$rb");',
               globals_="pv_buffer_size=5000000\nmax_body=5000000\ntcp_send_queue_max=65536\n")
    body = bytes(range(256)) * 12000  # 3 MB
    with HttpConn(s.port, rcvbuf=4096, timeout=15) as c:
        c.send(post("/big", body))
        time.sleep(0.5)  # not reading yet
        r = c.read_response(timeout=15)
        assert r.status == 200
        assert r.body == body


@pytest.mark.slow
def test_slow_reader_gets_everything(siphon):
    # A pipelining client that reads slowly is paused, not dropped: all replies arrive.
    s = siphon(http_route=BIG_ROUTE, globals_="pv_buffer_size=100000\ntcp_send_queue_max=262144\n")
    n = 40
    with HttpConn(s.port, rcvbuf=16384, timeout=10) as c:
        def writer():
            for i in range(n):
                c.sock.sendall(get(f"/s{i}"))
                time.sleep(0.005)
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        for i in range(n):
            r = c.read_response(timeout=10)
            assert r.status == 200 and len(r.body) == 60000
            if i % 8 == 0:
                time.sleep(0.05)
        t.join(timeout=5)


# ------------------------------------------------------------------ framing without lengths

def test_no_content_length_without_accept_no_cl(siphon):
    s = siphon(accept_no_cl=False)
    # SIP on a stream without Content-Length (RFC 3261 18.3): dropped, no HTTP reply.
    with HttpConn(s.port) as c:
        c.send(sip_options(40000, s.port, transport="TCP").replace(b"Content-Length: 0\r\n", b""))
        assert c.wait_closed(2.0)
        assert c.buf == b""
    # HTTP without a length: served with an empty body, or 411 (framer.h: "answered 411").
    with HttpConn(s.port) as c:
        c.send(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        r = c.read_response()
        assert r.status in (200, 411), r
    # With a length, both work.
    with HttpConn(s.port) as c:
        c.send(sip_options(40000, s.port, transport="TCP") + b"GET /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        assert c.read_response().status == 200
        assert c.read_response().status == 200
