"""Hostile clients at scale: slowloris with 2,000 connections, a flood of garbage UDP datagrams
interleaved with real requests, and routing scripts that never end.

The other hostile cases live next to the code they exercise: test_tcp_limits.py (one slow
head, connection flood beyond tcp_max_connections, descriptor exhaustion, peers that never
read), test_http_limits.py (414/431/413 at and past each limit), test_http_smuggling.py (CL+TE,
duplicate Content-Length, chunk-size overflow, bare LF, NUL bytes) and test_sip.py (10,000
garbage datagrams, then a valid OPTIONS).

Loopback only; every loop is bounded in count and in time.
"""

import random
import resource
import select
import socket
import statistics
import threading
import time

import pytest

from helpers import UdpClient, exchange, get, proc_cpu_seconds, sip_options

# ------------------------------------------------------------------ slowloris at scale

SLOW_CONNS = 2000
HEADER_TIMEOUT = 3
SLOW_HEAD = b"GET /slowloris HTTP/1.1\r\nHost: localhost\r\nX-Trickle: " + b"a" * 64


def _raise_nofile(need):
    """Raises this process's RLIMIT_NOFILE to at least `need`; returns the old limits."""
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    soft, hard = old
    if soft >= need:
        return old
    try:
        if hard != resource.RLIM_INFINITY and hard < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))  # needs root
        else:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    except (ValueError, OSError) as e:
        pytest.skip(f"cannot raise RLIMIT_NOFILE to {need}: {e}")
    return old


def _timed_get(port, path):
    t0 = time.monotonic()
    r = exchange(port, get(path), timeout=5.0)
    assert r.status == 200, r
    return time.monotonic() - t0


def test_slowloris_2000_connections(siphon):
    old_limits = _raise_nofile(SLOW_CONNS + 1000)
    try:
        _slowloris(siphon)
    finally:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, old_limits)
        except (ValueError, OSError):
            pass


def _slowloris(siphon):
    s = siphon(globals_=f"debug=2\ntcp_header_timeout={HEADER_TIMEOUT}\n", nofile=SLOW_CONNS + 1000)
    baseline = [_timed_get(s.port, f"/base{i}") for i in range(30)]

    # Each slow connection gets its first byte at once, then one more byte every second:
    # never idle (so tcp_connection_lifetime does not apply), never a complete head.
    t_begin = time.monotonic()
    socks, first_byte = [], []
    for i in range(SLOW_CONNS):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        c.setblocking(False)
        c.send(SLOW_HEAD[:1])
        socks.append(c)
        first_byte.append(time.monotonic())
    connect_s = time.monotonic() - t_begin
    assert connect_s < 15, f"opening {SLOW_CONNS} connections took {connect_s:.1f} s"

    # A normal client keeps making requests (a new connection each) while the slow ones hang.
    during, errors = [], []
    stop = threading.Event()

    def normal_client():
        i = 0
        while not stop.is_set() and i < 2000:
            try:
                during.append(_timed_get(s.port, f"/during{i}"))
            except Exception as e:  # reported by the main thread
                errors.append(repr(e))
                return
            i += 1
            time.sleep(0.02)

    t = threading.Thread(target=normal_client, daemon=True)
    t.start()

    closed_after = [None] * SLOW_CONNS  # seconds from the first byte to the server's close
    got_bytes = [b""] * SLOW_CONNS
    fd_index = {c.fileno(): i for i, c in enumerate(socks)}
    poller = select.poll()
    for c in socks:
        poller.register(c, select.POLLIN | select.POLLERR | select.POLLHUP)
    sent = [1] * SLOW_CONNS
    open_left = SLOW_CONNS
    deadline = time.monotonic() + HEADER_TIMEOUT + 12
    next_tick = time.monotonic() + 1.0

    def mark_closed(i, now):
        nonlocal open_left
        if closed_after[i] is None:
            closed_after[i] = now - first_byte[i]
            open_left -= 1
            poller.unregister(socks[i])

    try:
        while open_left and time.monotonic() < deadline:
            for fd, _ in poller.poll(100):
                i = fd_index[fd]
                now = time.monotonic()
                try:
                    data = socks[i].recv(4096)
                except (ConnectionResetError, BrokenPipeError):
                    mark_closed(i, now)
                    continue
                except BlockingIOError:
                    continue
                if data:
                    got_bytes[i] += data
                else:
                    mark_closed(i, now)
            if time.monotonic() >= next_tick:
                next_tick += 1.0
                now = time.monotonic()
                for i, c in enumerate(socks):
                    if closed_after[i] is not None:
                        continue
                    try:
                        c.send(SLOW_HEAD[sent[i] % len(SLOW_HEAD):][:1])
                        sent[i] += 1
                    except (BrokenPipeError, ConnectionResetError):
                        mark_closed(i, now)
                    except BlockingIOError:
                        pass
        stop.set()
        t.join(timeout=10)
        assert not errors, errors
        assert open_left == 0, f"{open_left} of {SLOW_CONNS} slow connections still open"
    finally:
        stop.set()
        for c in socks:
            c.close()

    closes = sorted(closed_after)
    # Closed by the header timeout (checked once a second), not earlier by something else.
    assert closes[0] >= HEADER_TIMEOUT - 0.2, closes[:5]
    assert closes[-1] <= HEADER_TIMEOUT + 2.5, closes[-5:]
    # Nothing but (at most) a 408 went to the slow clients.
    assert all(b == b"" or b.startswith(b"HTTP/1.1 408 ") for b in got_bytes)
    # The other client was served the whole time, within normal latency.
    assert len(during) >= 20, len(during)
    base_med = statistics.median(baseline)
    med, worst = statistics.median(during), max(during)
    print(f"\nslowloris: {SLOW_CONNS} connections opened in {connect_s:.2f} s; closed "
          f"{closes[0]:.2f}..{closes[-1]:.2f} s after their first byte; normal client "
          f"{len(during)} requests, latency median {med * 1000:.2f} ms (baseline "
          f"{base_med * 1000:.2f} ms), max {worst * 1000:.1f} ms")
    assert med < max(0.1, 10 * base_med), (med, base_med)
    assert worst < 1.0, worst
    # Each cut-off is logged; service continues afterwards.
    assert s.log().count("request head not complete in") >= SLOW_CONNS
    assert _timed_get(s.port, "/after") < 1.0


