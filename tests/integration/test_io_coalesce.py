"""io_coalesce_us: a busy worker that finds nothing ready pauses before blocking in epoll.

Whatever the pause (off, the default, the longest allowed), every request of a steady
keep-alive load and of a UDP burst is answered, each with its own reply, and a lone request
after the load is answered at once (the pause is taken only by a worker that has been busy,
and never delays an answer by more than the pause)."""

import threading
import time

import pytest

from helpers import HttpConn, UdpClient, free_port, get, parse_sip, sip_options

ROUTE = 'xhttp_reply("200", "OK", "text/plain", "$hu\\n");'


def keepalive_load(port, conns=8, per_conn=150):
    """conns threads, each sending per_conn requests one after another on its own
    connection; returns the list of failures (empty when every reply matched)."""
    failures = []

    def one(k):
        try:
            with HttpConn(port, timeout=5.0) as c:
                for i in range(per_conn):
                    c.send(get(f"/c{k}/r{i}"))
                    r = c.read_response()
                    if r.status != 200 or r.body != f"/c{k}/r{i}\n".encode():
                        failures.append((k, i, r.status, r.body))
                        return
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append((k, "error", repr(e)))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "load threads did not finish"
    return failures


@pytest.mark.parametrize("pause", [0, 10, 1000])
def test_every_request_answered_whatever_the_pause(siphon, pause):
    s = siphon(http_route=ROUTE, globals_=f"io_coalesce_us={pause}\n")
    assert keepalive_load(s.port) == []
    # Bursts of OPTIONS over UDP, 20 sent before any reply is read (small enough for the
    # client's receive buffer): all answered, each with its own branch.
    with UdpClient(timeout=3.0) as u:
        seen = set()
        for w in range(10):
            for i in range(w * 20, w * 20 + 20):
                u.sock.sendto(sip_options(u.port, s.port, branch=f"z9hG4bK-co-{i}"),
                              ("127.0.0.1", s.port))
            deadline = time.monotonic() + 5
            while len(seen) < w * 20 + 20 and time.monotonic() < deadline:
                data, _ = u.sock.recvfrom(65535)
                start, headers, _, _ = parse_sip(data)
                assert start.startswith("SIP/2.0 200"), start
                via = next(v for n, v in headers if n.lower() == "via")
                seen.add(via.split("branch=")[1].split(";")[0])
        assert seen == {f"z9hG4bK-co-{i}" for i in range(200)}


def test_lone_request_after_load_is_not_held(siphon):
    # With the longest pause the workers have just been busy; a request arriving after the load
    # stopped finds them blocked in epoll (or about to be) and is answered well within a second
    # (a generous bound: the pause itself is 1 ms).
    s = siphon(http_route=ROUTE, globals_="io_coalesce_us=1000\n")
    assert keepalive_load(s.port, conns=4, per_conn=100) == []
    time.sleep(0.2)
    with HttpConn(s.port) as c:
        for i in range(20):
            t0 = time.monotonic()
            c.send(get(f"/lone{i}"))
            r = c.read_response()
            assert r.status == 200 and r.body == f"/lone{i}\n".encode()
            assert time.monotonic() - t0 < 0.5
            time.sleep(0.01)

