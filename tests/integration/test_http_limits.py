"""Size limits exactly at and one past their boundary (max_request_line, max_header_bytes,
max_headers, max_body), for Content-Length and chunked bodies and for input arriving whole or
in pieces."""

import time

import pytest

from helpers import HttpConn

GLOBALS = "max_request_line=100\nmax_header_bytes=1000\nmax_headers=5\nmax_body=1000\n"
ROUTE = 'xhttp_reply("200", "OK", "text/plain", "$rb");'


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE, globals_=GLOBALS)


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def outcome(port, data, pieces=1):
    """(status, closed) of the first reply to data sent in `pieces` writes."""
    with HttpConn(port, timeout=3.0) as c:
        step = max(1, len(data) // pieces)
        try:
            for i in range(0, len(data), step):
                c.send(data[i:i + step])
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.read_response()
        return r.status, not c.is_open(0.2)


def request_line(total):
    """A request line of exactly `total` bytes without its CRLF."""
    fixed = len("GET / HTTP/1.1")
    return "GET /" + "a" * (total - fixed) + " HTTP/1.1"


def head_of_size(total, lines=1):
    """A request head (through the blank line) of exactly `total` bytes with `lines` header
    lines."""
    start = "GET / HTTP/1.1\r\n"
    fixed = len(start) + 2 + lines * len("X-0: \r\n")
    fill = total - fixed
    assert fill >= 0
    hs = []
    for i in range(lines):
        n = fill // lines + (fill % lines if i == 0 else 0)
        hs.append(f"X-{i}: " + "v" * n + "\r\n")
    data = (start + "".join(hs) + "\r\n").encode()
    assert len(data) == total
    return data


@pytest.mark.parametrize("pieces", [1, 7])
def test_request_line_at_limit(srv, pieces):
    assert outcome(srv.port, (request_line(100) + "\r\n\r\n").encode(), pieces) == (200, False)


@pytest.mark.parametrize("pieces", [1, 7])
def test_request_line_over_limit(srv, pieces):
    assert outcome(srv.port, (request_line(101) + "\r\n\r\n").encode(), pieces) == (414, True)


@pytest.mark.parametrize("pieces", [1, 9])
def test_header_bytes_at_limit(srv, pieces):
    assert outcome(srv.port, head_of_size(1000), pieces) == (200, False)


@pytest.mark.parametrize("pieces", [1, 9])
def test_header_bytes_over_limit(srv, pieces):
    assert outcome(srv.port, head_of_size(1001), pieces) == (431, True)


def test_header_bytes_over_limit_without_end(srv):
    # No blank line ever comes: the limit alone must end it.
    assert outcome(srv.port, head_of_size(1200)[:-2]) == (431, True)


def test_header_count_at_limit(srv):
    assert outcome(srv.port, head_of_size(300, lines=5)) == (200, False)


def test_header_count_over_limit(srv):
    assert outcome(srv.port, head_of_size(300, lines=6)) == (431, True)


def post_cl(n):
    return b"POST /e HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % n + b"b" * n


def post_chunked(sizes):
    body = b"".join(b"%x\r\n" % n + b"c" * n + b"\r\n" for n in sizes)
    return b"POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n"


@pytest.mark.parametrize("pieces", [1, 5])
def test_body_at_limit(srv, pieces):
    with HttpConn(srv.port) as c:
        data = post_cl(1000)
        step = len(data) // pieces + 1
        for i in range(0, len(data), step):
            c.send(data[i:i + step])
        r = c.read_response()
        assert r.status == 200 and r.body == b"b" * 1000


def test_body_over_limit(srv):
    assert outcome(srv.port, post_cl(1001)) == (413, True)


@pytest.mark.parametrize("sizes", [[1000], [500, 500], [1] * 1000])
def test_chunked_body_at_limit(srv, sizes):
    with HttpConn(srv.port) as c:
        c.send(post_chunked(sizes))
        r = c.read_response()
        assert r.status == 200 and r.body == b"c" * 1000


@pytest.mark.parametrize("sizes", [[1001], [500, 501], [999, 1, 1]])
def test_chunked_body_over_limit(srv, sizes):
    assert outcome(srv.port, post_chunked(sizes)) == (413, True)


def test_trailers_count_against_header_limit(srv):
    data = (b"POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
            + b"X-T: " + b"t" * 2000 + b"\r\n\r\n")
    status, closed = outcome(srv.port, data)
    assert status == 431 and closed


def test_small_chunks_with_extensions_within_body_limit(srv):
    # 900 body bytes, but 18 KB on the wire: the limit is on the decoded body (max_body).
    body = b"".join(b"1;ext=abcdefgh\r\nc\r\n" for _ in range(900))
    data = b"POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n"
    with HttpConn(srv.port) as c:
        try:
            for i in range(0, len(data), 1000):  # in pieces: the message builds up across reads
                c.send(data[i:i + 1000])
                time.sleep(0.002)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.read_response()
        assert r.status == 200 and r.body == b"c" * 900
