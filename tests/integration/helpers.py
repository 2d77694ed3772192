"""Client-side helpers for the integration suite: free ports, a raw HTTP/1.x connection that
parses replies byte-exactly, SIP message builders and a curl wrapper. Standard library only;
every blocking call has a timeout."""

import os
import re
import socket
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    """A loopback port that is free for both TCP and UDP right now."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port found")


class Response:
    def __init__(self, version, status, reason, headers, body, raw):
        self.version = version      # "HTTP/1.1"
        self.status = status        # int
        self.reason = reason        # str
        self.headers = headers      # [(name, value)] in order, as sent
        self.body = body            # bytes
        self.raw = raw              # the whole reply as received

    def header(self, name, default=None):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def __repr__(self):
        return f"<Response {self.status} {self.raw[:300]!r}>"


class Closed(Exception):
    """The server closed (or reset) the connection before a complete reply arrived."""

    def __init__(self, msg, data=b""):
        super().__init__(msg)
        self.data = data


class HttpConn:
    """A raw TCP connection to the server with a receive buffer, so replies to pipelined
    requests can be read one by one."""

    def __init__(self, port, host="127.0.0.1", timeout=5.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.timeout = timeout
        self.buf = b""
        self.eof = False
        self.reset = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Reads more bytes into buf. Returns False on EOF/reset, raises on timeout."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete reply in time; have {self.buf[:500]!r}")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError(f"no complete reply in time; have {self.buf[:500]!r}") from None
        except ConnectionResetError:
            self.eof = self.reset = True
            return False
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_response(self, head=False, timeout=None):
        """Reads one complete reply (Content-Length framed; no body when head=True or for
        1xx/204/304). Raises Closed if the connection ends first."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if not self._fill(deadline):
                raise Closed("connection closed before a reply head", self.buf)
        head_bytes = self.buf[:end]
        lines = head_bytes.split(b"\r\n")
        m = re.match(rb"^(HTTP/\d\.\d|SIP/2\.0) (\d{3}) ?(.*)$", lines[0])
        if not m:
            raise AssertionError(f"bad status line {lines[0]!r} in {self.buf[:500]!r}")
        headers = []
        for l in lines[1:]:
            name, sep, value = l.partition(b":")
            assert sep, f"bad reply header line {l!r}"
            headers.append((name.decode(), value.strip().decode("utf-8", "replace")))
        status = int(m.group(2))
        cl = None
        for n, v in headers:
            if n.lower() == "content-length":
                cl = int(v)
        if head or 100 <= status < 200 or status in (204, 304):
            blen = 0
        else:
            assert cl is not None, f"reply without Content-Length: {head_bytes!r}"
            blen = cl
        total = end + 4 + blen
        while len(self.buf) < total:
            if not self._fill(deadline):
                raise Closed("connection closed inside a reply body", self.buf)
        raw = self.buf[:total]
        body = self.buf[end + 4:total]
        self.buf = self.buf[total:]
        return Response(m.group(1).decode(), status, m.group(3).decode("utf-8", "replace"),
                        headers, body, raw)

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise Closed(f"closed after {len(self.buf)} of {n} bytes", self.buf)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_available(self, wait=0.3):
        """Whatever arrives within `wait` seconds (no error on timeout or EOF)."""
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline and self._fill(deadline):
                pass
        except TimeoutError:
            pass
        out, self.buf = self.buf, b""
        return out

    def wait_closed(self, timeout=3.0):
        """True when the server closes (FIN or RST) within timeout; extra bytes received on
        the way are kept in self.buf."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
            return True
        except TimeoutError:
            return False

    def is_open(self, wait=0.3):
        """True if the connection is still open after `wait` seconds with nothing arriving."""
        return not self.wait_closed(wait) and not self.eof


def request(method, target, version="HTTP/1.1", headers=None, body=b"", host=True):
    """Builds request bytes. headers: list of (name, value) or raw 'Name: value' strings."""
    if isinstance(body, str):
        body = body.encode()
    out = f"{method} {target} {version}\r\n"
    hs = list(headers or [])
    if host and not any(isinstance(h, tuple) and h[0].lower() == "host" for h in hs):
        hs.insert(0, ("Host", "localhost"))
    for h in hs:
        out += (f"{h[0]}: {h[1]}" if isinstance(h, tuple) else h) + "\r\n"
    return out.encode() + b"\r\n" + body


def get(target="/", version="HTTP/1.1", headers=None):
    return request("GET", target, version, headers)


def post(target, body, version="HTTP/1.1", headers=None):
    if isinstance(body, str):
        body = body.encode()
    return request("POST", target, version, [("Content-Length", str(len(body)))] + list(headers or []), body)


def exchange(port, data, timeout=5.0, head=False):
    """One connection, one request, one reply."""
    with HttpConn(port, timeout=timeout) as c:
        c.send(data)
        return c.read_response(head=head)


def curl(*args, timeout=30):
    """Runs curl with a hard time limit; returns CompletedProcess (stdout bytes, stderr text)."""
    cmd = ["curl", "-sS", "--max-time", str(int(timeout) - 2), *args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    p.stderr = p.stderr.decode("utf-8", "replace")
    return p


# ----------------------------------------------------------------------------- SIP

def sip_options(local_port, server_port, branch="z9hG4bK-abc-1", via_host="127.0.0.1",
                rport=True, call_id="callid-123@host", to_tag=None, method="OPTIONS",
                transport="UDP", extra_via=True, cseq=42):
    via = f"Via: SIP/2.0/{transport} {via_host}:{local_port};branch={branch}" + (";rport" if rport else "")
    to = "To: <sip:probe@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")
    lines = [
        f"{method} sip:probe@127.0.0.1:{server_port} SIP/2.0",
        via,
    ]
    if extra_via:
        lines.append("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-second")
    lines += [
        "Record-Route: <sip:rr.example;lr>",
        "Max-Forwards: 70",
        'From: "Alice" <sip:alice@example.com>;tag=fromtag1',
        to,
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:alice@127.0.0.1:{local_port}>",
        "User-Agent: siphon-tests",
        "Accept: application/sdp",
        "X-Custom: yes",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_sip(data):
    """(status line, [(name, value)], [raw header lines]) of a SIP reply without body."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers = []
    for l in lines[1:]:
        n, _, v = l.partition(":")
        headers.append((n.strip(), v.strip()))
    return lines[0], headers, lines[1:], body


class UdpClient:
    def __init__(self, timeout=2.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(timeout)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def ask(self, server_port, data, tries=3):
        """Sends data and returns the first datagram received back (retransmits on loss)."""
        for _ in range(tries):
            self.sock.sendto(data, ("127.0.0.1", server_port))
            try:
                reply, addr = self.sock.recvfrom(65536)
                return reply
            except socket.timeout:
                continue
        raise TimeoutError("no SIP reply over UDP")


def proc_cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
