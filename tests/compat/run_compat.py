#!/usr/bin/python3
"""Compatibility runner: drives siphon (or the reference Kamailio 5.6.3) with the raw client
steps of every case under cases/ and compares the normalised transcript with the recorded one.

    run_compat.py --server siphon --bin build/siphon [--filter SUBSTR]
    run_compat.py --server kamailio --record           # re-record expected.kamailio
    run_compat.py --server kamailio                    # check Kamailio against its recording
    run_compat.py --list

Python 3 standard library only. See README.md for the case layout and the transcript format.
Every wait in this file is bounded in time; the last line printed is "N passed, M failed".
"""

import argparse
import concurrent.futures
import difflib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CASES = os.path.join(HERE, "cases")
KAMAILIO_BIN = "/usr/sbin/kamailio"
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
REFERENCE_VERSION = "kamailio 5.6.3 "   # the recordings come from this version only

DEFAULT_READ_TIMEOUT_MS = 800   # idle window: stop reading this long after the last byte/send
DEFAULT_MAX_WAIT_MS = 3000      # hard cap on the read window after the last step
START_TIMEOUT_S = 10.0          # server must be listening within this
PONG_TIMEOUT_S = 3.0            # CRLF keep-alive probe answered within this (else go on)
UDP_SETTLE_S = 0.3              # UDP-only configs: wait this long after the socket is bound
STOP_GRACE_S = 3.0              # SIGTERM, then SIGKILL after this


class CaseError(Exception):
    """The case could not be run (server did not start, bad case.json, ...)."""


# --------------------------------------------------------------------------- case loading

class Case:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        with open(os.path.join(path, "case.json"), encoding="utf-8") as f:
            self.spec = json.load(f)
        with open(os.path.join(path, "kamailio.cfg"), encoding="utf-8") as f:
            self.cfg = f.read()
        self.transport = self.spec.get("transport", "tcp")
        if self.transport not in ("tcp", "udp"):
            raise CaseError(f"{self.name}: transport must be tcp or udp")
        self.steps = self.spec.get("steps", [])
        self.read_timeout_ms = int(self.spec.get("read_timeout_ms", DEFAULT_READ_TIMEOUT_MS))
        self.max_wait_ms = int(self.spec.get("max_wait_ms", DEFAULT_MAX_WAIT_MS))
        self.keep_server = bool(self.spec.get("keep_server", False))
        self.normalize = [(re.compile(a), b) for a, b in self.spec.get("normalize", [])]
        self.target = self.spec.get("target", "PORT")   # which listen port the client uses
        self.notes = self.spec.get("notes", "")
        self.needs_port2 = "__PORT2__" in self.cfg

    def file(self, name):
        return os.path.join(self.path, name)

    def read(self, name):
        p = self.file(name)
        if not os.path.exists(p):
            return None
        with open(p, encoding="utf-8") as f:
            return f.read()


def load_cases(cases_dir, substr=None):
    cases = []
    for d in sorted(os.listdir(cases_dir)):
        p = os.path.join(cases_dir, d)
        if not re.match(r"^\d{3}_", d) or not os.path.isdir(p):
            continue
        if substr and substr not in d:
            continue
        cases.append(Case(p))
    return cases


# --------------------------------------------------------------------------- ports

_port_lock = threading.Lock()
_ports_used = set()


