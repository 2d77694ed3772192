"""-u USER / -g GROUP: the server binds its sockets and writes its files with the privileges it
was started with, then switches to the given user and group before any worker starts.

The switch tests need root (they use the standard `nobody` user and `nogroup` group)."""

import grp
import os
import pathlib
import pwd
import shutil
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import make_config, siphon_bin
from helpers import UdpClient, exchange, free_port, get, sip_options

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch users")


def ids(pid):
    """(uids, gids, groups) of a process from /proc/<pid>/status: real, effective, saved, fs."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                out[k] = [int(x) for x in v.split()]
    return out["Uid"], out["Gid"], out["Groups"]


def nobody():
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody'")


def nogroup():
    try:
        return grp.getgrnam("nogroup")
    except KeyError:
        pytest.skip("no group 'nogroup'")


@ROOT_ONLY
@pytest.mark.parametrize("how", ["names", "user-only", "numbers"])
def test_switch_to_nobody_after_binding(siphon, how):
    pw = nobody()
    if how == "names":
        args, want_gid = ["-u", "nobody", "-g", nogroup().gr_name], nogroup().gr_gid
    elif how == "user-only":
        args, want_gid = ["-u", "nobody"], pw.pw_gid  # the user's primary group
    else:
        args, want_gid = ["-u", str(pw.pw_uid), "-g", str(nogroup().gr_gid)], nogroup().gr_gid
    s = siphon(args=args)
    uids, gids, groups = ids(s.pid)
    assert uids == [pw.pw_uid] * 4
    assert gids == [want_gid] * 4
    assert 0 not in groups, groups
    # Still serving on the ports bound as root: HTTP over TCP and SIP over UDP.
    r = exchange(s.port, get("/after-switch"))
    assert r.status == 200
    with UdpClient() as u:
        assert u.ask(s.port, sip_options(u.port, s.port)).startswith(b"SIP/2.0 200 OK")
    assert f"running as uid {pw.pw_uid}, gid {want_gid}" in s.log()


@ROOT_ONLY
def test_rpc_runtime_dir_created_for_the_user(siphon, world_dir):
    # The RPC FIFO and socket are created before the switch; a runtime directory created for
    # them belongs to the new user, so the files can still be removed at stop.
    pw = nobody()
    base = pathlib.Path(world_dir)
    run_dir = base / "run" / "siphon"
    s = siphon(args=["-u", "nobody", "-Y", str(run_dir)], modules=("sl", "xhttp", "textops", "jsonrpcs"),
               modparams='modparam("jsonrpcs", "transport", 6)\n'
                         'modparam("jsonrpcs", "dgram_socket", "siphon_rpc.sock")\n')
    fifo = run_dir / "kamailio_rpc.fifo"
    sock = run_dir / "siphon_rpc.sock"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert stat.S_ISSOCK(os.lstat(sock).st_mode)
    for p in (base / "run", run_dir, fifo, sock):
        assert os.lstat(p).st_uid == pw.pw_uid, p
    assert ids(s.pid)[0] == [pw.pw_uid] * 4
    assert exchange(s.port, get("/")).status == 200
    assert s.stop() == 0
    assert not fifo.exists() and not sock.exists()


@pytest.mark.parametrize("args,msg", [
    (["-u", "no-such-user-siphon"], "unknown user 'no-such-user-siphon'"),
    (["-u", "nobody", "-g", "no-such-group-siphon"], "unknown group 'no-such-group-siphon'"),
    (["-u", "4123456789"], "has no passwd entry: give the group with -g"),
])
def test_unknown_user_or_group_is_an_error(tmp_path, args, msg):
    port = free_port()
    cfg = tmp_path / "s.cfg"
    cfg.write_text(make_config(port))
    p = subprocess.run([siphon_bin(), "-f", str(cfg), "-DD", "-E", *args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 1, out
    assert msg in out, out
    assert "Listening on" not in out


@pytest.fixture
def world_dir():
    """A directory `nobody` can read (pytest's own temporary directories are private)."""
    d = tempfile.mkdtemp(prefix="siphon-unpriv-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _as_nobody(d, extra_args):
    """Starts siphon as the unprivileged user `nobody` (for the non-root cases)."""
    pw = nobody()
    port = free_port()
    cfg = os.path.join(d, "s.cfg")
    with open(cfg, "w") as f:
        f.write(make_config(port))
    os.chmod(cfg, 0o644)
    try:
        p = subprocess.Popen([siphon_bin(), "-f", cfg, "-DD", "-E", *extra_args],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=d, user=pw.pw_uid,
                             group=pw.pw_gid, extra_groups=[])
    except PermissionError:
        pytest.skip(f"{siphon_bin()} is not executable by 'nobody'")
    return p, port


@ROOT_ONLY
def test_unprivileged_start_naming_itself_does_nothing(world_dir):
    p, port = _as_nobody(world_dir, ["-u", "nobody"])
    try:
        # Up and serving under its own identity (a failed switch would have exited 1).
        served = False
        deadline = time.monotonic() + 10
        while not served and p.poll() is None and time.monotonic() < deadline:
            try:
                served = exchange(port, get("/self"), timeout=1.0).status == 200
            except OSError:
                time.sleep(0.05)
        assert served, p.stdout.read().decode("utf-8", "replace") if p.poll() is not None else "not ready"
        assert ids(p.pid)[0] == [nobody().pw_uid] * 4
    finally:
        if p.poll() is None:
            p.terminate()
        p.wait(timeout=10)
    assert p.returncode == 0


@ROOT_ONLY
def test_unprivileged_start_cannot_switch_to_another_user(world_dir):
    p, port = _as_nobody(world_dir, ["-u", "root"])
    try:
        out, _ = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    out = out.decode("utf-8", "replace")
    assert p.returncode == 1, out
    assert "cannot switch to" in out, out
