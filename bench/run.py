#!/usr/bin/python3
"""siphon benchmark suite: siphon against Kamailio 5.6 and nginx on loopback.

    python3 bench/run.py --build build            # full run, about 10 minutes
    python3 bench/run.py --build build --quick    # smoke run, about 1-2 minutes
    python3 bench/run.py --only http-pv,sip-udp-options --rounds 3

Starts the three servers with equivalent configurations (bench/configs/), then for every row
runs the load generator against each server in turn, alternating the order from round to round
(A B C, C B A, ...), and reports medians over the rounds. Ratios (siphon/Kamailio,
siphon/nginx) are computed per round from the runs done back to back in that round, then the
median of those ratios is taken, so that slow drifts of the machine cancel out.

Server CPU is read from /proc/<pid>/stat (utime+stime of every process of the server's process
tree, all threads included) before and after each run; CPU cost per request is that delta
divided by the requests the generator saw answered. Memory is RSS and PSS summed over the
process tree (/proc/<pid>/smaps_rollup).

Results are printed and written to bench/results/<YYYY-MM-DD>.md (<date>-quick.md for
--quick). An "## Analysis" section already present in that file is kept.

Standard library only. Needs wrk, kamailio, nginx (scripts/setup.sh bench installs them) and
the generators built by bench/CMakeLists.txt (<build>/bench/sipload, httpclose,
siphon_microbench). A server that is not installed shows as n/a.
"""

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONFIGS = os.path.join(HERE, "configs")
KAMAILIO_BIN = "/usr/sbin/kamailio"
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
KAMAILIO_SHM_MB = 256
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1

SIPHON, KAMAILIO, NGINX = "siphon", "kamailio", "nginx"
LABEL = {SIPHON: "siphon", KAMAILIO: "Kamailio", NGINX: "nginx"}

WRK_CONNS = 32
HTTP_CLOSE_CONNS = 32
SIP_SOCKETS = 4
SIP_WINDOW = 32
# Mixed row: as many SIP requests outstanding (4 sockets × 8) as wrk keeps HTTP requests (32),
# so that a server serving both fairly gives both about the same rate.
MIXED_SIP_WINDOW = 8
MEM_CONNS = 5000
PV_PATH = "/bench/pv?x=1&y=2"
PV_UA = "wrk-siphon-bench"
NGINX_PV_BODY = '"OK - [$remote_addr:$remote_port] $request_method $request_uri $uri $http_user_agent\\n"'

# Targets from the tracker (issue 4): row -> (vs Kamailio, vs nginx); "ge" rows are
# throughputs (higher is better), "le" rows costs (lower is better).
TARGETS = {
    "http-keepalive": ("ge", 1.4, 1.0),
    "http-pv": ("ge", 2.0, 0.95),
    "http-close": ("ge", 1.5, 0.9),
    "sip-udp-options": ("ge", 3.0, None),
    "sip-tcp-options": ("ge", 3.0, None),
    "cpu http-keepalive": ("le", 0.6, 1.0),
    "cpu http-pv": ("le", 0.4, None),
    "cpu sip-udp-options": ("le", 0.33, None),
    "mem PSS 5000 conns": ("le", 0.6, None),
    "mem PSS idle": ("le", 1.0, None),
}

ALL_ROWS = ["http-keepalive", "http-pv", "http-close", "sip-udp-options", "sip-tcp-options",
            "mixed", "lua", "memory", "sipp", "micro"]


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- /proc helpers

