"""HTTP/1.x over raw Python sockets against one shared server: framing, pipelining,
connection semantics, reply bytes, limits, and the xhttp route outcomes (no reply, return -1,
set_reply_close, refused content type, runaway while loop)."""

import time

import pytest

from helpers import HttpConn, exchange, get, post, request

ROUTE = r'''
$var(p) = $(hu{url.path});
if ($var(p) == "/echo") { xhttp_reply("200", "OK", "text/plain", "$rb"); exit; }
if ($var(p) == "/method") { xhttp_reply("200", "OK", "text/plain", "$rm $hu $rv"); exit; }
if ($var(p) == "/noreply") { exit; }
if ($var(p) == "/close") { set_reply_close(); xhttp_reply("200", "OK", "text/plain", "closing"); exit; }
if ($var(p) == "/close-late") { xhttp_reply("200", "OK", "text/plain", "closing"); set_reply_close(); exit; }
if ($var(p) == "/ret-1") { xhttp_reply("200", "OK", "text/plain", "bye"); return -1; }
if ($var(p) == "/badctype") {
    if (!xhttp_reply("200", "OK", "text/plain\r\nX-Injected: 1", "x")) { xlog("L_ERR", "ctype refused\n"); }
    exit;
}
if ($var(p) == "/loop") {
    $var(i) = 0;
    while (1) { $var(i) = $var(i) + 1; }
    xhttp_reply("200", "OK", "text/plain", "loops=$var(i)");
    exit;
}
if ($var(p) == "/hdr") { xhttp_reply("200", "OK", "text/plain", "[$hdr(X-Test)]"); exit; }
if ($var(p) == "/empty") { xhttp_reply("204", "No Content", "", ""); exit; }
xhttp_reply("200", "OK", "text/plain", "hello $hu");
'''


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE)


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def status_line(raw):
    return raw.split(b"\r\n", 1)[0]


# ------------------------------------------------------------------ basic exchange and bytes

def test_get_exact_reply_bytes(srv):
    r = exchange(srv.port, get("/abc?x=1"))
    server = r.header("Server")
    assert server is not None and server.startswith("siphon")
    assert r.raw == (b"HTTP/1.1 200 OK\r\n"
                     b"Content-Type: text/plain\r\n"
                     + f"Server: {server}\r\n".encode()
                     + b"Content-Length: 14\r\n"
                     b"\r\n"
                     b"hello /abc?x=1")
    # No fake Via / Sia (behavior notes DEFECT 6).
    assert b"Sia:" not in r.raw and b"Via:" not in r.raw


