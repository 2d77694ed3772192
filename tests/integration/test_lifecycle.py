"""Process life cycle: graceful stop on SIGTERM/SIGINT (exit 0, pid file removed, open
connections closed), -P pid file, -l extra listen, and startup failures."""

import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import make_config, siphon_bin
from helpers import HttpConn, UdpClient, exchange, free_port, get, sip_options


def test_sigterm_graceful_stop_removes_pid_file(siphon, tmp_path):
    pid_file = tmp_path / "siphon.pid"
    s = siphon(args=["-P", str(pid_file)])
    assert pid_file.read_text().strip() == str(s.pid)
    idle = HttpConn(s.port)
    idle.send(get("/before"))
    assert idle.read_response().status == 200
    t0 = time.monotonic()
    rc = s.stop(signal.SIGTERM)
    assert rc == 0
    assert time.monotonic() - t0 < 3.0
    assert not pid_file.exists()
    # The kept-alive connection was closed, not left dangling.
    assert idle.wait_closed(1.0)
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=1).close()


def test_sigint_stops_too(siphon):
    s = siphon()
    assert s.stop(signal.SIGINT) == 0


def test_sighup_does_not_stop(siphon):
    s = siphon()
    os.kill(s.pid, signal.SIGHUP)
    assert exchange(s.port, get("/after-hup")).status == 200
    assert s.alive()


def test_stop_while_clients_are_busy(siphon):
    s = siphon()
    conns = [HttpConn(s.port) for _ in range(10)]
    try:
        for c in conns:
            c.send(get("/a") + b"GET /partial HTTP/1.1\r\nHost")
        for c in conns:
            assert c.read_response().status == 200
        assert s.stop(signal.SIGTERM) == 0
        for c in conns:
            assert c.wait_closed(1.0)
    finally:
        for c in conns:
            c.close()


def test_extra_listen_from_command_line(siphon):
    s = siphon(args=["-l", "tcp:127.0.0.1:@EXTRA@", "-l", "udp:127.0.0.1:@EXTRA@"])
    extra = s.extra_port
    assert exchange(extra, get("/extra")).status == 200
    with UdpClient() as u:
        assert u.ask(extra, sip_options(u.port, extra)).startswith(b"SIP/2.0 200 OK\r\n")
    assert exchange(s.port, get("/main")).status == 200


def run_bin(args, timeout=10):
    return subprocess.run([siphon_bin(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def test_check_mode_valid_config(tmp_path):
    f = tmp_path / "ok.cfg"
    f.write_text(make_config(free_port()))
    p = run_bin(["-c", "-f", str(f)])
    assert p.returncode == 0, p.stderr


def test_config_error_exits_nonzero_with_position(tmp_path):
    f = tmp_path / "bad.cfg"
    f.write_text(make_config(free_port(), http_route='xhttp_reply("200", "OK", "text/plain", "x")'))
    p = run_bin(["-DD", "-E", "-f", str(f)])
    assert p.returncode != 0
    assert str(f).encode() in p.stderr


def test_port_in_use_fails_startup(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        f = tmp_path / "busy.cfg"
        f.write_text(make_config(port).replace(f"listen=udp:127.0.0.1:{port}\n", ""))
        p = run_bin(["-DD", "-E", "-f", str(f)])
    assert p.returncode != 0
    assert b"bind" in p.stderr
