"""xhttp module parameters on the wire: url_skip / url_match (skipped requests are answered
404 instead of hanging, behavior notes DEFECT 8) and no_reply_code."""

import pytest

from helpers import HttpConn, exchange, get

ROUTE = 'xhttp_reply("200", "OK", "text/plain", "routed $hu");'


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE, modparams=(
        'modparam("xhttp", "url_skip", "^/api/private")\n'
        'modparam("xhttp", "url_match", "^/api/|q=[0-9]+$")\n'))


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def test_url_match_routes(srv):
    r = exchange(srv.port, get("/api/users?x=1"))
    assert r.status == 200 and r.body == b"routed /api/users?x=1"


def test_url_match_on_query_string(srv):
    assert exchange(srv.port, get("/other?q=12")).body == b"routed /other?q=12"


@pytest.mark.parametrize("target", ["/other", "/API/x", "/other?q=12&z", "/api%2Fx", "/x/api/y"])
def test_url_match_non_match_gets_404(srv, target):
    r = exchange(srv.port, get(target))
    assert r.raw.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert r.header("Content-Length") == "0"
    assert b"routed" not in r.raw


@pytest.mark.parametrize("target", ["/api/private", "/api/private/key?x=1"])
def test_url_skip_gets_404(srv, target):
    r = exchange(srv.port, get(target))
    assert r.raw.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"routed" not in r.raw


def test_skipped_request_keeps_connection_and_pipeline(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/api/private") + get("/nomatch") + get("/api/ok"))
        assert c.read_response().status == 404
        assert c.read_response().status == 404
        assert c.read_response().body == b"routed /api/ok"
        assert c.is_open(0.2)


def test_skipped_http10_closes(srv):
    with HttpConn(srv.port) as c:
        c.send(get("/api/private", version="HTTP/1.0"))
        r = c.read_response()
        assert r.raw.startswith(b"HTTP/1.0 404 Not Found\r\n")
        assert c.wait_closed(2.0)


def test_head_on_skipped_url(srv):
    with HttpConn(srv.port) as c:
        c.send(b"HEAD /nomatch HTTP/1.1\r\nHost: a\r\n\r\n" + get("/api/next"))
        assert c.read_response(head=True).status == 404
        assert c.read_response().body == b"routed /api/next"


def test_no_reply_code_param(siphon):
    s = siphon(http_route="exit;", modparams='modparam("xhttp", "no_reply_code", 503)\n')
    r = exchange(s.port, get("/x"))
    assert r.status == 503
    assert r.header("Content-Length") == "0"


def test_no_reply_with_negative_result_closes(siphon):
    # The route ends false without replying: the fallback reply is sent, then the close.
    s = siphon(http_route="return -1;")
    with HttpConn(s.port) as c:
        c.send(get("/x") + get("/never"))
        r = c.read_response()
        assert r.status == 500
        assert c.wait_closed(2.0)
        assert c.buf == b""


def test_sl_send_reply_on_http(siphon):
    s = siphon(http_route='sl_send_reply("201", "Made it"); exit;')
    r = exchange(s.port, get("/x"))
    assert r.raw.startswith(b"HTTP/1.1 201 Made it\r\n")
    assert r.header("Content-Length") == "0"
    assert b"Sia:" not in r.raw


def test_second_xhttp_reply_refused(siphon):
    s = siphon(http_route='xhttp_reply("200", "OK", "text/plain", "first"); '
                          'if (!xhttp_reply("200", "OK", "text/plain", "second")) { xlog("L_ERR", "second refused\\n"); } exit;')
    with HttpConn(s.port) as c:
        c.send(get("/x") + get("/y"))
        assert c.read_response().body == b"first"
        assert c.read_response().body == b"first"
        assert c.read_available(0.2) == b""
    assert "second refused" in s.log()


def test_http_without_xhttp_module_gets_404(siphon):
    s = siphon(modules=("sl", "textops"), http_route="exit;")
    with HttpConn(s.port) as c:
        c.send(get("/x") + get("/y"))
        assert c.read_response().raw.startswith(b"HTTP/1.1 404 Not Found\r\n")
        assert c.read_response().status == 404


def test_max_while_loops_param(siphon):
    s = siphon(globals_="max_while_loops=5\n",
               http_route='$var(i) = 0; while ($var(i) < 1000) { $var(i) = $var(i) + 1; } '
                          'xhttp_reply("200", "OK", "text/plain", "i=$var(i)");')
    assert exchange(s.port, get("/")).body == b"i=5"