def test_sip_headers_not_reflected(srv):
    r = exchange(srv.port, get("/x", headers=[("From", "<sip:a@b>;tag=1"), ("To", "garbage"),
                                             ("Call-ID", "abc"), ("CSeq", "1 GET"),
                                             ("Record-Route", "<sip:rr;lr>"), ("Via", "SIP/2.0/TCP 1.2.3.4")]))
    assert r.status == 200
    assert [n for n, _ in r.headers] == ["Content-Type", "Server", "Content-Length"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"])
def test_methods(srv, method):
    r = exchange(srv.port, request(method, "/method?q=1", headers=[("Content-Length", "0")]))
    assert r.status == 200
    assert r.body == f"{method} /method?q=1 HTTP/1.1".encode()


def test_http10_version_in_status_line(srv):
    r = exchange(srv.port, get("/method", version="HTTP/1.0"))
    assert status_line(r.raw) == b"HTTP/1.0 200 OK"
    assert r.body == b"GET /method HTTP/1.0"


def test_header_value_pv(srv):
    r = exchange(srv.port, get("/hdr", headers=[("x-test", "  v a l  ")]))
    assert r.body == b"[v a l  ]"


def test_204_has_no_content_type_and_no_body(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/empty") + get("/next"))
        r = c.read_response()  # 204: no content whatever the headers say
        assert status_line(r.raw) == b"HTTP/1.1 204 No Content"
        assert r.header("Content-Type") is None
        # Kamailio sends "Content-Length: 0" here; RFC 9110 8.6 says a 204 has none. Either
        # is accepted, a non-zero value is not.
        assert r.header("Content-Length") in (None, "0")
        assert c.read_response().body == b"hello /next"


def test_crlf_keepalive_ping_then_request(srv):
    with HttpConn(srv.port) as c:
        c.send(b"\r\n\r\n")
        assert c.read_exact(2) == b"\r\n"
        c.send(get("/after-ping"))
        assert c.read_response().body == b"hello /after-ping"


# ------------------------------------------------------------------ pipelining, partial writes

def test_pipelining_three_requests_in_one_write(srv):
    data = get("/one") + post("/echo", "second-body") + get("/three")
    with HttpConn(srv.port) as c:
        c.send(data)
        bodies = [c.read_response().body for _ in range(3)]
        assert bodies == [b"hello /one", b"second-body", b"hello /three"]
        assert c.is_open(0.2)


def test_pipelining_many_requests(srv):
    n = 200
    data = b"".join(get(f"/p{i}") for i in range(n))
    with HttpConn(srv.port) as c:
        c.send(data)
        for i in range(n):
            assert c.read_response().body == f"hello /p{i}".encode()


def test_byte_by_byte_request(srv):
    data = post("/echo", "split into single bytes")
    with HttpConn(srv.port) as c:
        for i in range(len(data)):
            c.send(data[i:i + 1])
            if i % 16 == 0:
                time.sleep(0.002)  # let some bytes arrive as separate segments
        assert c.read_response().body == b"split into single bytes"


def test_request_split_at_every_boundary_of_head(srv):
    data = post("/echo", "abc")
    with HttpConn(srv.port) as c:
        for cut in (1, 5, 17, len(data) - 4, len(data) - 1):
            c.send(data[:cut])
            time.sleep(0.01)
            c.send(data[cut:])
            assert c.read_response().body == b"abc"


# ------------------------------------------------------------------ connection semantics

def test_http11_keepalive_by_default(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/a"))
        r = c.read_response()
        assert r.header("Connection") is None
        assert c.is_open(0.3)
        c.send(get("/b"))
        assert c.read_response().body == b"hello /b"


def test_http11_connection_close(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/a", headers=[("Connection", "close")]))
        r = c.read_response()
        assert r.body == b"hello /a"
        assert r.header("Connection") == "close"
        assert c.wait_closed(2.0)
        assert c.buf == b""


def test_http10_without_keepalive_closes(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/a", version="HTTP/1.0"))
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.0 200 OK"
        assert r.header("Connection") == "close"
        assert c.wait_closed(2.0)


def test_http10_keepalive_kept_open(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/a", version="HTTP/1.0", headers=[("Connection", "keep-alive")]))
        r = c.read_response()
        assert r.header("Connection").lower() == "keep-alive"
        assert c.is_open(0.3)
        c.send(get("/b", version="HTTP/1.0"))
        assert c.read_response().body == b"hello /b"
        assert c.wait_closed(2.0)


def test_http10_no_headers_at_all(srv):
    with HttpConn(srv.port) as c:
        c.send(b"GET / HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.0 200 OK"
        assert r.body == b"hello /"
        assert c.wait_closed(2.0)


def test_pipelined_after_close_is_discarded(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/a", headers=[("Connection", "close")]) + get("/never"))
        assert c.read_response().body == b"hello /a"
        assert c.wait_closed(2.0)
        assert c.buf == b""


def test_head_has_length_but_no_body(srv):
    with HttpConn(srv.port) as c:
        c.send(request("HEAD", "/headme") + get("/next"))
        r = c.read_response(head=True)
        assert status_line(r.raw) == b"HTTP/1.1 200 OK"
        assert r.header("Content-Length") == str(len("hello /headme"))
        # The next reply starts right after the head: no body bytes in between.
        n = c.read_response()
        assert n.raw.startswith(b"HTTP/1.1 200 OK\r\n")
        assert n.body == b"hello /next"


# ------------------------------------------------------------------ route outcomes

def test_route_without_reply_gets_500(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/noreply"))
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 500 Internal Server Error"
        assert r.header("Content-Length") == "0"
        # exit without reply is not an error of the connection: it stays usable.
        c.send(get("/again"))
        assert c.read_response().body == b"hello /again"


def test_return_minus_one_after_reply_closes(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/ret-1") + get("/never"))
        r = c.read_response()
        assert r.status == 200 and r.body == b"bye"
        assert c.wait_closed(2.0)
        assert c.buf == b""


@pytest.mark.parametrize("path", ["/close", "/close-late"])
def test_set_reply_close(srv, path):
    with HttpConn(srv.port) as c:
        c.send(get(path) + get("/never"))
        r = c.read_response()
        assert r.body == b"closing"
        if path == "/close":
            assert r.header("Connection") == "close"
        assert c.wait_closed(2.0)
        assert c.buf == b""


def test_crlf_in_content_type_refused(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/badctype"))
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 500 Internal Server Error"
        assert b"X-Injected" not in r.raw
        assert b"text/plain" not in r.raw
    assert "ctype refused" in srv.log()


def test_runaway_while_loop_is_stopped_and_answered(srv):
    t0 = time.monotonic()
    r = exchange(srv.port, get("/loop"))
    assert r.status == 200
    assert r.body == b"loops=100"  # max_while_loops default, as Kamailio
    assert time.monotonic() - t0 < 2.0


# ------------------------------------------------------------------ bad input and limits

@pytest.mark.parametrize("data", [
    b"hello there\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)),  # a TLS ClientHello
    b"GET /a b HTTP/1.1\r\n\r\n",
    b"GET  /a HTTP/1.1\r\n\r\n",
    b"GET /a\r\n\r\n",
    b"GET /a HTTP/1.1\r\nNoColonHere\r\n\r\n",
    b"GET /a HTTP/1.1\r\nBad Name: x\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n",
    b"GET /a HTTP/1.1\rHost: x\r\n\r\n",
])
def test_garbage_gets_400_and_close(srv, data):
    with HttpConn(srv.port) as c:
        c.send(data)
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 400 Bad Request"
        assert r.header("Connection") == "close"
        assert c.wait_closed(2.0)


def test_unknown_http_version_505(srv):
    with HttpConn(srv.port) as c:
        c.send(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
        r = c.read_response()
        assert r.status == 505
        assert c.wait_closed(2.0)


def test_request_line_too_long_414(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/" + "a" * 9000))
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 414 URI Too Long"
        assert c.wait_closed(2.0)


def test_request_line_too_long_without_lf_414(srv):
    # The server must not wait for the end of an endless request line.
    with HttpConn(srv.port) as c:
        c.send(b"GET /" + b"a" * 9000)
        r = c.read_response()
        assert r.status == 414
        assert c.wait_closed(2.0)


def test_headers_too_large_431(srv):
    hs = [("X-Fill-%d" % i, "v" * 1000) for i in range(70)]  # > 64 KiB of header lines
    with HttpConn(srv.port) as c:
        try:
            c.send(get("/", headers=hs))
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 431 Request Header Fields Too Large"
        assert c.wait_closed(2.0)


def test_too_many_header_lines_431(srv):
    hs = [("X-H%d" % i, "1") for i in range(150)]  # max_headers default 100
    with HttpConn(srv.port) as c:
        c.send(get("/", headers=hs))
        r = c.read_response()
        assert r.status == 431
        assert c.wait_closed(2.0)


def test_body_too_large_413_before_body_is_sent(srv):
    with HttpConn(srv.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
        r = c.read_response(timeout=2.0)
        assert status_line(r.raw) == b"HTTP/1.1 413 Content Too Large"
        assert c.wait_closed(2.0)


def test_chunked_body_too_large_413(srv):
    chunk = b"x" * 65536
    data = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with HttpConn(srv.port) as c:
        c.send(data)
        got = None
        try:
            for _ in range(20):  # 1.25 MiB > max_body (1 MiB)
                c.send(b"10000\r\n" + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        got = c.read_response()
        assert got.status == 413
        assert c.wait_closed(2.0)


def test_post_without_length_with_accept_no_cl(srv):
    # tcp_accept_no_cl=yes: a request without Content-Length has an empty body (RFC 9112 6.3).
    with HttpConn(srv.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.body == b""


# ------------------------------------------------------------------ 100-continue

def test_expect_100_continue_from_header(srv):
    body = b"x" * 2000
    with HttpConn(srv.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
               b"Content-Length: 2000\r\n\r\n")
        assert c.read_exact(len(b"HTTP/1.1 100 Continue\r\n\r\n")) == b"HTTP/1.1 100 Continue\r\n\r\n"
        c.send(body)
        r = c.read_response()
        assert r.status == 200 and r.body == body


def test_expect_100_continue_not_from_body(srv):
    body = b"Expect: 100-continue\r\n\r\n" + b"y" * 100
    head = (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\n\r\n")
    with HttpConn(srv.port) as c:
        c.send(head + body[:30])
        assert c.read_available(0.3) == b""
        c.send(body[30:])
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 200 OK"
        assert r.body == body
        assert c.read_available(0.2) == b""


def test_expect_100_continue_not_sent_when_body_already_there(srv):
    body = b"z" * 50
    with HttpConn(srv.port) as c:
        c.send(post("/echo", body, headers=[("Expect", "100-continue")]))
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.1 200 OK"
        assert r.body == body


def test_expect_100_continue_ignored_for_http10(srv):
    with HttpConn(srv.port) as c:
        c.send(b"POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        assert c.read_available(0.3) == b""
        c.send(b"abc")
        r = c.read_response()
        assert status_line(r.raw) == b"HTTP/1.0 200 OK"
        assert r.body == b"abc"


# ------------------------------------------------------------------ chunked uploads

def test_chunked_in_one_write(srv):
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    r = exchange(srv.port, data, timeout=2.0)
    assert r.body == b"hello world"


def test_chunked_with_extensions_and_trailers(srv):
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;name=val\r\nhello\r\n1;q=\"x y\"\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n" + get("/next"))
    with HttpConn(srv.port) as c:
        c.send(data)
        assert c.read_response().body == b"hello!"
        assert c.read_response().body == b"hello /next"


def test_chunked_one_byte_at_a_time(srv):
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"a\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\n")
    with HttpConn(srv.port) as c:
        for i in range(len(data)):
            c.send(data[i:i + 1])
        assert c.read_response().body == b"0123456789abc"


# ------------------------------------------------------------------ buffers and half-close

def test_pipelined_batch_across_read_buffers(srv):
    # ~600 KB of pipelined POSTs of random sizes in one stream: messages straddle every
    # internal read-buffer boundary. A writer thread sends while we read.
    import random
    import threading
    rnd = random.Random(7)
    bodies = [bytes([65 + i % 26]) * rnd.randint(0, 4000) for i in range(300)]
    data = b"".join(post("/echo", b) for b in bodies)
    with HttpConn(srv.port, timeout=10) as c:
        t = threading.Thread(target=c.sock.sendall, args=(data,), daemon=True)
        t.start()
        for b in bodies:
            assert c.read_response().body == b
        t.join(timeout=5)


def test_half_close_after_request_is_answered(srv):
    import socket
    with HttpConn(srv.port) as c:
        c.send(get("/one") + post("/echo", "two"))
        c.sock.shutdown(socket.SHUT_WR)
        assert c.read_response().body == b"hello /one"
        assert c.read_response().body == b"two"
        assert c.wait_closed(2.0)


def test_half_close_inside_request_closes(srv):
    import socket
    with HttpConn(srv.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        c.sock.shutdown(socket.SHUT_WR)
        assert c.wait_closed(2.0)
        assert c.buf == b""


@pytest.mark.parametrize("value", ["close", "CLOSE", "keep-alive, close", "Close , foo"])
def test_connection_close_tokens(srv, value):
    with HttpConn(srv.port) as c:
        c.send(get("/a", headers=[("Connection", value)]))
        assert c.read_response().header("Connection") == "close"
        assert c.wait_closed(2.0)


def test_absolute_form_and_asterisk_targets(srv):
    with HttpConn(srv.port) as c:
        c.send(get("http://example.com/abs?x=1") + request("OPTIONS", "*"))
        assert c.read_response().body == b"hello http://example.com/abs?x=1"
        assert c.read_response().body == b"hello *"


def test_body_on_get_is_read(srv):
    with HttpConn(srv.port) as c:
        c.send(request("GET", "/echo", headers=[("Content-Length", "4")], body=b"data") + get("/next"))
        assert c.read_response().body == b"data"
        assert c.read_response().body == b"hello /next"


def test_extra_crlf_between_requests_ignored(srv):
    # RFC 9112 2.2: empty lines before a request line are ignored (some clients add one
    # after a POST body).
    with HttpConn(srv.port) as c:
        c.send(post("/echo", "x") + b"\r\n" + get("/next"))
        assert c.read_response().body == b"x"
        assert c.read_response().body == b"hello /next"


def test_sip_and_http_pipelined_on_one_connection(srv):
    sip = (b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-p\r\n"
           b"From: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: pipe-1\r\nCSeq: 1 OPTIONS\r\n"
           b"Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody")
    with HttpConn(srv.port) as c:
        c.send(get("/first") + sip + get("/third"))
        assert c.read_response().body == b"hello /first"
        r = c.read_response()
        assert r.version == "SIP/2.0" and r.header("Call-ID") == "pipe-1"
        assert c.read_response().body == b"hello /third"


def test_many_concurrent_keepalive_clients(srv):
    conns = [HttpConn(srv.port) for _ in range(100)]
    try:
        for rnd in range(3):
            for i, c in enumerate(conns):
                c.send(get(f"/c{i}-{rnd}"))
            for i, c in enumerate(conns):
                assert c.read_response().body == f"hello /c{i}-{rnd}".encode()
    finally:
        for c in conns:
            c.close()