# ------------------------------------------------------------------ garbage UDP

def _garbage(rnd, base):
    kind = rnd.randrange(4)
    if kind == 0:
        return rnd.randbytes(rnd.randint(32, 1400))
    if kind == 1:  # a SIP request with random bytes overwritten
        b = bytearray(base)
        for _ in range(rnd.randint(1, 20)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    if kind == 2:  # truncated inside the head
        return base[:rnd.randint(32, base.index(b"\r\n\r\n"))]
    return b"OPTIONS sip:x SIP/2.0\r\n" + b"\r\n".join(
        rnd.choice([b"Via:", b"Content-Length: 99999999999", b"CSeq: x", b"From: <", b"To",
                    b"\x00\x00", b"v: SIP/2.0/UDP [::1", b"Call-ID: " + b"a" * 3000,
                    b"GET / HTTP/1.1", b"Transfer-Encoding: chunked"])
        for _ in range(rnd.randint(1, 12))) + b"\r\n\r\n"


def test_garbage_udp_flood_interleaved_with_real_requests(siphon):
    s = siphon(globals_="debug=2\n")
    rnd = random.Random(20261128)
    base = sip_options(40000, s.port)
    dest = ("127.0.0.1", s.port)
    answered = 0
    cpu0 = proc_cpu_seconds(s.pid)
    t0 = time.monotonic()
    with UdpClient(timeout=1.0) as u, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as g:
        for i in range(10000):
            try:
                g.sendto(_garbage(rnd, base), dest)
            except OSError:
                pass
            if i % 500 == 499:
                # Real requests get through while the garbage keeps coming.
                reply = u.ask(s.port, sip_options(u.port, s.port, branch=f"z9hG4bK-real-{i}",
                                                  call_id=f"real-{i}@h"), tries=5)
                assert reply.startswith(b"SIP/2.0 200 OK\r\n"), reply[:100]
                answered += 1
        elapsed = time.monotonic() - t0
        assert elapsed < 40
        assert s.alive()
        assert u.ask(s.port, sip_options(u.port, s.port, branch="z9hG4bK-final")).startswith(b"SIP/2.0 200 OK")
    assert answered == 20
    assert exchange(s.port, get("/after-garbage")).status == 200
    # Rejected datagrams are logged (at info level), one line each, and nothing worse.
    log = s.log()
    dropped = log.count("dropped a bad UDP message")
    assert dropped >= 1000, dropped
    for bad in ("ERROR", "CRITICAL", "BUG"):
        assert bad not in log, [l for l in log.splitlines() if bad in l][:5]
    cpu = proc_cpu_seconds(s.pid) - cpu0
    print(f"\ngarbage UDP: 10000 datagrams in {elapsed:.2f} s, {dropped} logged as dropped, "
          f"{answered} interleaved OPTIONS answered, server CPU {cpu:.2f} s")


# ------------------------------------------------------------------ runaway scripts

LOOP_HTTP = ('if ($hu == "/loop") { $var(i) = 0; while (1 == 1) { $var(i) = $var(i) + 1; } } '
             'xhttp_reply("200", "OK", "text/plain", "done");')
LOOP_SIP = ('if ($rU == "loop") { while (1 == 1) { $var(i) = $var(i) + 1; } } '
            'sl_send_reply("200", "OK");')


def test_endless_while_stopped_by_max_actions(siphon):
    # max_while_loops=0 turns the per-loop guard off: only max_actions stops the script. One
    # worker, so the requests after the runaway one prove that worker is free again.
    s = siphon(children=1, globals_="max_while_loops=0\nmax_actions=200000\n",
               http_route=LOOP_HTTP, sip_route=LOOP_SIP)
    t0 = time.monotonic()
    r = exchange(s.port, get("/loop"), timeout=10)
    took = time.monotonic() - t0
    # The script was stopped before its reply: the route ended unanswered (no_reply_code).
    assert r.status == 500, r
    assert took < 5, took
    assert "script stopped: more than 200000 actions for one message" in s.log()
    assert exchange(s.port, get("/next")).body == b"done"

    with UdpClient(timeout=0.5) as u:
        u.sock.sendto(sip_options(u.port, s.port).replace(b"sip:probe@", b"sip:loop@", 1),
                      ("127.0.0.1", s.port))
        with pytest.raises(socket.timeout):
            u.sock.recvfrom(65536)
        assert s.log().count("script stopped: more than 200000 actions") == 2
        assert u.ask(s.port, sip_options(u.port, s.port, branch="z9hG4bK-next")).startswith(b"SIP/2.0 200 OK")
    print(f"\nrunaway while: stopped after 200000 actions in {took * 1000:.0f} ms")


def test_nested_loops_stopped_with_default_limits(siphon):
    # Each while stays under max_while_loops (100), but four nested ones would run 10^8 times:
    # the default max_actions (1,000,000) stops the message.
    route = ('if ($hu == "/nest") { $var(a) = 0; while ($var(a) < 100) { $var(a) = $var(a) + 1; '
             '$var(b) = 0; while ($var(b) < 100) { $var(b) = $var(b) + 1; '
             '$var(c) = 0; while ($var(c) < 100) { $var(c) = $var(c) + 1; '
             '$var(d) = 0; while ($var(d) < 100) { $var(d) = $var(d) + 1; } } } } } '
             'xhttp_reply("200", "OK", "text/plain", "done");')
    s = siphon(children=1, http_route=route)
    t0 = time.monotonic()
    r = exchange(s.port, get("/nest"), timeout=30)
    took = time.monotonic() - t0
    assert r.status == 500, r
    assert "script stopped: more than 1000000 actions for one message" in s.log()
    assert exchange(s.port, get("/next")).body == b"done"
    print(f"\nnested loops: stopped after 1000000 actions in {took * 1000:.0f} ms")


def test_endless_while_cut_by_max_while_loops(siphon):
    # The Kamailio guard: a while that runs more than max_while_loops times is left with a log
    # line, and the route goes on to its reply.
    s = siphon(children=1, http_route=LOOP_HTTP.replace(
        '"done"', '"done $var(i)"'))
    r = exchange(s.port, get("/loop"))
    assert r.status == 200 and r.body == b"done 100", r
    assert "runaway while: more than 100 loops" in s.log()
