"""Fixtures for the integration suite: a real siphon process per config, on free loopback ports.

`siphon(...)` (function scope) and `shared_server` (module scope, see test files) start the
binary named by $SIPHON_BIN (default build/siphon) with an inline config written to a temp dir,
wait until the TCP port answers a CRLF keep-alive ping, and stop it by PID at teardown
(SIGTERM, SIGKILL after 5 s). When a test fails, the server's stderr is attached to the report.
With SIPHON_ASAN=1 the binary is taken as an ASan/UBSan build: teardown fails the test when the
server's stderr holds a sanitizer report.

Python standard library only; every wait below is bounded in time.
"""

import os
import resource
import signal
import socket
import subprocess
import time

import pytest

from helpers import ROOT, free_port

START_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0
ASAN = os.environ.get("SIPHON_ASAN") == "1"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:")


def siphon_bin():
    b = os.environ.get("SIPHON_BIN", os.path.join(ROOT, "build", "siphon"))
    return os.path.abspath(b)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test (each still under 60 s)")


def pytest_sessionstart(session):
    b = siphon_bin()
    if not os.access(b, os.X_OK):
        pytest.exit(f"siphon binary {b} not found (set SIPHON_BIN, or build it: "
                    "cmake -S . -B build -G Ninja && ninja -C build siphon)", returncode=2)


def make_config(port, http_route=None, sip_route=None, globals_="", modparams="", children=2,
                extra="", modules=("sl", "xhttp", "xlog", "textops"), accept_no_cl=True):
    """The example config of the suite with the given pieces swapped in."""
    if sip_route is None:
        sip_route = ('if (is_method("OPTIONS")) { sl_send_reply("200","OK"); exit; } '
                     'sl_send_reply("404","Not here");')
    if http_route is None:
        http_route = ('xhttp_reply("200", "OK", "text/html", '
                      '"<html><body>OK - [$si:$sp]</body></html>");')
    lines = [
        f"listen=tcp:127.0.0.1:{port}",
        f"listen=udp:127.0.0.1:{port}",
        f"children={children}",
        "tcp_accept_no_cl=" + ("yes" if accept_no_cl else "no"),
        globals_,
    ]
    lines += [f'loadmodule "{m}.so"' for m in modules]
    lines += [
        modparams,
        "request_route {\n" + sip_route + "\n}",
        "event_route[xhttp:request] {\n" + http_route + "\n}",
        extra,
    ]
    return "\n".join(lines) + "\n"


class Siphon:
    """One running server. `port` is its TCP and UDP port; `log()` its stderr so far."""

    def __init__(self, workdir, cfg_text, port, args=(), nofile=None):
        self.workdir = workdir
        self.port = port
        self.host = "127.0.0.1"
        self.cfg_path = os.path.join(workdir, f"siphon-{port}.cfg")
        self.log_path = os.path.join(workdir, f"siphon-{port}.log")
        with open(self.cfg_path, "w", encoding="utf-8") as f:
            f.write(cfg_text)
        self.args = list(args)
        self.nofile = nofile  # RLIMIT_NOFILE for the server process, None = inherited
        self.proc = None
        self.returncode = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        cmd = [siphon_bin(), "-f", self.cfg_path, "-DD", "-E", *self.args]
        self._log = open(self.log_path, "wb")
        env = dict(os.environ)
        if ASAN:
            env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=0")
            env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        preexec = None
        if self.nofile:
            n = self.nofile
            preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=self.workdir, env=env,
                                     preexec_fn=preexec)
        self.wait_ready()
        return self

    def wait_ready(self, timeout=START_TIMEOUT_S):
        """Connect to the TCP port and send a CRLF CRLF ping until it is answered with CRLF."""
        deadline = time.monotonic() + timeout
        last = "not tried"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"siphon exited with {self.proc.returncode} during startup:\n"
                                   + self.log())
            try:
                with socket.create_connection((self.host, self.port), timeout=1.0) as s:
                    s.settimeout(1.0)
                    s.sendall(b"\r\n\r\n")
                    if s.recv(16) == b"\r\n":
                        return
                    last = "unexpected pong"
            except OSError as e:
                last = str(e)
            time.sleep(0.02)  # poll interval, not a readiness guess
        self.stop()
        raise RuntimeError(f"siphon not ready after {timeout} s ({last}):\n" + self.log())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, grace=STOP_GRACE_S):
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=grace)
        self.returncode = self.proc.returncode
        self._log.close()
        return self.returncode

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def sanitizer_errors(self):
        return [l for l in self.log().splitlines() if any(m in l for m in SANITIZER_MARKS)]


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        for s in getattr(item, "_siphons", []):
            text = s.log()
            if len(text) > 20000:
                text = "...\n" + text[-20000:]
            rep.sections.append((f"siphon stderr (port {s.port})", text))


class Factory:
    def __init__(self, tmpdir, node):
        self.tmpdir = tmpdir
        self.node = node
        self.servers = []

    def __call__(self, cfg=None, args=(), nofile=None, **kw):
        """Starts a server. cfg: full config text with @PORT@ placeholders, or None to build
        one from make_config(**kw). "@EXTRA@" in args stands for a second free port (the
        server's extra_port).

        A free port can be taken by another process between free_port() and the server's
        bind; such a start ("Address already in use") is retried with new ports, twice."""
        for attempt in range(3):
            port = free_port()
            extra = free_port() if any("@EXTRA@" in a for a in args) else None
            text = make_config(port, **kw) if cfg is None else cfg.replace("@PORT@", str(port))
            argv = [a.replace("@EXTRA@", str(extra)) for a in args]
            s = Siphon(str(self.tmpdir), text, port, argv, nofile)
            s.extra_port = extra
            try:
                s.start()
            except RuntimeError as e:
                if "Address already in use" in str(e) and attempt < 2:
                    s.stop()
                    continue
                self._track(s)
                raise
            self._track(s)
            return s

    def _track(self, s):
        self.servers.append(s)
        if self.node is not None:
            self.node._siphons = getattr(self.node, "_siphons", []) + [s]

    def teardown(self):
        errors = []
        for s in self.servers:
            if s.proc is None:
                continue
            if s.returncode is None and s.proc.poll() is not None:
                errors.append(f"port {s.port}: siphon died during the test (exit {s.proc.returncode}):\n"
                              + s.log()[-20000:])
            rc = s.stop()
            if rc != 0 and not any(f"port {s.port}:" in e for e in errors):
                # A clean SIGTERM stop exits 0; anything else is a crash or a hang on stop.
                errors.append(f"port {s.port}: siphon did not stop cleanly (exit {rc}):\n" + s.log()[-20000:])
            if ASAN:
                errs = s.sanitizer_errors()
                if errs:
                    errors.append(f"port {s.port}: sanitizer reports in siphon stderr:\n"
                                  + "\n".join(errs[:20]) + "\n" + s.log()[-20000:])
        if errors:
            pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture
def siphon(tmp_path, request):
    """Factory: siphon(http_route=..., globals_=..., ...) -> running Siphon."""
    f = Factory(tmp_path, request.node)
    yield f
    f.teardown()


@pytest.fixture(scope="module")
def module_siphon(tmp_path_factory, request):
    """Module-scoped factory for a server shared by the tests of one file."""
    f = Factory(tmp_path_factory.mktemp("siphon"), None)
    yield f
    f.teardown()


@pytest.fixture
def attach_log(request):
    """attach_log(server): attach a shared server's stderr to this test's failure report."""
    def attach(s):
        request.node._siphons = getattr(request.node, "_siphons", []) + [s]
        return s
    return attach
