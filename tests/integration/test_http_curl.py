"""HTTP through a real client (curl): methods, versions, connection reuse, chunked upload,
100-continue and a 1 MB body echoed through $rb."""

import os
import re

import pytest

from helpers import curl

ROUTE = r'''
if ($hu =~ "^/echo") { xhttp_reply("200", "OK", "application/octet-stream", "$rb"); exit; }
xhttp_reply("200", "OK", "text/html", "<html><body>$rm $hu $rv OK - [$si:$sp]</body></html>");
'''


@pytest.fixture(scope="module")
def shared(module_siphon):
    return module_siphon(http_route=ROUTE, globals_="pv_buffer_size=2000000\nmax_body=2000000\n")


@pytest.fixture
def srv(shared, attach_log):
    assert shared.alive(), "the shared server died in an earlier test"
    return attach_log(shared)


def url(srv, path="/"):
    return f"http://127.0.0.1:{srv.port}{path}"


def body_re(method, path, version):
    return re.compile((rf"^<html><body>{method} {re.escape(path)} {version} OK - "
                       rf"\[127\.0\.0\.1:(\d+)\]</body></html>$").encode())


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_methods_and_versions(srv, method, version):
    args = ["-X", method, "--http" + version, "-D", "-", url(srv, "/m?x=1")]
    if method in ("POST", "PUT"):
        args[0:0] = ["--data-binary", "payload"]
    p = curl(*args)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/{version} 200 OK\r\n".encode())
    assert b"\r\nContent-Type: text/html\r\n" in head + b"\r\n"
    assert body_re(method, "/m?x=1", f"HTTP/{version}").match(body), body
    if version == "1.0":
        assert b"\r\nConnection: close" in head


def test_echo_post_body(srv):
    p = curl("--data-binary", "hello=world&x=1", url(srv, "/echo"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"hello=world&x=1"


def test_keepalive_reuse_two_urls(srv):
    p = curl("-v", url(srv, "/first"), url(srv, "/second"))
    assert p.returncode == 0, p.stderr
    bodies = re.findall(rb"<html><body>GET (/\w+) HTTP/1.1 OK - \[127\.0\.0\.1:(\d+)\]</body></html>", p.stdout)
    assert [b[0] for b in bodies] == [b"/first", b"/second"]
    # Same client port in both replies: the same TCP connection served both requests.
    assert bodies[0][1] == bodies[1][1]
    assert "Re-using existing connection" in p.stderr or "Reusing existing connection" in p.stderr


def test_http10_connection_not_reused(srv):
    p = curl("-v", "--http1.0", url(srv, "/first"), url(srv, "/second"))
    assert p.returncode == 0, p.stderr
    ports = re.findall(rb"\[127\.0\.0\.1:(\d+)\]", p.stdout)
    assert len(ports) == 2 and ports[0] != ports[1]


def test_chunked_upload(srv, tmp_path):
    data = os.urandom(3000) + b"end"
    f = tmp_path / "up.bin"
    f.write_bytes(data)
    p = curl("-v", "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{f}", url(srv, "/echo"))
    assert p.returncode == 0, p.stderr
    assert "Transfer-Encoding: chunked" in p.stderr
    assert p.stdout == data


def test_expect_100_continue(srv, tmp_path):
    data = b"0123456789" * 300  # > 1 KB
    f = tmp_path / "body.bin"
    f.write_bytes(data)
    p = curl("-v", "-H", "Expect: 100-continue", "--expect100-timeout", "10",
             "--data-binary", f"@{f}", "-w", "\n%{time_total}", url(srv, "/echo"))
    assert p.returncode == 0, p.stderr
    assert "< HTTP/1.1 100 Continue" in p.stderr
    body, _, total = p.stdout.rpartition(b"\n")
    assert body == data
    # curl sent the body because of the 100, not after its 10 s expect timeout.
    assert float(total) < 5.0


def test_one_megabyte_echo(srv, tmp_path):
    data = os.urandom(1024 * 1024)
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    p = curl("--data-binary", f"@{f}", "-H", "Content-Type: application/octet-stream",
             "-D", str(tmp_path / "h.txt"), url(srv, "/echo"))
    assert p.returncode == 0, p.stderr
    assert len(p.stdout) == len(data)
    assert p.stdout == data
    h = (tmp_path / "h.txt").read_bytes()
    assert b"Content-Length: 1048576\r\n" in h


def test_one_megabyte_chunked_echo(srv, tmp_path):
    data = os.urandom(1024 * 1024)
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    p = curl("-H", "Transfer-Encoding: chunked", "--data-binary", f"@{f}", url(srv, "/echo"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == data


def test_head_with_curl(srv):
    p = curl("-I", url(srv, "/h"))
    assert p.returncode == 0, p.stderr
    head = p.stdout
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    m = re.search(rb"Content-Length: (\d+)\r\n", head)
    assert m and int(m.group(1)) > 0
    assert head.endswith(b"\r\n\r\n")


def test_body_over_max_body_gets_413(tmp_path, siphon):
    s = siphon(http_route=ROUTE, globals_="max_body=100000\n")
    f = tmp_path / "big.bin"
    f.write_bytes(b"x" * 300000)
    p = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", f"@{f}",
             f"http://127.0.0.1:{s.port}/echo")
    assert p.stdout == b"413", p.stderr