def _port_free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def pick_port():
    """A loopback port free for both TCP and UDP, 5 digits long (so that lengths of bodies
    holding it do not vary between runs), never handed out twice by this process."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port < 10000:
            continue
        with _port_lock:
            if port in _ports_used or not _port_free(port):
                continue
            _ports_used.add(port)
            return port
    raise CaseError("no free port found")


# --------------------------------------------------------------------------- server process

LISTEN_RE = re.compile(r"^\s*listen\s*=\s*(?:(tcp|udp):)?127\.0\.0\.1:(\d+)", re.I | re.M)


def listeners(cfg_text):
    tcp, udp = [], []
    for proto, port in LISTEN_RE.findall(cfg_text):
        proto = proto.lower()
        if proto in ("", "tcp"):
            tcp.append(int(port))
        if proto in ("", "udp"):
            udp.append(int(port))
    return tcp, udp


class Server:
    def __init__(self, kind, binary, cfg_text, workdir, extra_args):
        self.kind = kind
        self.cfg_path = os.path.join(workdir, "server.cfg")
        with open(self.cfg_path, "w", encoding="utf-8") as f:
            f.write(cfg_text)
        self.log_path = os.path.join(workdir, "server.log")
        args = [binary, "-f", self.cfg_path, "-DD", "-E"]
        if kind == "kamailio":
            rundir = os.path.join(workdir, "run")
            os.makedirs(rundir, exist_ok=True)
            args += ["-L", KAMAILIO_MODULES, "-Y", rundir, "-w", workdir]
        args += extra_args
        self.args = args
        self.tcp_ports, self.udp_ports = listeners(cfg_text)
        self.logf = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                         stderr=subprocess.STDOUT, cwd=workdir,
                                         start_new_session=True)
        except OSError as e:
            self.logf.close()
            raise CaseError(f"cannot start {binary}: {e}")
        self.pgid = self.proc.pid   # new session: process group id == pid
        self.pong = None

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def _check_alive(self):
        rc = self.proc.poll()
        if rc is not None:
            raise CaseError(f"server exited with status {rc} during start-up\n"
                            f"--- server log (tail) ---\n{self.log_tail()}")

    def wait_ready(self):
        """TCP: connect, then a CRLF keep-alive ping ("\\r\\n\\r\\n" -> "\\r\\n"), which proves
        that the reader is running without running the script. UDP only: the socket shows up in
        /proc/net/udp, then a short settle time (datagrams queue in the kernel meanwhile)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        if self.tcp_ports:
            port = self.tcp_ports[0]
            while True:
                self._check_alive()
                if time.monotonic() > deadline:
                    raise CaseError(f"server not listening on tcp:{port} after {START_TIMEOUT_S}s"
                                    f"\n--- server log (tail) ---\n{self.log_tail()}")
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=0.25)
                except OSError:
                    time.sleep(0.05)
                    continue
                break
            try:
                self.pong = _ping(s, PONG_TIMEOUT_S)
            finally:
                s.close()
        if self.udp_ports and not self.tcp_ports:
            port = self.udp_ports[0]
            while not _udp_bound(port):
                self._check_alive()
                if time.monotonic() > deadline:
                    raise CaseError(f"server not bound to udp:{port} after {START_TIMEOUT_S}s"
                                    f"\n--- server log (tail) ---\n{self.log_tail()}")
                time.sleep(0.05)
            time.sleep(UDP_SETTLE_S)
        self._check_alive()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM to the server's pid, SIGKILL to its process group after STOP_GRACE_S.
        Returns the exit status of the main process."""
        try:
            if self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    _killpg(self.pgid)
                    try:
                        self.proc.wait(3)
                    except subprocess.TimeoutExpired:
                        pass
            # Children (Kamailio's workers) exit on their own after the main process; give
            # them a moment, then kill whatever is left of the group we created.
            end = time.monotonic() + STOP_GRACE_S
            while _group_alive(self.pgid) and time.monotonic() < end:
                time.sleep(0.05)
            if _group_alive(self.pgid):
                _killpg(self.pgid)
        finally:
            self.logf.close()
        return self.proc.returncode


def _killpg(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _ping(sock, timeout):
    try:
        sock.sendall(b"\r\n\r\n")
    except OSError:
        return False
    end = time.monotonic() + timeout
    got = b""
    while time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            data = sock.recv(64)
        except OSError:
            return False
        if not data:
            return False
        got += data
        if got.endswith(b"\r\n"):
            return True
    return False


def _udp_bound(port):
    want = ":%04X" % port
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table, encoding="ascii") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if len(fields) > 1 and fields[1].endswith(want):
                        return True
        except (OSError, StopIteration):
            pass
    return False


# --------------------------------------------------------------------------- client

class Reader(threading.Thread):
    """Reads from the client socket until told to stop, EOF or a socket error."""

    def __init__(self, sock, udp):
        super().__init__(daemon=True)
        self.sock = sock
        self.udp = udp
        self.chunks = []          # TCP: bytes; UDP: (bytes, (ip, port))
        self.eof = False
        self.reset = False
        self.last_rx = None
        self.stop_ev = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        while not self.stop_ev.is_set():
            try:
                r, _, _ = select.select([self.sock], [], [], 0.02)
            except (OSError, ValueError):
                break
            if not r:
                continue
            try:
                if self.udp:
                    data, addr = self.sock.recvfrom(65535)
                    item = (data, addr)
                else:
                    data = self.sock.recv(65536)
                    item = data
            except ConnectionRefusedError:
                if self.udp:
                    continue      # ICMP port unreachable for a datagram: keep listening
                with self.lock:
                    self.eof = self.reset = True
                break
            except ConnectionResetError:
                with self.lock:
                    self.eof = self.reset = True
                break
            except OSError:
                with self.lock:
                    self.eof = True
                break
            with self.lock:
                if not self.udp and not data:
                    self.eof = True
                    break
                self.chunks.append(item)
                self.last_rx = time.monotonic()


def _subst(text, ports):
    for k, v in ports.items():
        text = text.replace(f"__{k}__", str(v))
    return text


def run_steps(case, ports, scale):
    """Runs the client steps; returns (raw_items, eof, cport)."""
    port = ports[case.target]
    udp = case.transport == "udp"
    if udp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
    else:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError as e:
            raise CaseError(f"cannot connect to tcp:{port}: {e}")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(True)
    sock.settimeout(2)
    cport = sock.getsockname()[1]
    allports = dict(ports, CPORT=cport)
    reader = Reader(sock, udp)
    reader.start()
    last_step = time.monotonic()
    try:
        for step in case.steps:
            if "send" in step or "send_hex" in step:
                if "send" in step:
                    data = _subst(step["send"], allports).encode("utf-8")
                else:
                    data = bytes.fromhex(_subst(step["send_hex"], allports).replace(" ", ""))
                try:
                    if udp:
                        sock.sendto(data, ("127.0.0.1", port))
                    else:
                        sock.sendall(data)
                except OSError:
                    pass   # server already closed; the transcript shows what happened
            elif "sleep_ms" in step:
                time.sleep(min(float(step["sleep_ms"]) * scale, 10000) / 1000.0)
            elif step.get("shutdown_wr"):
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            else:
                raise CaseError(f"{case.name}: unknown step {step!r}")
            last_step = time.monotonic()
        idle = case.read_timeout_ms * scale / 1000.0
        cap = case.max_wait_ms * scale / 1000.0
        while True:
            now = time.monotonic()
            with reader.lock:
                if reader.eof:
                    break
                last = max(last_step, reader.last_rx or 0)
            if now - last >= idle or now - last_step >= cap:
                break
            time.sleep(0.01)
    finally:
        reader.stop_ev.set()
        reader.join(2)
        with reader.lock:
            items, eof = list(reader.chunks), reader.eof
        try:
            sock.close()
        except OSError:
            pass
    return items, eof, cport


# --------------------------------------------------------------------------- transcript

TOTAG_RE = re.compile(r"tag=[0-9a-f]{32}\.[0-9a-f]{8}")
SERVER_RE = re.compile(r"(?m)^Server: [^\r\n]*")
DATE_RE = re.compile(r"(?m)^Date: [^\r\n]*")


def normalise(text, case, ports):
    """text: the received bytes decoded as latin-1 (1 char = 1 byte)."""
    text = TOTAG_RE.sub("tag=TOTAG", text)
    if not case.keep_server:
        text = SERVER_RE.sub("Server: SERVER", text)
    text = DATE_RE.sub("Date: DATE", text)
    names = {str(v): k for k, v in ports.items()}
    if names:
        alt = "|".join(sorted(names, key=len, reverse=True))
        text = re.sub(r"(?<![0-9])(%s)(?![0-9])" % alt, lambda m: names[m.group(1)], text)
    for rx, repl in case.normalize:
        text = rx.sub(repl, text)
    return text


def _esc_char(c):
    o = ord(c)
    if c == "\\":
        return "\\\\"
    if c == "\r":
        return "\\r"
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    if o < 0x20 or o >= 0x7f:
        return "\\x%02x" % o
    return c


def render(text):
    """One output line per received line: every byte is shown, CR/LF/TAB as \\r \\n \\t,
    other non-printables as \\xHH; a real newline follows each \\n (and ends the text)."""
    out = []
    parts = text.split("\n")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if last and part == "":
            break
        out.append("".join(_esc_char(c) for c in part) + ("" if last else "\\n") + "\n")
    return "".join(out)


def transcript(case, items, eof, ports):
    if case.transport == "udp":
        out = []
        for data, addr in items:
            src = normalise("%s:%d" % addr, case, ports)
            out.append("[DATAGRAM from %s]\n" % src)
            out.append(render(normalise(data.decode("latin-1"), case, ports)))
        out.append("[UDP]\n")
        return "".join(out)
    data = b"".join(items).decode("latin-1")
    return render(normalise(data, case, ports)) + ("[EOF]\n" if eof else "[OPEN]\n")


SIA_LINE_RE = re.compile(r"(?m)^Sia: SIP/2\.0/(?:TCP|UDP) [^\n]*\\r\\n\n")


def siphon_expectation(case):
    """expected.siphon if present; else expected.kamailio without Kamailio's internal `Sia:`
    header lines (DEFECT 6 of behavior-notes §5: siphon never leaks the fake Via)."""
    hand = case.read("expected.siphon")
    if hand is not None:
        return hand, "expected.siphon"
    kam = case.read("expected.kamailio")
    if kam is None:
        return None, "expected.kamailio"
    return SIA_LINE_RE.sub("", kam), "expected.kamailio (minus Sia:)"


# --------------------------------------------------------------------------- lint

MARKER_RE = re.compile(r"^\[(?:EOF|OPEN|UDP|DATAGRAM from [^\]]*)\]$")
UNESC_RE = re.compile(r"\\(\\|r|n|t|x[0-9a-fA-F]{2})")


def unrender(text):
    """Inverse of render() for one stream: rendered lines (markers excluded) -> bytes."""
    def one(m):
        e = m.group(1)
        return {"\\": "\\", "r": "\r", "n": "\n", "t": "\t"}.get(e) or chr(int(e[1:], 16))
    return "".join(UNESC_RE.sub(one, line) for line in text.split("\n")).encode("latin-1")


def split_streams(transcript_text):
    """Transcript -> list of byte strings (one per datagram, or one for a TCP stream)."""
    streams, cur = [], []
    for line in transcript_text.split("\n"):
        if MARKER_RE.match(line):
            if cur or line.startswith("[DATAGRAM"):
                streams.append(cur)
            cur = []
            continue
        cur.append(line)
    if cur and any(cur):
        streams.append(cur)
    return [_denormalise(unrender("\n".join(s))) for s in streams]


def _denormalise(data):
    """Puts back placeholders of the original width, so that Content-Length checks work on
    normalised transcripts (ports are always 5 digits, see pick_port)."""
    data = re.sub(rb"(?<![A-Za-z0-9])CPORT(?![0-9])", b"11111", data)
    data = re.sub(rb"(?<![A-Za-z0-9])PORT2(?![0-9])", b"22222", data)
    data = re.sub(rb"(?<![A-Za-z0-9])PORT(?![0-9])", b"33333", data)
    return data.replace(b"tag=TOTAG", b"tag=" + b"0" * 32 + b"." + b"0" * 8)


def lint_transcript(text, bodyless=()):
    """Checks the messages in a transcript: every status line is followed by headers, a blank
    line and exactly Content-Length body bytes (replies listed in `bodyless`, e.g. answers to
    HEAD, carry no body). Returns a list of problems."""
    problems = []
    lines = text.split("\n")
    if not lines or lines[-1] != "" or not MARKER_RE.match(lines[-2] if len(lines) > 1 else ""):
        problems.append("transcript must end with a marker line ([EOF], [OPEN] or [UDP]) and a newline")
    idx = 0
    for data in split_streams(text):
        pos = 0
        while pos < len(data):
            if data.startswith(b"\r\n", pos):
                pos += 2          # CRLF keep-alive pong
                continue
            end = data.find(b"\r\n\r\n", pos)
            if end < 0:
                problems.append(f"reply #{idx}: no end of header block")
                break
            head = data[pos:end].decode("latin-1").split("\r\n")
            if not re.match(r"^(HTTP/\d\.\d|SIP/2\.0) \d{3} ", head[0] + " "):
                problems.append(f"reply #{idx}: bad status line {head[0]!r}")
            cls = [h.split(":", 1)[1].strip() for h in head[1:]
                   if h.split(":", 1)[0].strip().lower() in ("content-length", "l")]
            body_start = end + 4
            interim = re.match(r"^HTTP/\d\.\d (1\d\d|204) ", head[0])
            if not cls and not interim:  # RFC 9110 8.6: no Content-Length on 1xx and 204
                problems.append(f"reply #{idx}: no Content-Length")
                cl = 0
            else:
                cl = int(cls[0]) if cls and cls[0].isdigit() else 0
            want = 0 if idx in bodyless else cl
            if body_start + want > len(data):
                problems.append(f"reply #{idx}: Content-Length {cl} but only "
                                f"{len(data) - body_start} bytes follow")
                break
            nxt = body_start + want
            rest = data[nxt:nxt + 8]
            if rest and not (rest.startswith(b"\r\n") or rest.startswith(b"HTTP/")
                             or rest.startswith(b"SIP/2.0 ")):
                problems.append(f"reply #{idx}: Content-Length {cl} does not end where the next "
                                f"reply starts (next bytes {rest!r})")
                break
            pos = nxt
            idx += 1
    return problems


def lint_cases(cases):
    bad = 0
    for c in cases:
        for name in ("expected.kamailio", "expected.siphon"):
            text = c.read(name)
            if text is None:
                if name == "expected.kamailio":
                    print(f"LINT      {c.name}: {name} missing")
                    bad += 1
                continue
            bodyless = c.spec.get("bodyless_replies", []) if name == "expected.siphon" else []
            probs = lint_transcript(text, bodyless)
            for p in probs:
                print(f"LINT      {c.name}/{name}: {p}")
            bad += bool(probs)
    return bad


# --------------------------------------------------------------------------- one case

class Result:
    def __init__(self, case):
        self.case = case
        self.ok = False
        self.status = ""
        self.detail = ""
        self.actual = None
        self.elapsed = 0.0


def run_case(case, args):
    res = Result(case)
    t0 = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="compat_%s_" % case.name)
    server = None
    try:
        ports = {"PORT": pick_port()}
        if case.needs_port2:
            ports["PORT2"] = pick_port()
        cfg = _subst(case.cfg, ports).replace("__WORKDIR__", workdir)
        # Script files of the case (Lua for app_lua) go next to the config.
        for name in sorted(os.listdir(case.path)):
            if name.endswith(".lua"):
                with open(case.file(name), encoding="utf-8") as f:
                    text = _subst(f.read(), ports)
                with open(os.path.join(workdir, name), "w", encoding="utf-8") as f:
                    f.write(text)
        server = Server(args.server, args.bin, cfg, workdir, args.extra_arg or [])
        server.wait_ready()
        if server.pong is False and args.verbose:
            print(f"  [{case.name}] note: no answer to the CRLF keep-alive probe", flush=True)
        items, eof, cport = run_steps(case, ports, args.scale)
        died = not server.alive()
        rc = server.stop()
        server = None
        allports = dict(ports, CPORT=cport)
        res.actual = transcript(case, items, eof, allports)
        if died:
            res.status = "ERROR"
            res.detail = f"server exited (status {rc}) while the case ran"
            return res
        if args.record:
            old = case.read("expected.kamailio")
            with open(case.file("expected.kamailio"), "w", encoding="utf-8") as f:
                f.write(res.actual)
            res.ok = True
            if old is None:
                res.status = "RECORDED"
            elif old == res.actual:
                res.status = "UNCHANGED"
            else:
                res.status = "CHANGED"
                res.detail = _diff(old, res.actual, "old expected.kamailio", "new recording")
            return res
        if args.server == "kamailio":
            expected, label = case.read("expected.kamailio"), "expected.kamailio"
        else:
            expected, label = siphon_expectation(case)
        if expected is None:
            res.status = "ERROR"
            res.detail = f"no {label} (record it with --server kamailio --record)"
            return res
        if expected == res.actual:
            res.ok = True
            res.status = "PASS"
        else:
            res.status = "FAIL"
            res.detail = _diff(expected, res.actual, label, f"actual ({args.server})")
    except CaseError as e:
        res.status = "ERROR"
        res.detail = str(e)
    except Exception as e:  # a bug in a case or in this runner: report, go on
        res.status = "ERROR"
        res.detail = f"{type(e).__name__}: {e}"
    finally:
        if server is not None:
            server.stop()
        res.elapsed = time.monotonic() - t0
        if (not res.ok or args.verbose) and os.path.exists(os.path.join(workdir, "server.log")):
            if args.verbose or res.status == "ERROR":
                with open(os.path.join(workdir, "server.log"), "rb") as f:
                    tail = f.read().decode("utf-8", "replace").splitlines()[-30:]
                if tail and "server log" not in res.detail:
                    res.detail += "\n--- server log (tail) ---\n" + "\n".join(tail)
        if args.keep:
            res.detail += f"\n(work dir kept: {workdir})"
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return res


def kamailio_version(binary):
    try:
        out = subprocess.run([binary, "-v"], stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=10).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version:\s*(.+)", out)
    return m.group(1).strip() if m else None


def _diff(a, b, la, lb):
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), la, lb))


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", choices=("siphon", "kamailio"), default=None)
    ap.add_argument("--bin", help="server binary (default for kamailio: %s)" % KAMAILIO_BIN)
    ap.add_argument("--record", action="store_true",
                    help="write expected.kamailio for every selected case (kamailio only)")
    ap.add_argument("--any-version", action="store_true",
                    help="allow --record with a Kamailio other than 5.6.3")
    ap.add_argument("--filter", help="only cases whose directory name contains SUBSTR")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--lint", action="store_true",
                    help="check the expected.* files (Content-Length vs body) without a server")
    ap.add_argument("--cases", default=DEFAULT_CASES, help="cases directory")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="cases run in parallel")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every sleep and read window (slow machines)")
    ap.add_argument("--extra-arg", action="append",
                    help="extra command-line argument for the server (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep the per-case work dirs")
    ap.add_argument("--show", action="store_true", help="print every actual transcript")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    try:
        cases = load_cases(args.cases, args.filter)
    except (OSError, ValueError, CaseError) as e:
        print(f"cannot load cases: {e}")
        print("0 passed, 1 failed")
        return 2

    if args.list:
        for c in cases:
            flag = " [expected.siphon]" if os.path.exists(c.file("expected.siphon")) else ""
            first = c.notes.split(". ")[0].strip() if c.notes else ""
            print(f"{c.name:34s} {c.transport}{flag}  {first}")
        print(f"{len(cases)} cases")
        return 0

    if args.lint:
        bad = lint_cases(cases)
        print(f"{len(cases) - bad} passed, {bad} failed")
        return 0 if bad == 0 else 1

    if args.server is None:
        ap.error("--server is required (or --list)")
    if args.record and args.server != "kamailio":
        ap.error("--record only makes sense with --server kamailio")
    if args.bin is None:
        if args.server == "kamailio":
            args.bin = KAMAILIO_BIN
        else:
            ap.error("--bin PATH is required for --server siphon")
    if not (os.path.isfile(args.bin) and os.access(args.bin, os.X_OK)):
        print(f"not an executable: {args.bin}")
        print(f"0 passed, {len(cases)} failed")
        return 2

    if args.server == "kamailio":
        version = kamailio_version(args.bin)
        print(f"reference: {version or 'unknown version'}")
        if args.record and REFERENCE_VERSION not in (version or "") and not args.any_version:
            print(f"refusing to record with a Kamailio other than {REFERENCE_VERSION} "
                  "(use --any-version to force)")
            print(f"0 passed, {len(cases)} failed")
            return 2

    passed = failed = 0
    jobs = max(1, args.jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futures = [ex.submit(run_case, c, args) for c in cases]
        for fut in futures:
            res = fut.result()
            if res.ok:
                passed += 1
            else:
                failed += 1
            print(f"{res.status:9s} {res.case.name} ({res.elapsed:.1f}s)", flush=True)
            if res.detail:
                print(res.detail.rstrip("\n"))
            if args.show and res.actual is not None:
                print(f"--- {res.case.name}: actual transcript ---")
                print(res.actual, end="")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
