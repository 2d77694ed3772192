"""Helpers for the RPC tests (test_rpc_*.py, imported from here): JSON-RPC over HTTP and the jsonrpcs sockets,
siphon-ctl, and a strict checker of the Prometheus text exposition format (0.0.4).
Standard library only; every blocking call has a timeout."""

import http.client
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from helpers import ROOT

CTL = os.path.join(ROOT, "tools", "siphon-ctl")


def http_rpc(port, doc, path="/RPC", timeout=5.0):
    """POSTs doc (dict/list, or raw str/bytes) and returns (status, reason, parsed-or-raw)."""
    body = doc if isinstance(doc, (bytes, str)) else json.dumps(doc)
    if isinstance(body, str):
        body = body.encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        ctype = r.getheader("Content-Type")
    finally:
        c.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data
    return r.status, r.reason, parsed, ctype


def call(port, method, *params, id_=1):
    req = {"jsonrpc": "2.0", "method": method, "id": id_}
    if params:
        req["params"] = list(params)
    status, _, reply, _ = http_rpc(port, req)
    return status, reply


def result(port, method, *params):
    status, reply = call(port, method, *params)
    assert status == 200, reply
    assert "result" in reply, reply
    return reply["result"]


def dgram_rpc(path, doc, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d = tempfile.mkdtemp(prefix="rpc-test-")
    local = os.path.join(d, "c.sock")
    try:
        s.bind(local)
        s.settimeout(timeout)
        s.sendto(doc if isinstance(doc, bytes) else json.dumps(doc).encode(), path)
        return json.loads(s.recv(1 << 22))
    finally:
        s.close()
        os.unlink(local)
        os.rmdir(d)


def stream_rpc(addr, data, count=1, timeout=5.0):
    """Sends data on a stream socket (path or (host, port)) and reads `count` documents."""
    fam = socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(addr)
    s.sendall(data)
    buf, docs = "", []
    dec = json.JSONDecoder()
    deadline = time.monotonic() + timeout
    try:
        while len(docs) < count and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk.decode()
            while True:
                t = buf.lstrip()
                if not t:
                    break
                try:
                    doc, end = dec.raw_decode(t)
                except ValueError:
                    break
                docs.append(doc)
                buf = t[end:]
    finally:
        s.close()
    return docs


def ctl(*args, timeout=20):
    p = subprocess.run([sys.executable, CTL, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# ---- Prometheus text format (https://prometheus.io/docs/instrumenting/exposition_formats/)

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def _parse_value(s):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise ValueError(f"bad sample value {s!r}")
    return float(s)


def _parse_labels(text, pos, lineno):
    """Parses {a="x",b="y"} starting at text[pos] == '{'. Returns (labels, next pos)."""
    assert text[pos] == "{"
    pos += 1
    labels = {}
    while True:
        if text[pos] == "}":
            return labels, pos + 1
        m = LABEL_RE.match(text, pos)
        if not m:
            raise ValueError(f"line {lineno}: bad label name at {text[pos:pos + 20]!r}")
        name = m.group(0)
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise ValueError(f"line {lineno}: expected =\" after label {name}")
        pos += 2
        val = []
        while True:
            if pos >= len(text):
                raise ValueError(f"line {lineno}: unterminated label value")
            c = text[pos]
            if c == "\\":
                nxt = text[pos + 1:pos + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError(f"line {lineno}: bad escape \\{nxt}")
                val.append({"n": "\n"}.get(nxt, nxt))
                pos += 2
                continue
            if c == '"':
                pos += 1
                break
            if c == "\n":
                raise ValueError(f"line {lineno}: newline in label value")
            val.append(c)
            pos += 1
        if name in labels:
            raise ValueError(f"line {lineno}: label {name} repeated")
        labels[name] = "".join(val)
        if text[pos] == ",":
            pos += 1
            continue
        if text[pos] != "}":
            raise ValueError(f"line {lineno}: expected , or }} after label {name}")


def check_prometheus_text(text):
    """Parses the exposition text strictly; raises ValueError on any violation. Returns
    {family: {"type": t, "samples": [(name, labels, value, ts)]}}."""
    if text and not text.endswith("\n"):
        raise ValueError("text does not end with a newline")
    families = {}
    order = []          # family names in order of first sample
    types = {}
    helps = set()
    current = None
    seen_series = set()

    def family_of(name):
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix):
                base = name[: -len(suffix)]
                if types.get(base) in ("histogram", "summary"):
                    return base
        return name

    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not NAME_RE.fullmatch(parts[2]):
                    raise ValueError(f"line {lineno}: bad {parts[1]} line")
                name = parts[2]
                if name in families:
                    raise ValueError(f"line {lineno}: {parts[1]} for {name} after its samples")
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ValueError(f"line {lineno}: bad TYPE line")
                    if name in types:
                        raise ValueError(f"line {lineno}: second TYPE for {name}")
                    types[name] = parts[3]
                else:
                    if name in helps:
                        raise ValueError(f"line {lineno}: second HELP for {name}")
                    helps.add(name)
            continue
        m = NAME_RE.match(line)
        if not m:
            raise ValueError(f"line {lineno}: bad metric name in {line!r}")
        name = m.group(0)
        pos = m.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, lineno)
        rest = line[pos:]
        if not rest.startswith(" "):
            raise ValueError(f"line {lineno}: no space before the value")
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise ValueError(f"line {lineno}: expected value [timestamp], got {rest!r}")
        value = _parse_value(fields[0])
        ts = None
        if len(fields) == 2:
            if not re.fullmatch(r"-?\d+", fields[1]):
                raise ValueError(f"line {lineno}: bad timestamp {fields[1]!r}")
            ts = int(fields[1])
        fam = family_of(name)
        if fam != current:
            if fam in families:
                raise ValueError(f"line {lineno}: samples of {fam} are not contiguous")
            families[fam] = {"type": types.get(fam, "untyped"), "samples": []}
            order.append(fam)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen_series:
            raise ValueError(f"line {lineno}: duplicate series {name}{labels}")
        seen_series.add(key)
        t = families[fam]["type"]
        if t == "counter" and (value < 0 or math.isnan(value)):
            raise ValueError(f"line {lineno}: negative counter")
        if t == "histogram" and name == fam:
            raise ValueError(f"line {lineno}: bare sample in histogram {fam}")
        families[fam]["samples"].append((name, labels, value, ts))

    for fam, f in families.items():
        if f["type"] != "histogram":
            continue
        groups = {}
        for name, labels, value, _ in f["samples"]:
            base = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            g = groups.setdefault(base, {"buckets": [], "count": None, "sum": None})
            if name == fam + "_bucket":
                if "le" not in labels:
                    raise ValueError(f"{fam}: bucket without le")
                g["buckets"].append((_parse_value(labels["le"]), value))
            elif name == fam + "_count":
                g["count"] = value
            elif name == fam + "_sum":
                g["sum"] = value
        for base, g in groups.items():
            b = g["buckets"]
            if not b or b[-1][0] != math.inf:
                raise ValueError(f"{fam}{base}: no +Inf bucket last")
            if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
                raise ValueError(f"{fam}{base}: buckets not increasing/cumulative")
            if g["count"] is None or g["sum"] is None or g["count"] != b[-1][1]:
                raise ValueError(f"{fam}{base}: _count/_sum missing or _count != +Inf bucket")
    return families


# ---- the checker itself

GOOD = (
    "# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\"} 3 1700000000000\n"
    "a_total{x=\"2\",} 4\n\n# a comment\nb 1.5e3\n"
    "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"
)


def test_checker_accepts_valid_text():
    fams = check_prometheus_text(GOOD)
    assert fams["a_total"]["type"] == "counter" and len(fams["a_total"]["samples"]) == 2
    assert fams["h"]["type"] == "histogram"


def test_checker_rejects_violations():
    import pytest
    bad = [
        "a 1",                                   # no final newline
        "1a 1\n",                                # bad name
        "a{x=\"1} 1\n",                          # unterminated label
        "a{x=\"\\q\"} 1\n",                      # bad escape
        "a one\n",                               # bad value
        "a 1 1.5\n",                             # fractional timestamp
        "a 1\nb 1\na 2\n",                       # family not contiguous
        "a 1\na 2\n",                            # duplicate series
        "a 1\n# TYPE a counter\n",               # TYPE after samples
        "# TYPE a counter\na -1\n",              # negative counter
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",   # no +Inf
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
    ]
    for text in bad:
        with pytest.raises(ValueError):
            check_prometheus_text(text)