def _stat_fields(pid):
    """Fields of /proc/<pid>/stat after the command name (index 0 = state)."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read().decode("ascii", "replace")
    return data[data.rfind(")") + 2:].split()


def process_tree(root):
    """root and all its descendants (processes, not threads)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(name)[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


HAVE_SCHEDSTAT = os.path.exists("/proc/self/schedstat")


def cpu_seconds(pids):
    """CPU time of the given processes, all threads, in seconds.

    From /proc/<pid>/task/<tid>/schedstat (the scheduler's run time in nanoseconds) when the
    kernel has it: utime+stime in /proc/<pid>/stat comes in clock ticks and, with tick-based
    accounting, is a sample (about +-10% over a 5 s run of a server using a fraction of a
    core). Both include what the kernel does on the process's behalf, softirq work done in
    its context included (unless the kernel has IRQ time accounting)."""
    if HAVE_SCHEDSTAT:
        ns = 0
        for p in pids:
            try:
                tids = os.listdir(f"/proc/{p}/task")
            except OSError:
                continue
            for t in tids:
                try:
                    with open(f"/proc/{p}/task/{t}/schedstat") as f:
                        ns += int(f.read().split()[0])
                except (OSError, IndexError, ValueError):
                    pass
        return ns / 1e9
    ticks = 0
    for p in pids:
        try:
            f = _stat_fields(p)
            ticks += int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / CLK_TCK


def memory_kb(pids):
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


def machine_busy_seconds():
    """Busy CPU time of the whole machine (all CPUs), seconds, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal guest guest_nice
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


# --------------------------------------------------------------------------- ports, probes

_used_ports = set()


def free_port():
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port in _used_ports or port < 10000:
            continue
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            u.close()
        _used_ports.add(port)
        return port
    raise BenchError("no free port")


def http_get(port, path="/", ua="bench-probe", timeout=2.0):
    """One GET on a new connection; returns (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {ua}\r\n\r\n".encode())
        return _read_http_reply(s)


def _read_http_reply(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("connection closed before the reply head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.I)
    n = int(m.group(1)) if m else 0
    while len(body) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    status = int(head.split(b" ", 2)[1])
    return status, body[:n].decode("latin-1")


def sip_options_udp(port, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.bind(("127.0.0.1", 0))
        lp = s.getsockname()[1]
        msg = (f"OPTIONS sip:bench@127.0.0.1:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK-probe{time.monotonic_ns()};rport\r\n"
               "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\n"
               f"To: <sip:bench@127.0.0.1:{port}>\r\nCall-ID: probe-{time.monotonic_ns()}@bench\r\n"
               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
        s.sendto(msg.encode(), ("127.0.0.1", port))
        data, _ = s.recvfrom(65536)
        return data.split(b"\r\n", 1)[0].decode("latin-1")
    finally:
        s.close()


# --------------------------------------------------------------------------- servers

class Server:
    """One server under test, started in its own session so that stop() can clean up the
    whole process group it created."""

    def __init__(self, kind, variant, args, port, workdir, sip):
        self.kind, self.variant, self.args, self.port, self.workdir = kind, variant, args, port, workdir
        self.sip = sip
        self.proc = None
        self.log_path = os.path.join(workdir, f"{kind}-{variant}.log")

    @property
    def name(self):
        return self.kind

    def start(self):
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT, cwd=self.workdir, start_new_session=True)

    def log_tail(self, n=25):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def wait_ready(self, check_body=None, timeout=20):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.kind} ({self.variant}) exited with status {self.proc.returncode}"
                                 f" during start-up; log:\n{self.log_tail()}")
            try:
                status, body = http_get(self.port, PV_PATH if check_body else "/", ua=PV_UA)
                if status != 200:
                    raise OSError(f"HTTP status {status}")
                if check_body and not body.startswith(check_body):
                    raise BenchError(f"{self.kind}: unexpected reply body {body!r}")
                if self.sip:
                    line = sip_options_udp(self.port)
                    if not line.startswith("SIP/2.0 200"):
                        raise OSError(f"OPTIONS answered {line!r}")
                return
            except (OSError, IndexError, ValueError) as e:
                last = e
                time.sleep(0.1)
        raise BenchError(f"{self.kind} ({self.variant}) not ready after {timeout}s ({last}); log:\n"
                         f"{self.log_tail()}")

    def pids(self):
        return process_tree(self.proc.pid)

    def cpu(self):
        return cpu_seconds(self.pids())

    def memory(self):
        return memory_kb(self.pids())

    def stop(self):
        if not self.proc:
            return
        pid = self.proc.pid
        try:
            if self.proc.poll() is None:
                os.kill(pid, signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(pid, signal.SIGKILL)
                    self.proc.wait(5)
            # Kamailio's children and nginx's worker leave after their parent; then kill what
            # is left of the process group this script created (its id is the server's pid).
            end = time.monotonic() + 5
            while time.monotonic() < end:
                try:
                    os.killpg(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        except ProcessLookupError:
            pass
        finally:
            self.logf.close()


def _fill(template, **subs):
    with open(os.path.join(CONFIGS, template)) as f:
        text = f.read()
    for k, v in subs.items():
        text = text.replace(f"__{k}__", str(v))
    return text


def make_server(kind, variant, workdir, opts):
    """variant: plain (3-byte reply), pv (the http-pv body) or lua (KEMI)."""
    port = free_port()
    d = os.path.join(workdir, f"{kind}-{variant}")
    os.makedirs(d, exist_ok=True)
    if kind in (SIPHON, KAMAILIO):
        if variant == "lua":
            shutil.copy(os.path.join(CONFIGS, "bench.lua"), os.path.join(d, "bench.lua"))
            text = _fill("lua.cfg", PORT=port, CHILDREN=opts.children, LUA=os.path.join(d, "bench.lua"))
        else:
            text = _fill("server.cfg", PORT=port, CHILDREN=opts.children)
        cfg = os.path.join(d, "server.cfg")
        with open(cfg, "w") as f:
            f.write(text)
        if kind == SIPHON:
            args = [opts.siphon, "-f", cfg, "-DD", "-E"]
        else:
            rundir = os.path.join(d, "run")
            os.makedirs(rundir, exist_ok=True)
            # -m: Kamailio's default 64 MB shared memory pool cannot hold the memory row's 5,000
            # connections; pages of the pool that are never touched cost nothing (PSS).
            args = [KAMAILIO_BIN, "-f", cfg, "-DD", "-E", "-Y", rundir, "-L", KAMAILIO_MODULES, "-w", d,
                    "-m", str(KAMAILIO_SHM_MB)]
        if variant == "pv":
            args += ["-A", "WITH_PV"]
        return Server(kind, variant, args, port, d, sip=True)
    # nginx
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    body = NGINX_PV_BODY if variant == "pv" else '"ok\\n"'
    text = _fill("nginx.conf", PORT=port, DIR=d, BODY=body)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    return Server(kind, variant, [opts.nginx, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                  port, d, sip=False)


def check_lua_support(opts, workdir):
    """siphon runs the lua row once `siphon -c` accepts lua.cfg; returns (ok, reason)."""
    d = os.path.join(workdir, "lua-check")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(CONFIGS, "bench.lua"), os.path.join(d, "bench.lua"))
    cfg = os.path.join(d, "lua.cfg")
    with open(cfg, "w") as f:
        f.write(_fill("lua.cfg", PORT=free_port(), CHILDREN=opts.children, LUA=os.path.join(d, "bench.lua")))
    r = subprocess.run([opts.siphon, "-c", "-f", cfg], capture_output=True, text=True, timeout=30)
    if r.returncode == 0:
        return True, ""
    first = (r.stderr.strip().splitlines() or ["?"])[0]
    return False, first


# --------------------------------------------------------------------------- load generators

def run_generators(cmds, server=None, timeout=120):
    """Runs the generator commands concurrently; returns (outputs, stats) where stats has the
    server CPU, generator CPU and other machine load over the run."""
    files = []
    procs = []
    busy0 = machine_busy_seconds()
    cpu0 = server.cpu() if server else 0
    t0 = time.monotonic()
    for c in cmds:
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        files.append((out, err))
        procs.append(subprocess.Popen(c, stdout=out, stderr=err, stdin=subprocess.DEVNULL))
    gen_cpu = 0.0
    deadline = time.monotonic() + timeout
    rcs = []
    for p in procs:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                p.returncode = os.waitstatus_to_exitcode(status)
                gen_cpu += ru.ru_utime + ru.ru_stime
                break
            if time.monotonic() > deadline:
                p.kill()
            time.sleep(0.02)
        rcs.append(p.returncode)
    wall = time.monotonic() - t0
    cpu1 = server.cpu() if server else 0
    busy1 = machine_busy_seconds()
    outputs = []
    for (out, err), rc, c in zip(files, rcs, cmds):
        out.seek(0)
        err.seek(0)
        o = out.read().decode("utf-8", "replace")
        e = err.read().decode("utf-8", "replace")
        out.close()
        err.close()
        if rc != 0:
            raise BenchError(f"{os.path.basename(c[0])} failed (status {rc}): {e.strip()[-500:]}\n{o[-500:]}")
        outputs.append(o)
    server_cpu = cpu1 - cpu0
    other = max(0.0, (busy1 - busy0) - server_cpu - gen_cpu)
    return outputs, {"wall": wall, "server_cpu": server_cpu, "gen_cpu": gen_cpu, "other_cpu": other}


def _latency_us(text, pct):
    m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return None
    v = float(m.group(1))
    return v * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]


def parse_wrk(text):
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m or not rps:
        raise BenchError(f"cannot parse wrk output:\n{text}")
    errors = 0
    se = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if se:
        errors += sum(int(x) for x in se.groups())
    n2 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if n2:
        errors += int(n2.group(1))
    return {"rate": float(rps.group(1)), "requests": int(m.group(1)), "errors": errors,
            "p50_us": _latency_us(text, 50), "p99_us": _latency_us(text, 99)}


def wrk_cmd(port, duration, path="/", ua=None):
    cmd = ["wrk", "-t1", f"-c{WRK_CONNS}", f"-d{duration}s", "--latency"]
    if ua:
        cmd += ["-H", f"User-Agent: {ua}"]
    return cmd + [f"http://127.0.0.1:{port}{path}"]


def sipload_cmd(opts, port, duration, proto="udp", rate=None, sockets=SIP_SOCKETS, window=SIP_WINDOW):
    cmd = [opts.sipload, f"--{proto}", "--port", str(port), "--duration", str(duration),
           "--sockets", str(sockets), "--window", str(window)]
    if rate:
        cmd += ["--rate", str(rate)]
    return cmd


def parse_sipload(text):
    j = json.loads(text.strip().splitlines()[-1])
    return {"rate": j["replies_per_s"], "requests": j["received"], "errors": j["lost"] + j["bad"] + j["errors"],
            "p50_us": j["p50_us"], "p99_us": j["p99_us"], "raw": j}


def httpclose_cmd(opts, port, duration, conns=HTTP_CLOSE_CONNS):
    return [opts.httpclose, "--port", str(port), "--duration", str(duration), "--conns", str(conns)]


def parse_httpclose(text):
    j = json.loads(text.strip().splitlines()[-1])
    return {"rate": j["requests_per_s"], "requests": j["requests"], "errors": j["errors"] + j["bad"],
            "p50_us": j["p50_us"], "p99_us": j["p99_us"], "raw": j}


# --------------------------------------------------------------------------- scenarios

class Row:
    """Per-server, per-round measurements of one benchmark row."""

    def __init__(self, name, unit, servers):
        self.name, self.unit, self.servers = name, unit, servers
        self.runs = {s: [] for s in servers}   # server -> [dict per round]
        self.note = ""

    def add(self, server, rnd, d):
        d["round"] = rnd
        self.runs[server].append(d)

    def values(self, server, key="value"):
        return [r[key] for r in self.runs.get(server, []) if r.get(key) is not None]

    def median(self, server, key="value"):
        v = self.values(server, key)
        return statistics.median(v) if v else None

    def ratio(self, a, b, key="value"):
        """Median over rounds of a/b, each from the same round."""
        ra = {r["round"]: r.get(key) for r in self.runs.get(a, [])}
        rb = {r["round"]: r.get(key) for r in self.runs.get(b, [])}
        rs = [ra[k] / rb[k] for k in ra if k in rb and ra[k] is not None and rb[k]]
        return (statistics.median(rs), rs) if rs else (None, [])


def order_for(servers, rnd):
    return list(servers) if rnd % 2 == 0 else list(reversed(servers))


def throughput_rows(name, servers, make_cmds, parse, opts, rounds, duration, extra_key=None):
    """Runs the classic row: warm-up, then rounds of alternating order. Returns (rate row,
    cpu row)."""
    rate = Row(name, "req/s", [s.kind for s in servers])
    cpu = Row("cpu " + name, "µs/req", [s.kind for s in servers])
    for s in servers:
        log(f"  warm-up {s.kind}")
        run_generators(make_cmds(s, opts.warmup), s)
    for rnd in range(rounds):
        for s in order_for(servers, rnd):
            outs, st = run_generators(make_cmds(s, duration), s)
            parsed = [p(o) for p, o in zip(parse, outs)]
            res = parsed[0]
            total = sum(p["requests"] for p in parsed)
            # Several generators of one kind (http-close): the row's rate is their sum.
            d = {"value": sum(p["rate"] for p in parsed), "p50_us": res["p50_us"], "p99_us": res["p99_us"],
                 "errors": sum(p["errors"] for p in parsed), "server_cores": st["server_cpu"] / st["wall"],
                 "gen_cores": st["gen_cpu"] / st["wall"], "other_cores": st["other_cpu"] / st["wall"],
                 "requests": total}
            if extra_key:
                d.update(extra_key(parsed))
            cpu_us = st["server_cpu"] / total * 1e6 if total else None
            rate.add(s.kind, rnd, d)
            cpu.add(s.kind, rnd, {"value": cpu_us})
            log(f"  round {rnd + 1} {s.kind:8s} {d['value']:10.0f} {rate.unit}  "
                f"cpu {cpu_us or 0:6.2f} µs/req  "
                f"server {d['server_cores']:.2f} gen {d['gen_cores']:.2f} other {d['other_cores']:.2f} cores"
                + (f"  errors {d['errors']}" if d["errors"] else ""))
    return rate, cpu


def memory_rows(servers, opts):
    """Idle RSS/PSS, then while holding MEM_CONNS idle keep-alive HTTP connections."""
    rows = {k: Row(k, "MB", [s.kind for s in servers]) for k in
            ("mem RSS idle", "mem PSS idle", "mem RSS 5000 conns", "mem PSS 5000 conns")}
    raise_nofile()
    for s in servers:
        # Settle: a few requests of each kind so that lazy initialisation is done.
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        for _ in range(200):
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {PV_UA}\r\n\r\n".encode())
            _read_http_reply(sock)
        sock.close()
        if s.sip:
            for _ in range(20):
                sip_options_udp(s.port)
        time.sleep(0.5)
        rss, pss = s.memory()
        rows["mem RSS idle"].add(s.kind, 0, {"value": rss / 1024})
        rows["mem PSS idle"].add(s.kind, 0, {"value": pss / 1024})
        held, ok = [], 0
        t0 = time.monotonic()
        try:
            for i in range(MEM_CONNS):
                c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
                held.append(c)
                c.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {PV_UA}\r\n\r\n".encode())
                status, _ = _read_http_reply(c)
                ok += status == 200
            time.sleep(1.0)
            rss2, pss2 = s.memory()
        finally:
            for c in held:
                c.close()
        rows["mem RSS 5000 conns"].add(s.kind, 0, {"value": rss2 / 1024})
        rows["mem PSS 5000 conns"].add(s.kind, 0, {"value": pss2 / 1024})
        log(f"  {s.kind:8s} idle RSS {rss / 1024:6.1f} MB PSS {pss / 1024:6.1f} MB; {ok} conns "
            f"({time.monotonic() - t0:.1f}s): RSS {rss2 / 1024:6.1f} MB PSS {pss2 / 1024:6.1f} MB "
            f"({(pss2 - pss) / max(ok, 1):.1f} KB/conn)")
        if ok != MEM_CONNS:
            rows["mem PSS 5000 conns"].note = f"only {ok} of {MEM_CONNS} connections answered"
        time.sleep(1.0)
    return list(rows.values())


def sipp_crosscheck(servers, opts, duration, protos):
    """sipp and sipload at the same fixed low rate: both should see every OPTIONS answered."""
    lines = []
    if not shutil.which("sipp"):
        return ["sipp not installed: cross-check skipped"]
    rate = opts.sipp_rate
    calls = int(rate * duration)
    for proto in protos:
        for s in servers:
            d = os.path.join(s.workdir, "sipp")
            os.makedirs(d, exist_ok=True)
            stf = os.path.join(d, f"sipp-{proto}.csv")
            if os.path.exists(stf):
                os.unlink(stf)
            cmd = ["sipp", "-sf", os.path.join(HERE, "sipp", "options.xml"), "-t", "u1" if proto == "udp" else "t1",
                   "-r", str(rate), "-m", str(calls), "-i", "127.0.0.1", "-p", str(free_port()),
                   f"127.0.0.1:{s.port}", "-nostdin", "-trace_stat", "-stf", stf, "-fd", "1",
                   "-timeout", f"{duration + 15}s", "-timeout_error"]
            t0 = time.monotonic()
            r = subprocess.run(cmd, capture_output=True, cwd=d, timeout=duration + 30)
            wall = time.monotonic() - t0
            ok = failed = None
            try:
                with open(stf) as f:
                    rows = [ln.rstrip("\n").split(";") for ln in f if ln.strip()]
                hdr, last = rows[0], rows[-1]
                ok = int(last[hdr.index("SuccessfulCall(C)")])
                failed = int(last[hdr.index("FailedCall(C)")])
            except (OSError, ValueError, IndexError):
                pass
            outs, _ = run_generators([sipload_cmd(opts, s.port, duration, proto, rate=rate, sockets=1,
                                                  window=1000)])
            j = parse_sipload(outs[0])["raw"]
            lines.append(f"| {proto} | {LABEL[s.kind]} | {rate}/s × {duration}s | sipp: {ok} answered, "
                         f"{failed} failed (exit {r.returncode}, {wall:.1f}s) | sipload: {j['sent']} sent, "
                         f"{j['received']} answered, {j['lost']} lost, p50 {j['p50_us']:.0f} µs, "
                         f"p99 {j['p99_us']:.0f} µs |")
            log("  " + lines[-1])
    return lines


def perf_profile(server, cmds, duration, out_dir, label):
    """perf record of the server during one extra (uncounted) run; returns the top symbols."""
    if not shutil.which("perf"):
        return "perf not installed"
    data = os.path.join(out_dir, f"perf-{label}.data")
    pids = ",".join(str(p) for p in server.pids())
    rec = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-g", "-o", data, "-p", pids, "--",
                            "sleep", str(duration)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.2)
    try:
        run_generators(cmds, server)
    finally:
        _, err = rec.communicate(timeout=duration + 30)
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,symbol",
                          "--percent-limit", "0.8", "-g", "none", "-q"], capture_output=True, text=True,
                         timeout=120)
    lines = [ln.rstrip() for ln in rep.stdout.splitlines() if ln.strip() and not ln.startswith("#")]
    return "\n".join(lines[:30]) or (err.decode(errors="replace")[-500:] if err else "no samples")


def run_micro(opts, quick):
    if not os.path.exists(opts.microbench):
        return None, f"{opts.microbench} not built (configure with -DSIPHON_BENCH=ON)"
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    out.close()
    min_time = "0.02" if quick else "0.3"
    r = subprocess.run([opts.microbench, f"--benchmark_min_time={min_time}", f"--benchmark_out={out.name}",
                        "--benchmark_out_format=json"], capture_output=True, text=True, timeout=600)
    try:
        with open(out.name) as f:
            j = json.load(f)
    except (OSError, ValueError):
        return None, f"siphon_microbench failed (status {r.returncode}): {r.stderr[-800:]}"
    finally:
        os.unlink(out.name)
    return j, ""


# --------------------------------------------------------------------------- report

def fmt_val(v, unit):
    if v is None:
        return "n/a"
    if unit in ("req/s", "replies/s"):
        return f"{v / 1000:.1f}k"
    if unit == "µs/req":
        return f"{v:.2f}"
    if unit == "MB":
        return f"{v:.1f}"
    return f"{v:.3g}"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


def verdict(kind, ratio, target):
    if target is None:
        return ""
    if ratio is None:
        return f"{'≥' if kind == 'ge' else '≤'}{target} n/a"
    ok = ratio >= target if kind == "ge" else ratio <= target
    return f"{'≥' if kind == 'ge' else '≤'}{target} {'ok' if ok else 'MISS'}"


def table(rows):
    out = ["| row | unit | siphon | Kamailio | nginx | siphon/Kamailio | target | siphon/nginx | target |",
           "|---|---|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        if isinstance(r, str):
            out.append(r)
            continue
        kind, tk, tn = TARGETS.get(r.name, ("ge", None, None))
        rk, _ = r.ratio(SIPHON, KAMAILIO) if KAMAILIO in r.servers and SIPHON in r.servers else (None, [])
        rn, _ = r.ratio(SIPHON, NGINX) if NGINX in r.servers and SIPHON in r.servers else (None, [])
        cells = []
        for s in (SIPHON, KAMAILIO, NGINX):
            if s not in r.servers:
                cells.append("—")
            elif not r.values(s) and r.runs.get(s) is not None and getattr(r, "na", {}).get(s):
                cells.append(r.na[s])
            else:
                cells.append(fmt_val(r.median(s), r.unit))
        name = r.name + (f" ({r.note})" if r.note else "")
        out.append(f"| {name} | {r.unit} | {cells[0]} | {cells[1]} | {cells[2]} | "
                   f"{fmt_ratio(rk) if KAMAILIO in r.servers else '—'} | {verdict(kind, rk, tk)} | "
                   f"{fmt_ratio(rn) if NGINX in r.servers else '—'} | {verdict(kind, rn, tn)} |")
    return out


def detail_table(rows):
    out = ["| row | server | p50 µs | p99 µs | server cores | generator cores | other cores | errors |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        for s in r.servers:
            if not r.values(s):
                continue
            def med(k, fmt="{:.0f}"):
                v = r.median(s, k)
                return "n/a" if v is None else fmt.format(v)
            errs = sum(x.get("errors", 0) for x in r.runs[s])
            out.append(f"| {r.name} | {LABEL[s]} | {med('p50_us')} | {med('p99_us')} | "
                       f"{med('server_cores', '{:.2f}')} | {med('gen_cores', '{:.2f}')} | "
                       f"{med('other_cores', '{:.2f}')} | {errs} |")
    return out


def raw_rounds(rows):
    out = []
    for r in rows:
        parts = []
        for s in r.servers:
            v = r.values(s)
            if v:
                parts.append(f"{LABEL[s]} " + ", ".join(fmt_val(x, r.unit) for x in v))
        rk = r.ratio(SIPHON, KAMAILIO)[1] if KAMAILIO in r.servers else []
        if rk:
            parts.append("s/K " + ", ".join(f"{x:.2f}" for x in rk))
        rn = r.ratio(SIPHON, NGINX)[1] if NGINX in r.servers else []
        if rn:
            parts.append("s/n " + ", ".join(f"{x:.2f}" for x in rn))
        if parts:
            out.append(f"- {r.name}: " + "; ".join(parts))
    return out


def micro_table(j):
    out = ["| benchmark | CPU time | throughput |", "|---|---:|---:|"]
    for b in j.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        unit = b.get("time_unit", "ns")
        t = b["cpu_time"]
        tp = []
        if "items_per_second" in b:
            tp.append(f"{b['items_per_second'] / 1e6:.2f} M/s")
        if "bytes_per_second" in b:
            tp.append(f"{b['bytes_per_second'] / 2**20:.0f} MiB/s")
        err = " (error: " + b["error_message"] + ")" if b.get("error_occurred") else ""
        out.append(f"| {b['name']}{err} | {t:.1f} {unit} | {', '.join(tp)} |")
    return out


def version_of(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


def cpu_model():
    try:
        r = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10)
        for line in r.stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def show_path(p):
    """Relative to the project root when inside it."""
    rel = os.path.relpath(p, ROOT)
    return p if rel.startswith("..") else rel


def build_source(build):
    """The source directory a CMake build directory was configured from."""
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    return os.path.realpath(line.split("=", 1)[1].strip())
    except OSError:
        pass
    return None


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "src"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" (src/ modified)" if dirty else "")
    except OSError:
        return "?"


HOW_TO_READ = """\
How to read these numbers. Everything runs on one machine: the load generator and the
server under test share its CPUs, and the generators are single-threaded (wrk -t1, sipload,
httpclose use one core each at most; httpclose spreads its connections over 8 source
addresses, since from one address the kernel's TIME_WAIT reuse caps any server at about 14k
connections/s). On a 2-core machine the HTTP throughput rows are
therefore capped by the generator as much as by the server: the server can never use more
than the core the generator leaves it. A server that needs less CPU per request leaves more
for the generator and goes faster, but the ratio of throughputs understates the ratio of
efficiencies. The CPU rows (server CPU seconds from /proc divided by the requests answered,
whole process tree, all threads) are not capped that way and are the better measure of
efficiency. Server CPU comes from the scheduler's per-thread run time
(/proc/<pid>/task/*/schedstat, nanoseconds; /proc/<pid>/stat utime+stime if the kernel lacks
it), so it includes the kernel's work in the server's context: system calls and, unless the
kernel has IRQ time accounting, the loopback softirq work done there. "other cores" is machine CPU time used by neither the server
nor the generator (other processes, interrupts): when it is large the machine was busy and
the row is noisy. Ratios are medians of per-round ratios; each round runs the servers back to
back, alternating the order (A B C, C B A, ...)."""


def write_report(path, meta, rows_main, rows_detail, extra_sections):
    analysis = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
        i = old.find("\n## Analysis")
        if i >= 0:
            analysis = old[i + 1:]
    lines = [f"# siphon benchmark results — {meta['date']}", ""]
    lines += [f"- CPU: {meta['cpu']} ({NCPU} CPUs)", f"- kernel: {meta['kernel']}",
              f"- siphon: {meta['siphon']} ({'git ' if not meta['git'].startswith('sources') else ''}{meta['git']}, "
              f"build {meta['build']})",
              f"- Kamailio: {meta['kamailio']}", f"- nginx: {meta['nginx']}", f"- wrk: {meta['wrk']}",
              f"- mode: {meta['mode']}: {meta['rounds']} rounds of {meta['duration']} s per server and row, "
              f"{meta['warmup']} s warm-up; {meta['children']}",
              f"- load average at start: {meta['load_start']:.2f}, at end: {meta['load_end']:.2f}"
              + ("  **(machine busy: results are noisy)**" if meta["busy"] else ""),
              f"- run time: {meta['elapsed']:.0f} s", ""]
    lines += ["## Results", ""] + table(rows_main) + [""]
    lines += ["## Latency, CPU split and noise (medians over rounds)", ""] + detail_table(rows_detail) + [""]
    for title, body in extra_sections:
        lines += [f"## {title}", ""] + body + [""]
    lines += ["## How to read", ""] + HOW_TO_READ.splitlines() + [""]
    text = "\n".join(lines)
    if analysis:
        text += "\n" + analysis
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return text


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--quick", action="store_true", help="short smoke run")
    ap.add_argument("--rounds", type=int, help="rounds per row (default 5, quick 2)")
    ap.add_argument("--duration", type=int, help="seconds per run (default 5, quick 1)")
    ap.add_argument("--warmup", type=int, help="warm-up seconds per server and row (default 2, quick 1)")
    ap.add_argument("--children", type=int, default=2, help="children/tcp_children (siphon: worker threads)")
    ap.add_argument("--only", help="comma-separated rows: " + ",".join(ALL_ROWS))
    ap.add_argument("--perf", action="store_true",
                    help="also profile siphon with perf during one extra run of the main rows")
    ap.add_argument("--sipp-rate", type=int, default=1000, help="rate of the sipp cross-check (default 1000/s)")
    ap.add_argument("--wait-quiet", type=int, default=0, metavar="S",
                    help="first wait up to S seconds for the load average to drop below half the CPUs")
    ap.add_argument("--out", help="results file (default bench/results/<date>[-quick].md)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    opts = ap.parse_args()

    build = opts.build if os.path.isabs(opts.build) else os.path.join(ROOT, opts.build)
    opts.siphon = os.path.join(build, "siphon")
    opts.sipload = os.path.join(build, "bench", "sipload")
    opts.httpclose = os.path.join(build, "bench", "httpclose")
    opts.microbench = os.path.join(build, "bench", "siphon_microbench")
    opts.nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    rounds = opts.rounds or (2 if opts.quick else 5)
    duration = opts.duration or (1 if opts.quick else 5)
    opts.warmup = opts.warmup or (1 if opts.quick else 2)
    only = set(opts.only.split(",")) if opts.only else set(ALL_ROWS)
    bad = only - set(ALL_ROWS)
    if bad:
        ap.error("unknown rows: " + ",".join(sorted(bad)))
    for p in (opts.siphon, opts.sipload, opts.httpclose):
        if not os.access(p, os.X_OK):
            ap.error(f"{p} not found: build with -DSIPHON_BENCH=ON (make bench does)")
    if not shutil.which("wrk"):
        ap.error("wrk not found (scripts/setup.sh bench installs it)")
    have_kam = os.access(KAMAILIO_BIN, os.X_OK)
    have_nginx = os.access(opts.nginx, os.X_OK)
    kinds_http = [SIPHON] + ([KAMAILIO] if have_kam else []) + ([NGINX] if have_nginx else [])
    kinds_sip = [SIPHON] + ([KAMAILIO] if have_kam else [])
    raise_nofile()

    if opts.wait_quiet:
        end = time.monotonic() + opts.wait_quiet
        while loadavg() > NCPU * 0.5 and time.monotonic() < end:
            log(f"waiting for a quiet machine: load average {loadavg():.1f}")
            time.sleep(15)
    t_start = time.monotonic()
    load_start = loadavg()
    if load_start > NCPU * 0.5:
        log(f"warning: load average {load_start:.1f} on {NCPU} CPUs: other work is running, "
            "results will be noisy")
    workdir = tempfile.mkdtemp(prefix="siphon-bench-")
    log(f"bench: {rounds} rounds × {duration}s, work dir {workdir}")
    rows_main, rows_detail, extra = [], [], []
    perf_sections = []
    failed = False

    def start_all(variant, kinds, check_body=None):
        servers = []
        try:
            for k in kinds:
                s = make_server(k, variant, workdir, opts)
                s.start()
                servers.append(s)
            for s in servers:
                s.wait_ready(check_body)
        except BaseException:
            for s in servers:
                s.stop()
            raise
        return servers

    def http_cmds(path="/", ua=None):
        return lambda s, d: [wrk_cmd(s.port, d, path, ua)]

    try:
        # ---- plain configuration: memory, keep-alive, close, SIP, mixed, sipp
        plain_rows = {"http-keepalive", "http-close", "sip-udp-options", "sip-tcp-options", "mixed", "memory",
                      "sipp"}
        if only & plain_rows:
            log("== servers with the 3-byte reply")
            servers = start_all("plain", kinds_http)
            by = {s.kind: s for s in servers}
            sip_servers = [by[k] for k in kinds_sip]
            try:
                if "memory" in only:
                    log("== memory")
                    mem = memory_rows(servers, opts)
                    rows_main += [r for r in mem if r.name in ("mem PSS idle", "mem PSS 5000 conns")]
                    rows_main += [r for r in mem if r.name not in ("mem PSS idle", "mem PSS 5000 conns")]
                results = {}
                if "http-keepalive" in only:
                    log("== http-keepalive (wrk -t1 -c32)")
                    results["http-keepalive"] = throughput_rows("http-keepalive", servers, http_cmds(),
                                                                [parse_wrk], opts, rounds, duration)
                if "http-close" in only:
                    log(f"== http-close (httpclose, {HTTP_CLOSE_CONNS} connections in flight, 8 source addresses)")
                    results["http-close"] = throughput_rows(
                        "http-close", servers, lambda s, d: [httpclose_cmd(opts, s.port, d)], [parse_httpclose],
                        opts, rounds, duration)
                for proto in ("udp", "tcp"):
                    name = f"sip-{proto}-options"
                    if name in only:
                        log(f"== {name} (sipload {SIP_SOCKETS} sockets × window {SIP_WINDOW})")
                        results[name] = throughput_rows(
                            name, sip_servers, lambda s, d, p=proto: [sipload_cmd(opts, s.port, d, p)],
                            [parse_sipload], opts, rounds, duration)
                        results[name][0].unit = "replies/s"
                if "mixed" in only:
                    log(f"== mixed (wrk -t1 -c{WRK_CONNS} and sipload udp {SIP_SOCKETS} × "
                        f"{MIXED_SIP_WINDOW} at the same time)")
                    rate, cpu = throughput_rows(
                        "mixed http", sip_servers,
                        lambda s, d: [wrk_cmd(s.port, d),
                                      sipload_cmd(opts, s.port, d, "udp", window=MIXED_SIP_WINDOW)],
                        [parse_wrk, parse_sipload], opts, rounds, duration,
                        extra_key=lambda parsed: {"sip_rate": parsed[1]["rate"]})
                    sip = Row("mixed sip-udp", "replies/s", rate.servers)
                    for k in rate.servers:
                        for run in rate.runs[k]:
                            sip.add(k, run["round"], {"value": run["sip_rate"]})
                    cpu.name = "cpu mixed (http+sip)"
                    results["mixed"] = (rate, cpu, sip)
                for name in ("http-keepalive", "http-close", "sip-udp-options", "sip-tcp-options"):
                    if name in results:
                        rows_main.append(results[name][0])
                        rows_detail.append(results[name][0])
                if "mixed" in results:
                    rate, cpu, sip = results["mixed"]
                    rows_main += [rate, sip]
                    rows_detail.append(rate)
                    extra.append(("Mixed load: share of the solo rate", mixed_shares(rate, sip, results)))
                cpu_rows = [results[n][1] for n in ("http-keepalive", "http-close", "sip-udp-options",
                                                    "sip-tcp-options", "mixed") if n in results]
                results_cpu = cpu_rows
                if opts.perf:
                    s = by[SIPHON]
                    for name, cmds in (("http-keepalive", [wrk_cmd(s.port, duration)]),
                                       ("sip-udp-options", [sipload_cmd(opts, s.port, duration, "udp")])):
                        if name in only:
                            log(f"== perf: siphon {name}")
                            perf_sections.append((name, perf_profile(s, cmds, duration, workdir, name)))
                if "sipp" in only:
                    log(f"== sipp cross-check at {opts.sipp_rate}/s")
                    sl = sipp_crosscheck(sip_servers, opts, 2 if opts.quick else 4,
                                         ["udp"] if opts.quick else ["udp", "tcp"])
                    extra.append(("sipp cross-check", [
                        "sipp and sipload send OPTIONS at the same fixed rate to the same server; both must "
                        "see every request answered. (sipp reports response times in whole milliseconds, so "
                        "only sipload's latency is shown; sipp's own ceiling is far below the servers', "
                        "which is why the throughput rows use sipload.)", "",
                        "| proto | server | load | sipp | sipload |", "|---|---|---|---|---|"] + sl))
            finally:
                for s in servers:
                    s.stop()
        else:
            results_cpu = []

        # ---- http-pv
        pv_cpu = []
        if "http-pv" in only:
            log("== servers with the http-pv body")
            servers = start_all("pv", kinds_http, check_body="OK - [127.0.0.1:")
            try:
                log("== http-pv (wrk -t1 -c32)")
                rate, cpu = throughput_rows("http-pv", servers, http_cmds(PV_PATH, PV_UA), [parse_wrk], opts,
                                            rounds, duration)
                rows_main.insert(_after(rows_main, "http-keepalive"), rate)
                rows_detail.insert(_after(rows_detail, "http-keepalive"), rate)
                pv_cpu = [cpu]
                if opts.perf:
                    s = servers[0]
                    log("== perf: siphon http-pv")
                    perf_sections.append(("http-pv", perf_profile(s, [wrk_cmd(s.port, duration, PV_PATH, PV_UA)],
                                                                  duration, workdir, "http-pv")))
            finally:
                for s in servers:
                    s.stop()

        # ---- lua (KEMI)
        if "lua" in only:
            lua_ok, why = check_lua_support(opts, workdir)
            kinds = ([SIPHON] if lua_ok else []) + ([KAMAILIO] if have_kam and os.path.exists(
                os.path.join(KAMAILIO_MODULES, "app_lua.so")) else [])
            row = None
            if kinds:
                log("== lua (KEMI event_callback, wrk -t1 -c32)" + ("" if lua_ok else f"; siphon: {why}"))
                servers = start_all("lua", kinds)
                try:
                    row, cpu = throughput_rows("lua", servers, http_cmds(), [parse_wrk], opts, rounds, duration)
                    pv_cpu.append(cpu)
                    if not lua_ok:
                        cpu.servers = [SIPHON] + cpu.servers
                        cpu.runs[SIPHON] = []
                        cpu.na = {SIPHON: "n/a"}
                finally:
                    for s in servers:
                        s.stop()
            if row is None:
                row = Row("lua", "req/s", [SIPHON, KAMAILIO])
            if not lua_ok:
                row.servers = [SIPHON] + [k for k in row.servers if k != SIPHON]
                row.runs.setdefault(SIPHON, [])
                row.na = {SIPHON: "n/a (no KEMI engine yet)"}
                if KAMAILIO not in kinds:
                    row.na[KAMAILIO] = "n/a (app_lua not installed)"
                    row.runs.setdefault(KAMAILIO, [])
            rows_main.append(row)
            rows_detail.append(row)

        # CPU rows after the throughput rows, in the same order.
        cpu_all = results_cpu + pv_cpu
        order = ["cpu http-keepalive", "cpu http-pv", "cpu http-close", "cpu sip-udp-options",
                 "cpu sip-tcp-options", "cpu mixed (http+sip)", "cpu lua"]
        cpu_all.sort(key=lambda r: order.index(r.name) if r.name in order else 99)
        mem_rows = [r for r in rows_main if r.name.startswith("mem ")]
        rows_main = [r for r in rows_main if not r.name.startswith("mem ")] + cpu_all + mem_rows

        if "micro" in only:
            log("== micro-benchmarks")
            j, err = run_micro(opts, opts.quick)
            if j:
                ctx = j.get("context", {})
                la = f"{ctx['load_avg'][0]:.1f}" if ctx.get("load_avg") else "?"
                extra.append(("Micro-benchmarks (Google Benchmark, CPU time per operation)", [
                    f"`{show_path(opts.microbench)}` (bench/micro/); load average during the run {la}. "
                    "CPU time, not wall time, so that other load on the machine matters less. (Debian's "
                    "libbenchmark reports itself as a debug build; that concerns the library's own "
                    "bookkeeping, not the code measured.)", ""] + micro_table(j)))
            else:
                extra.append(("Micro-benchmarks", [err]))
        for name, text in perf_sections:
            extra.append((f"perf profile: siphon {name} (self time, top symbols)", ["```", text, "```"]))
    except (BenchError, OSError, subprocess.SubprocessError, ValueError) as e:
        log(f"bench: error: {type(e).__name__}: {e}")
        failed = True
    except KeyboardInterrupt:
        log("bench: interrupted")
        failed = True

    extra.append(("Raw per-round values", raw_rounds(rows_main)))
    load_end = loadavg()
    meta = {
        "date": datetime.date.today().isoformat(), "cpu": cpu_model(), "kernel": os.uname().release,
        "siphon": version_of([opts.siphon, "-V"]), "git": (git_rev() if build_source(build) in (None, os.path.realpath(ROOT))
                else f"sources in {build_source(build)}"), "build": show_path(build),
        "kamailio": version_of([KAMAILIO_BIN, "-v"]) if have_kam else "not installed",
        "nginx": version_of([opts.nginx, "-v"]) if have_nginx else "not installed",
        "wrk": version_of(["wrk", "-v"]), "mode": "quick" if opts.quick else "full", "rounds": rounds,
        "duration": duration, "warmup": opts.warmup,
        "children": f"siphon and Kamailio children={opts.children} (Kamailio also tcp_children={opts.children}); "
                    "nginx 1 worker",
        "load_start": load_start, "load_end": load_end, "busy": max(load_start, load_end) > NCPU * 0.5,
        "elapsed": time.monotonic() - t_start,
    }
    out_path = opts.out or os.path.join(HERE, "results", meta["date"] + ("-quick" if opts.quick else "") + ".md")
    if opts.no_write:
        text = "\n".join(table(rows_main))
    else:
        text = write_report(out_path, meta, rows_main, rows_detail, extra)
    print(text)
    if not opts.no_write:
        log(f"bench: results written to {os.path.relpath(out_path, os.getcwd())}")
    if failed:
        log(f"bench: server logs kept in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _after(rows, name):
    for i, r in enumerate(rows):
        if not isinstance(r, str) and r.name == name:
            return i + 1
    return 0


def mixed_shares(rate, sip, results):
    """Mixed-load rates as a share of the same server's solo rates in the same round."""
    out = ["Each rate under mixed load divided by the same server's solo rate from the same round "
           "(http-keepalive and sip-udp-options rows). With two generators and the server on the same "
           "CPUs, about 50% each means a fair split; a share near 0 would mean starvation.", "",
           "| server | HTTP share | SIP share |", "|---|---:|---:|"]
    solo_http = results.get("http-keepalive", (None,))[0]
    solo_sip = results.get("sip-udp-options", (None,))[0]
    for k in rate.servers:
        def share(mixed_row, solo_row):
            if solo_row is None or k not in solo_row.runs:
                return "n/a"
            solo = {r["round"]: r["value"] for r in solo_row.runs[k]}
            v = [r["value"] / solo[r["round"]] for r in mixed_row.runs[k] if solo.get(r["round"])]
            return f"{statistics.median(v) * 100:.0f}%" if v else "n/a"
        out.append(f"| {LABEL[k]} | {share(rate, solo_http)} | {share(sip, solo_sip)} |")
    return out


if __name__ == "__main__":
    sys.exit(main())
