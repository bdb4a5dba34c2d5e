#!/usr/bin/env bash
# npm run conformance: the Autobahn TestSuite (PyPI kosoku) in both roles.
#   server role: kosoku's fuzzing client -> `steadyws serve` /echo
#   client role: examples/autobahn_client -> kosoku's fuzzing server
# Prints a per-group summary for each role and fails unless every case
# (groups 1-13, permessage-deflate in 12 and 13 included) is OK or
# INFORMATIONAL (NON-STRICT and UNIMPLEMENTED count as failures here).
#
#   scripts/conformance.sh                    every group, both roles
#   scripts/conformance.sh --skip 9           leave out a group (repeatable)
#   scripts/conformance.sh --role server      one role only
#   scripts/conformance.sh --case 6.4.*       only these cases (repeatable)
#   scripts/conformance.sh --reports DIR      write kosoku's HTML/JSON reports
#                                             (written to target/autobahn on
#                                             failure anyway)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
ensure_setup

if ! python3 -c 'import kosoku' 2>/dev/null; then
  echo "conformance: kosoku is missing (run scripts/setup.sh)" >&2
  exit 1
fi
cargo build -q --release --bin steadyws --example autobahn_client

exec python3 - "$@" <<'PY'
import argparse
import asyncio
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time

import kosoku
from kosoku._report import write_reports

ROOT = os.environ["ROOT"]
SERVER_BIN = os.path.join(ROOT, "target/release/steadyws")
CLIENT_BIN = os.path.join(ROOT, "target/release/examples/autobahn_client")
ROLE_TIMEOUT = 600  # seconds; a wedged peer fails the run instead of hanging

ap = argparse.ArgumentParser(prog="conformance")
ap.add_argument("--skip", action="append", default=[], metavar="GROUP")
ap.add_argument("--case", action="append", default=None, metavar="CASE")
ap.add_argument("--role", choices=["server", "client", "both"], default="both")
ap.add_argument("--reports", default=None, metavar="DIR")
ap.add_argument("--parallel", type=int, default=4)
args = ap.parse_args()

# A TERM/INT (e.g. a timeout around npm test) unwinds through the `finally`
# blocks below, which stop the dev server and the client under test.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
exclude = [f"{g}.*" for g in args.skip] or None


def allowed(case_id, behavior, close):
    ok = {"OK", "INFORMATIONAL"}
    return behavior in ok and close in ok


async def run_server_role():
    """kosoku's fuzzing client against `steadyws serve`."""
    root = tempfile.mkdtemp(prefix="steadyws-conformance-")
    proc = subprocess.Popen(
        [SERVER_BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--root", root],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("listening on ws://"):
            raise SystemExit(f"steadyws serve did not start: {line!r}")
        url = line.removeprefix("listening on ") + "/echo"
        try:
            return await asyncio.wait_for(
                kosoku.run_fuzzingclient(url, args.case, exclude, concurrency=args.parallel),
                ROLE_TIMEOUT,
            )
        except kosoku.FailureError as failure:
            return failure.results
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.rmdir(root)


async def run_client_role():
    """examples/autobahn_client against kosoku's fuzzing server."""
    async with kosoku.run_fuzzingserver(args.case, exclude, host="127.0.0.1", port=0) as server:
        proc = await asyncio.create_subprocess_exec(
            CLIENT_BIN, f"ws://127.0.0.1:{server.port}", "steadyws", str(args.parallel),
            stdout=asyncio.subprocess.DEVNULL,
        )
        try:
            try:
                results = await asyncio.wait_for(server.get_result(), ROLE_TIMEOUT)
            except kosoku.FailureError as failure:
                results = failure.results
            await asyncio.wait_for(proc.wait(), 30)
            return results
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


def summarize(role, results, seconds):
    groups = collections.defaultdict(collections.Counter)
    bad = []
    for r in results:
        b, c = r.behavior.value, r.behavior_close.value
        groups[int(r.case_id.split(".")[0])][b if c in ("OK", "INFORMATIONAL") else f"{b}/close {c}"] += 1
        if not allowed(r.case_id, b, c):
            bad.append(r)
    print(f"== {role} role: {len(results)} cases in {seconds:.1f}s")
    for g in sorted(groups):
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(groups[g].items()))
        flag = "FAILED" if any(int(r.case_id.split(".")[0]) == g for r in bad) else "ok"
        print(f"   group {g:>2}: {flag:6} {verdicts}")
    for r in bad:
        print(f"   FAILED {r.case_id}: behavior={r.behavior.value} close={r.behavior_close.value}: "
              f"{r.result} / {r.result_close}")
    skipped = f", skipped groups {','.join(args.skip)}" if args.skip else ""
    status = "all pass" if not bad else f"{len(bad)} FAILED"
    print(f"report: autobahn {role}: {len(results)} cases, {status}{skipped} ({seconds:.1f}s)")
    outdir = args.reports or (os.path.join(ROOT, "target/autobahn") if bad else None)
    if outdir:
        write_reports(results, os.path.join(outdir, "servers" if role == "server" else "clients"))
        print(f"   reports in {outdir}")
    return not bad


async def main():
    roles = ["server", "client"] if args.role == "both" else [args.role]
    ok = True
    for role in roles:
        t0 = time.monotonic()
        results = await (run_server_role() if role == "server" else run_client_role())
        if not results:
            print(f"report: autobahn {role}: no results")
            ok = False
            continue
        ok &= summarize(role, results, time.monotonic() - t0)
    return ok


sys.exit(0 if asyncio.run(main()) else 1)
PY
