#!/usr/bin/python3
"""Soak test: mixed SIP and HTTP load against one siphon process for a set time.

Starts the given siphon binary on free loopback ports with a config that answers SIP OPTIONS
(sl_send_reply) over UDP and TCP, GET /health and POST /echo (xhttp), and drives it with a few
client threads for --seconds (default $SOAK_SECONDS or 600):

  sip-udp       OPTIONS over UDP, one outstanding request per thread
  sip-tcp       OPTIONS over a kept TCP connection (reconnects every 500 requests)
  http-keep     GET /health on a keep-alive connection (reconnects every 200 requests)
  http-echo     POST /echo with a random body of 0..4000 bytes, checked byte for byte
  http-close    GET /health with Connection: close, one connection per request

Every request must get its own correct 2xx reply: a wrong status or body, a reply to another
request, a timeout or a dropped connection counts as a failure. The server's RSS is sampled
from /proc/<pid>/status every --sample seconds; after the warm-up (the first 20% of the run)
it must not grow by more than --rss-growth percent. Exit status 0 when all is well, 1 on any
failure, 2 on a usage or startup error. Python standard library only; loopback only.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from helpers import free_port  # noqa: E402  (the integration suite's: free for TCP and UDP)

CONFIG = r'''
listen=udp:127.0.0.1:@PORT@
listen=tcp:127.0.0.1:@PORT@
children=2
tcp_accept_no_cl=yes
loadmodule "sl.so"
loadmodule "xhttp.so"
loadmodule "textops.so"

request_route {
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    sl_send_reply("404", "Not here");
}

event_route[xhttp:request] {
    if ($(hu{url.path}) == "/health") { xhttp_reply("200", "OK", "text/plain", "ok\n"); exit; }
    if ($rm == "POST" && $hu == "/echo") {
        xhttp_reply("200", "OK", "application/octet-stream", "$rb");
        exit;
    }
    xhttp_reply("404", "Not Found", "text/plain", "no\n");
}
'''

IO_TIMEOUT = 5.0  # seconds a single reply may take before the request counts as lost


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Failure(Exception):
    pass


class Stats:
    def __init__(self, kind):
        self.kind = kind
        self.sent = 0
        self.answered = 0
        self.failures = 0
        self.errors = []  # the first few failures, for the report

    def fail(self, what):
        self.failures += 1
        if len(self.errors) < 5:
            self.errors.append(what)


# ------------------------------------------------------------------ framing helpers

class Stream:
    """A TCP connection with a receive buffer; reads one Content-Length framed message."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def read_message(self):
        """(start line, {lower-case name: value}, body)."""
        deadline = time.monotonic() + IO_TIMEOUT
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        end = self.buf.index(b"\r\n\r\n")
        lines = self.buf[:end].decode("latin-1").split("\r\n")
        headers = {}
        for l in lines[1:]:
            n, _, v = l.partition(":")
            headers[n.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise Failure(f"reply without Content-Length: {lines[0]!r}")
        total = end + 4 + int(headers["content-length"])
        while len(self.buf) < total:
            self._fill(deadline)
        body = self.buf[end + 4:total]
        self.buf = self.buf[total:]
        return lines[0], headers, body

    def expect_closed(self):
        deadline = time.monotonic() + IO_TIMEOUT
        try:
            while True:
                self._fill(deadline)
                raise Failure(f"bytes after a Connection: close reply: {self.buf[:100]!r}")
        except EOFError:
            return

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("reply timed out")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Failure("reply timed out") from None
        except ConnectionResetError:
            raise Failure("connection reset") from None
        if not data:
            raise EOFError
        self.buf += data


def sip_options(port, local_port, transport, n, tag):
    return (f"OPTIONS sip:soak@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} 127.0.0.1:{local_port};branch=z9hG4bK-{tag}-{n};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:soak@127.0.0.1>;tag=f{tag}\r\n"
            "To: <sip:soak@127.0.0.1>\r\n"
            f"Call-ID: soak-{tag}-{n}@127.0.0.1\r\n"
            f"CSeq: {n} OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def check_sip(reply, tag, n):
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    if not lines[0].startswith("SIP/2.0 200 "):
        raise Failure(f"SIP reply {lines[0]!r}")
    h = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        h[k.strip().lower()] = v.strip()
    if h.get("call-id") != f"soak-{tag}-{n}@127.0.0.1" or h.get("cseq") != f"{n} OPTIONS":
        raise Failure(f"SIP reply for another request: {h.get('call-id')!r} {h.get('cseq')!r}")


# ------------------------------------------------------------------ client loops

def sip_udp(port, st, stop, tag):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lp = s.getsockname()[1]
    n = 0
    try:
        while not stop.is_set():
            n += 1
            s.settimeout(IO_TIMEOUT)
            s.sendto(sip_options(port, lp, "UDP", n, tag), ("127.0.0.1", port))
            st.sent += 1
            try:
                while True:
                    data, _ = s.recvfrom(65536)
                    # A late reply to an earlier (already failed) request is skipped.
                    if f"CSeq: {n} OPTIONS".encode() in data or b"CSeq:" not in data:
                        break
                check_sip(data, tag, n)
                st.answered += 1
            except socket.timeout:
                st.fail(f"UDP OPTIONS {n}: no reply in {IO_TIMEOUT} s")
            except Failure as e:
                st.fail(f"UDP OPTIONS {n}: {e}")
    finally:
        s.close()


def sip_tcp(port, st, stop, tag):
    n = 0
    while not stop.is_set():
        c = Stream(port)
        lp = c.sock.getsockname()[1]
        try:
            for _ in range(500):
                if stop.is_set():
                    break
                n += 1
                c.sock.sendall(sip_options(port, lp, "TCP", n, tag))
                st.sent += 1
                start, h, body = c.read_message()
                check_sip(f"{start}\r\n".encode() + b"".join(
                    f"{k}: {v}\r\n".encode() for k, v in h.items()), tag, n)
                st.answered += 1
        except (Failure, EOFError, OSError) as e:
            st.fail(f"TCP OPTIONS {n}: {e!r}")
        finally:
            c.close()


def http_keep(port, st, stop, tag):
    n = 0
    while not stop.is_set():
        c = Stream(port)
        try:
            for _ in range(200):
                if stop.is_set():
                    break
                n += 1
                c.sock.sendall(f"GET /health?n={n} HTTP/1.1\r\nHost: soak\r\n\r\n".encode())
                st.sent += 1
                start, h, body = c.read_message()
                if not start.startswith("HTTP/1.1 200 ") or body != b"ok\n":
                    raise Failure(f"{start!r} {body[:60]!r}")
                st.answered += 1
        except (Failure, EOFError, OSError) as e:
            st.fail(f"GET /health {n}: {e!r}")
        finally:
            c.close()


PRINTABLE = bytes(32 + b % 95 for b in range(256))  # maps any byte to a printable one


def http_echo(port, st, stop, tag):
    rnd = random.Random(tag)
    n = 0
    while not stop.is_set():
        c = Stream(port)
        try:
            for i in range(50):
                if stop.is_set():
                    break
                n += 1
                body = rnd.randbytes(rnd.randint(0, 4000)).translate(PRINTABLE)
                last = i == 49
                c.sock.sendall(f"POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: {len(body)}\r\n"
                               f"{'Connection: close' + chr(13) + chr(10) if last else ''}\r\n".encode() + body)
                st.sent += 1
                start, h, got = c.read_message()
                if not start.startswith("HTTP/1.1 200 ") or got != body:
                    raise Failure(f"{start!r}, body of {len(got)} bytes for {len(body)} sent")
                st.answered += 1
                if last:
                    c.expect_closed()
        except (Failure, EOFError, OSError) as e:
            st.fail(f"POST /echo {n}: {e!r}")
        finally:
            c.close()


def http_close(port, st, stop, tag):
    n = 0
    while not stop.is_set():
        n += 1
        c = None
        try:
            c = Stream(port)
            c.sock.sendall(f"GET /health?c={n} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n".encode())
            st.sent += 1
            start, h, body = c.read_message()
            if not start.startswith("HTTP/1.1 200 ") or body != b"ok\n":
                raise Failure(f"{start!r} {body[:60]!r}")
            c.expect_closed()
            st.answered += 1
        except (Failure, EOFError, OSError) as e:
            st.fail(f"GET /health close {n}: {e!r}")
        finally:
            if c:
                c.close()


KINDS = [("sip-udp", sip_udp), ("sip-tcp", sip_tcp), ("http-keep", http_keep),
         ("http-echo", http_echo), ("http-close", http_close)]


# ------------------------------------------------------------------ main

def wait_ready(proc, port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.settimeout(1)
                s.sendall(b"\r\n\r\n")
                if s.recv(16) == b"\r\n":
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "build", "siphon"))
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600")))
    ap.add_argument("--threads", type=int, default=1, help="client threads per kind of request")
    ap.add_argument("--sample", type=float, default=5.0, help="RSS sampling interval, seconds")
    ap.add_argument("--warmup", type=float, default=0.2, help="fraction of the run not checked for RSS growth")
    ap.add_argument("--rss-growth", type=float, default=5.0, help="allowed RSS growth after warm-up, percent")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        print(f"soak: {binary} not found (make build)", file=sys.stderr)
        return 2
    if a.seconds < 10:
        print("soak: --seconds must be at least 10", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="siphon-soak-")
    port = free_port()
    cfg = os.path.join(work, "soak.cfg")
    with open(cfg, "w") as f:
        f.write(CONFIG.replace("@PORT@", str(port)))
    log_path = os.path.join(work, "siphon.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen([binary, "-f", cfg, "-DD", "-E"], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, cwd=work)
    failures = []
    try:
        if not wait_ready(proc, port):
            print(f"soak: siphon did not start (log: {log_path})", file=sys.stderr)
            return 2
        print(f"soak: siphon pid {proc.pid} on 127.0.0.1:{port}, {a.seconds:.0f} s, "
              f"{a.threads} thread(s) per kind, log {log_path}", flush=True)
        stop = threading.Event()
        stats, threads = [], []
        for kind, fn in KINDS:
            for t in range(a.threads):
                st = Stats(kind)
                stats.append(st)
                tag = f"{kind}{t}"

                def run(fn=fn, st=st, tag=tag):
                    try:
                        fn(port, st, stop, tag)
                    except Exception as e:  # connect refused and the like
                        st.fail(f"client stopped: {e!r}")

                th = threading.Thread(target=run, name=tag, daemon=True)
                threads.append(th)
        t0 = time.monotonic()
        for th in threads:
            th.start()
        samples = []  # (seconds, RSS KiB)
        next_report = 60.0
        while True:
            el = time.monotonic() - t0
            if el >= a.seconds:
                break
            if proc.poll() is not None:
                failures.append(f"siphon exited with {proc.returncode} during the run")
                break
            samples.append((el, rss_kib(proc.pid)))
            if el >= next_report:
                total = sum(s.answered for s in stats)
                print(f"  {el:5.0f} s: {total} answered, RSS {samples[-1][1]} KiB", flush=True)
                next_report += 60.0
            time.sleep(min(a.sample, max(0.0, a.seconds - el)))
        stop.set()
        for th in threads:
            th.join(timeout=IO_TIMEOUT + 5)
        elapsed = time.monotonic() - t0
        if proc.poll() is None:
            samples.append((elapsed, rss_kib(proc.pid)))
        if any(th.is_alive() for th in threads):
            failures.append("a client thread did not finish")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
                failures.append("siphon did not stop within 10 s of SIGTERM")
        log.close()
    if proc.returncode not in (0, None) and not failures:
        failures.append(f"siphon exit status {proc.returncode} after SIGTERM")

    # ---- report
    print(f"\nsoak: {elapsed:.0f} s against {binary}")
    print(f"  {'kind':<11} {'sent':>9} {'answered':>9} {'failed':>7} {'per s':>8}")
    for kind, _ in KINDS:
        ss = [s for s in stats if s.kind == kind]
        sent, ans, fl = (sum(getattr(s, k) for s in ss) for k in ("sent", "answered", "failures"))
        print(f"  {kind:<11} {sent:>9} {ans:>9} {fl:>7} {ans / elapsed:>8.0f}")
        for s in ss:
            for e in s.errors:
                failures.append(f"{kind}: {e}")
            if s.failures > len(s.errors):
                failures.append(f"{kind}: {s.failures - len(s.errors)} more failures")
            if s.sent != s.answered + s.failures:
                failures.append(f"{kind}: {s.sent} sent, {s.answered} answered, {s.failures} failed")
    sent = sum(s.sent for s in stats)
    ans = sum(s.answered for s in stats)
    print(f"  {'total':<11} {sent:>9} {ans:>9} {sent - ans:>7} {ans / elapsed:>8.0f}")
    if sent != ans:
        failures.append(f"{sent - ans} of {sent} requests not answered correctly")

    warm = [r for t, r in samples if t >= a.warmup * a.seconds]
    if samples and warm:
        base = warm[0]
        peak = max(warm)
        growth = 100.0 * (peak - base) / base if base else 0.0
        print(f"  RSS: start {samples[0][1]} KiB, after warm-up {base} KiB, end {samples[-1][1]} KiB, "
              f"max {max(r for _, r in samples)} KiB; growth after warm-up {growth:+.1f}% "
              f"(limit {a.rss_growth:.0f}%, {len(samples)} samples)")
        if growth > a.rss_growth:
            failures.append(f"RSS grew {growth:.1f}% after warm-up ({base} -> {peak} KiB)")
    with open(log_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    bad = [l for l in text.splitlines() if "ERROR" in l or "CRITICAL" in l or "BUG" in l]
    if bad:
        failures.append(f"{len(bad)} error lines in the server log, first: {bad[0]}")
    if failures:
        print("\nsoak: FAILED")
        for f in failures[:30]:
            print("  " + f)
        return 1
    print("\nsoak: passed")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
