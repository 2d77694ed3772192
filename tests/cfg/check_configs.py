#!/usr/bin/python3
"""Golden tests of the config front end, run from the repository root:

    /usr/bin/python3 tests/cfg/check_configs.py --bin build/siphon [--update] [-v]

* tests/cfg/ok/*.cfg       must pass `siphon -c` (exit 0);
* tests/cfg/err/NAME.cfg   must fail with exit 1, and stdout+stderr must equal NAME.expected
                           byte for byte (paths are relative to the repository root);
* tests/configs/**/*.cfg   (example and reference configs) must pass `siphon -c`.
* tests/cfg/kamailio/kamailio.cfg (Kamailio 5.6's default config, unchanged) is checked with
  each define set of KAMAILIO_DEFINE_SETS: every error must come from a module siphon does not
  have yet (KAMAILIO_MISSING_MODULES: its loadmodule line, its functions, its PVs), so all the
  rest of the file (syntax, core parameters, modparams and functions of the modules siphon
  has, pseudo-variables, transformations) is proven to compile.

--update rewrites the .expected files from the current output (review the diff!).
The last line printed is "N passed, M failed"; the exit status is non-zero on any failure.
"""

import argparse
import difflib
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TIMEOUT = 20  # seconds for one `siphon -c`: a hang is a failure, not a stuck test run


# Modules Kamailio's default config loads that siphon does not have, with the functions and
# pseudo-variables of theirs that the config uses (also in tests/cfg/README.md).
KAMAILIO_MISSING_MODULES = {
    "tm": ["t_check_trans", "t_precheck_trans", "t_is_set", "t_on_branch", "t_on_reply",
           "t_on_failure", "t_relay", "t_newtran", "t_is_canceled"],
    "tmx": ["$T_branch_idx"],
    "rr": ["record_route", "loose_route"],
    "maxfwd": ["mf_process_maxfwd_header"],
    "usrloc": [],
    "registrar": ["save", "lookup"],
    "sanity": ["sanity_check"],
    "ctl": [],
    "cfg_rpc": [],
    "acc": [],
    "counters": [],
    "dlgs": ["dlgs_init", "dlgs_update"],
    "debugger": [],
}
KAMAILIO_DEFINE_SETS = [[], ["WITH_JSONRPC"], ["WITH_JSONRPC", "WITH_DEBUG"]]
KAMAILIO_CFG = "tests/cfg/kamailio/kamailio.cfg"


def kamailio_cfg_problems(out):
    """Error lines of `siphon -c` on kamailio.cfg not explained by a missing module."""
    modules = [m for m in KAMAILIO_MISSING_MODULES if " " not in m]
    names = [n for fs in KAMAILIO_MISSING_MODULES.values() for n in fs]
    bad = []
    for line in out.splitlines():
        if ": error: " not in line:
            continue
        msg = line.split(": error: ", 1)[1]
        if any(msg.startswith("unknown module '%s'" % m) for m in modules):
            continue
        if any(msg.startswith("unknown function '%s'" % n) for n in names):
            continue
        if any(n.startswith("$") and "unknown pseudo-variable %s " % n in msg for n in names):
            continue
        bad.append(line)
    return bad


def run_check(binary, cfg, extra=()):
    """Runs `binary -c -f cfg` from the repository root; returns (exit code, output)."""
    try:
        p = subprocess.run([binary, "-c", "-f", cfg, *extra], cwd=ROOT, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s\n" % TIMEOUT
    return p.returncode, p.stdout.decode("utf-8", "replace")


def configs(directory, recursive=False):
    base = os.path.join(ROOT, directory)
    if not os.path.isdir(base):
        return []
    out = []
    if recursive:
        for dirpath, _dirs, files in os.walk(base):
            out += [os.path.join(dirpath, f) for f in files if f.endswith(".cfg")]
    else:
        out = [os.path.join(base, f) for f in os.listdir(base) if f.endswith(".cfg")]
    # Included fragments (NAME.inc.cfg) are not configs of their own.
    return sorted(os.path.relpath(p, ROOT) for p in out if not p.endswith(".inc.cfg"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="build/siphon", help="siphon binary (default build/siphon)")
    ap.add_argument("--update", action="store_true", help="rewrite err/*.expected from the output")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(ROOT, args.bin)) if not os.path.isabs(args.bin) else args.bin
    if not os.access(binary, os.X_OK):
        print("cannot run %s" % binary)
        print("0 passed, 1 failed")
        return 1

    passed = failed = 0

    def report(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            if args.verbose:
                print("ok    %s" % name)
        else:
            failed += 1
            print("FAIL  %s" % name)
            if detail:
                sys.stdout.write(detail if detail.endswith("\n") else detail + "\n")

    for cfg in configs("tests/cfg/ok") + configs("tests/configs", recursive=True):
        code, out = run_check(binary, cfg)
        report(code == 0, cfg, "" if code == 0 else "exit %s, expected 0:\n%s" % (code, out))

    for cfg in configs("tests/cfg/err"):
        expected_path = os.path.join(ROOT, cfg[:-4] + ".expected")
        code, out = run_check(binary, cfg)
        if args.update and code == 1:
            with open(expected_path, "w", encoding="utf-8") as f:
                f.write(out)
        try:
            with open(expected_path, encoding="utf-8") as f:
                expected = f.read()
        except OSError:
            report(False, cfg, "missing %s" % os.path.relpath(expected_path, ROOT))
            continue
        problems = []
        if code != 1:
            problems.append("exit %s, expected 1" % code)
        if out != expected:
            diff = difflib.unified_diff(expected.splitlines(True), out.splitlines(True),
                                        "expected", "actual")
            problems.append("".join(diff))
        report(not problems, cfg, "\n".join(problems))

    for defines in KAMAILIO_DEFINE_SETS:
        extra = [a for d in defines for a in ("-A", d)]
        code, out = run_check(binary, KAMAILIO_CFG, extra)
        name = "%s %s" % (KAMAILIO_CFG, " ".join(extra) or "(no defines)")
        bad = kamailio_cfg_problems(out)
        errors = sum(1 for line in out.splitlines() if ": error: " in line)
        # Exit 1 with only explained errors; the day every module exists, exit 0 is the goal.
        ok = code in (0, 1) and not bad and (code == 0) == (errors == 0)
        report(ok, name, "exit %s; errors not explained by a missing module:\n%s" %
               (code, "\n".join(bad)))

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
