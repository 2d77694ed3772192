"""Request smuggling attempts (RFC 9112 6.1, 6.3, 7.1, 11.2): every ambiguous framing is
answered 400 (or 501) and the connection closed, so no second request can hide inside the
first one. The marker request "/smuggled" must never be answered."""

import pytest

from helpers import HttpConn, get

ROUTE = r'''
if ($hu == "/smuggled") { xhttp_reply("200", "OK", "text/plain", "SMUGGLED"); exit; }
xhttp_reply("200", "OK", "text/plain", "[$rb]");
'''

SMUGGLED = get("/smuggled")


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE)


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def rejected(port, data, status=400):
    with HttpConn(port, timeout=3.0) as c:
        c.send(data)
        r = c.read_response()
        assert r.status in (status if isinstance(status, tuple) else (status,)), r
        assert r.header("Connection") == "close"
        assert c.wait_closed(2.0)
        assert b"SMUGGLED" not in c.buf
        return r


def head(*lines):
    return ("POST /x HTTP/1.1\r\nHost: a\r\n" + "".join(l + "\r\n" for l in lines) + "\r\n").encode()


def test_cl_and_te_together(srv):
    rejected(srv.port, head("Content-Length: 5", "Transfer-Encoding: chunked") + b"0\r\n\r\n" + SMUGGLED)


def test_te_and_cl_together_reversed(srv):
    rejected(srv.port, head("Transfer-Encoding: chunked", "Content-Length: 40") + b"0\r\n\r\n" + SMUGGLED)


def test_duplicate_differing_content_length(srv):
    rejected(srv.port, head("Content-Length: 3", "Content-Length: 5") + b"abcde" + SMUGGLED)


def test_content_length_list_differing(srv):
    rejected(srv.port, head("Content-Length: 3, 5") + b"abcde" + SMUGGLED)


def test_duplicate_identical_content_length_accepted(srv):
    # RFC 9110 8.6 allows identical repeated values.
    with HttpConn(srv.port) as c:
        c.send(head("Content-Length: 3", "Content-Length: 3") + b"abc" + get("/next"))
        assert c.read_response().body == b"[abc]"
        assert c.read_response().body == b"[]"


@pytest.mark.parametrize("value", ["-5", "abc", "5abc", "+5", "0x10", "5 5", "99999999999999999999", ""])
def test_bad_content_length(srv, value):
    rejected(srv.port, head(f"Content-Length: {value}") + b"abcde" + SMUGGLED)


@pytest.mark.parametrize("te,status", [
    ("chunked, chunked", 400),
    ("chunked, gzip", (400, 501)),  # chunked must be the final coding; gzip is unknown
    ("gzip", 501),
    ("identity", 501),
    ("chunk", 501),
    ("chunked;x", (400, 501)),      # parameters are not defined for chunked
    (",", 400),
])
def test_bad_transfer_encoding(srv, te, status):
    rejected(srv.port, head(f"Transfer-Encoding: {te}") + b"0\r\n\r\n" + SMUGGLED, status)


def test_te_split_over_two_lines_not_final_chunked(srv):
    rejected(srv.port, head("Transfer-Encoding: chunked", "Transfer-Encoding: gzip")
             + b"0\r\n\r\n" + SMUGGLED, 501)


def test_te_in_http10(srv):
    data = (b"POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED)
    rejected(srv.port, data)


def test_te_obs_fold(srv):
    rejected(srv.port, head("Transfer-Encoding:", " chunked") + b"0\r\n\r\n" + SMUGGLED)


@pytest.mark.parametrize("size", [b"ffffffffffffffffff", b"10000000000000000", b"fffffffffffffffff0"])
def test_chunk_size_overflow(srv, size):
    rejected(srv.port, head("Transfer-Encoding: chunked") + size + b"\r\nabc\r\n0\r\n\r\n" + SMUGGLED)


@pytest.mark.parametrize("body", [
    b"-1\r\nabc\r\n0\r\n\r\n",
    b"0x5\r\nhello\r\n0\r\n\r\n",
    b" 5\r\nhello\r\n0\r\n\r\n",
    b"5\r\nhelloXX0\r\n\r\n",          # missing CRLF after the chunk data
    b"5\r\nhello\r\r\n0\r\n\r\n",
    b"3\r\nabc\r\n0\r\nbad trailer\r\n\r\n",
    b"g\r\n",
])
def test_bad_chunk_syntax(srv, body):
    rejected(srv.port, head("Transfer-Encoding: chunked") + body + SMUGGLED)


def test_chunked_size_larger_than_32_bits_is_limited_not_wrapped(srv):
    # 0x100000005 would wrap to 5 in a 32-bit parser.
    r = rejected(srv.port, head("Transfer-Encoding: chunked") + b"100000005\r\nhello\r\n0\r\n\r\n" + SMUGGLED,
                 413)
    assert r.status == 413


def test_bare_lf_line_endings_accepted(srv):
    with HttpConn(srv.port) as c:
        c.send(b"POST /x HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc" + b"GET /y HTTP/1.1\n\n")
        assert c.read_response().body == b"[abc]"
        assert c.read_response().body == b"[]"


def test_bare_lf_in_chunked_body_accepted(srv):
    with HttpConn(srv.port) as c:
        c.send(b"POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n")
        assert c.read_response().body == b"[abc]"


@pytest.mark.parametrize("data", [
    b"GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: a\x00b\r\n\r\n",
    b"GET /a HTTP/1.1\r\nX\x00: 1\r\n\r\n",
    b"\x00GET /a HTTP/1.1\r\n\r\n",
    b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\x00\r\nabc\r\n0\r\n\r\n",
])
def test_nul_bytes_400_and_close(srv, data):
    rejected(srv.port, data + SMUGGLED)


def test_nul_in_content_length_body_is_data(srv):
    # Inside a Content-Length body NUL is just a byte.
    with HttpConn(srv.port) as c:
        c.send(head("Content-Length: 3") + b"a\x00b")
        r = c.read_response()
        assert r.body == b"[a\x00b]"


def test_bare_cr_in_header_value(srv):
    rejected(srv.port, b"GET /a HTTP/1.1\r\nHost: a\rX-Evil: 1\r\n\r\n" + SMUGGLED)


def test_compact_l_does_not_frame_http(srv):
    # "l" is Content-Length only for SIP; for HTTP it must not frame the body (else a proxy
    # and siphon would disagree on where the next request starts). The request has no
    # length, so its body is empty and the next bytes are the next request.
    with HttpConn(srv.port) as c:
        c.send(b"POST /x HTTP/1.1\r\nHost: a\r\nl: 18\r\n\r\n" + get("/y"))
        assert c.read_response().body == b"[]"
        assert c.read_response().body == b"[]"


def test_pipelined_after_rejected_request_is_never_processed(srv):
    with HttpConn(srv.port) as c:
        c.send(head("Content-Length: 1", "Content-Length: 2") + b"ab" + SMUGGLED + SMUGGLED)
        r = c.read_response()
        assert r.status == 400
        assert c.wait_closed(2.0)
        assert c.buf == b""
