"""Reply building on the wire: headers added by other functions, status codes at the edges of
xhttp_reply's range, replies that must not carry content (1xx, 204, 304, HEAD), and replies
whose framing must stay parseable so the next reply on the connection is not corrupted."""

import pytest

from helpers import HttpConn, exchange, get, request

ROUTE = r'''
if ($hu == "/103") { xhttp_reply("103", "Early Hints", "text/plain", "early-body"); xhttp_reply("200", "OK", "text/plain", "final"); exit; }
if ($hu == "/101") { xhttp_reply("101", "Switching Protocols", "", ""); exit; }
if ($hu == "/204") { xhttp_reply("204", "No Content", "text/plain", "body!"); exit; }
if ($hu == "/304") { xhttp_reply("304", "Not Modified", "text/plain", "body!"); exit; }
if ($hu == "/700") { xhttp_reply("700", "Seven", "text/plain", "x"); exit; }
if ($hu == "/pvcode") { $var(c) = "abc"; xhttp_reply("$var(c)", "X", "text/plain", "x"); exit; }
if ($hu == "/pvcode-ok") { $var(c) = 418; xhttp_reply("$var(c)", "Teapot $var(c)", "text/plain", "x"); exit; }
if ($hu == "/append") { append_to_reply("X-Extra: yes\r\nX-Two: 2\r\n"); xhttp_reply("200", "OK", "text/plain", "x"); exit; }
if ($hu == "/sl-then-xhttp") { sl_send_reply("200", "SL"); xhttp_reply("200", "OK", "text/plain", "x"); exit; }
if ($hu == "/empty-reason") { xhttp_reply("200", "", "text/plain", "x"); exit; }
if ($hu == "/no-ctype") { xhttp_reply("200", "OK", "", "plain"); exit; }
if ($hu == "/dollar") { xhttp_reply("200", "OK", "text/plain", "cost $$5 $rm"); exit; }
xhttp_reply("200", "OK", "text/plain", "next");
'''


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE,
                         globals_='server_header="Server: test-server"\n')


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def test_server_header_param(srv):
    r = exchange(srv.port, get("/x"))
    assert r.raw == (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: test-server\r\n"
                     b"Content-Length: 4\r\n\r\nnext")


def test_append_to_reply_headers_before_content_type(srv):
    r = exchange(srv.port, get("/append"))
    assert [n for n, _ in r.headers] == ["X-Extra", "X-Two", "Content-Type", "Server", "Content-Length"]


def test_code_700_is_the_upper_bound(srv):
    r = exchange(srv.port, get("/700"))
    assert r.raw.startswith(b"HTTP/1.1 700 Seven\r\n")


def test_code_from_pv(srv):
    r = exchange(srv.port, get("/pvcode-ok"))
    assert r.raw.startswith(b"HTTP/1.1 418 Teapot 418\r\n")


def test_code_from_pv_not_a_number_falls_back_to_500(srv):
    assert exchange(srv.port, get("/pvcode")).status == 500


def test_empty_reason_refused(srv):
    assert exchange(srv.port, get("/empty-reason")).status == 500


def test_empty_ctype_omits_content_type(srv):
    r = exchange(srv.port, get("/no-ctype"))
    assert r.header("Content-Type") is None and r.body == b"plain"


def test_dollar_escape_in_body(srv):
    assert exchange(srv.port, get("/dollar")).body == b"cost $5 GET"


def test_sl_reply_then_xhttp_reply_refused(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/sl-then-xhttp") + get("/next"))
        r = c.read_response()
        assert r.raw.startswith(b"HTTP/1.1 200 SL\r\n") and r.body == b""
        assert c.read_response().body == b"next"


@pytest.mark.parametrize("code", ["204", "304"])
def test_no_content_codes_send_no_body(srv, code):
    with HttpConn(srv.port) as c:
        c.send(get("/" + code) + get("/next"))
        r = c.read_response()  # no body for 204/304, by their status
        assert r.status == int(code)
        n = c.read_response()
        assert n.raw.startswith(b"HTTP/1.1 200 OK\r\n") and n.body == b"next"


def test_interim_1xx_carries_no_body(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/103"))
        r = c.read_response()  # a 1xx has no content
        assert r.status == 103
        assert r.header("Content-Length") is None
        f = c.read_response()
        assert f.raw.startswith(b"HTTP/1.1 200 OK\r\n") and f.body == b"final"


def test_no_interim_reply_to_http10(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/103", version="HTTP/1.0"))
        r = c.read_response()
        assert r.raw.startswith(b"HTTP/1.0 200 OK\r\n")


def test_101_switching_protocols_refused(srv):
    r = exchange(srv.port, get("/101"))
    assert r.status == 500


def test_head_on_fallback_reply(srv):
    with HttpConn(srv.port) as c:
        c.send(request("HEAD", "/pvcode") + get("/next"))
        r = c.read_response(head=True)
        assert r.status == 500
        assert c.read_response().body == b"next"
