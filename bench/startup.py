#!/usr/bin/env python3
"""Start-up time and idle memory of Tauri apps, measured the same way for each, in alternation.

Start-up: from spawning the process to the page's first command (the app writes the wall-clock time to
$ATRIUM_BENCH_READY_FILE when its UI is interactive). Memory: proportional set size (PSS) of the app process
and of all its descendants (WebKit's web and network processes), after it has been idle for a while.
Prints a table; writes bench/results/startup.json. Asserts nothing: the targets are in the README.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def measure(binary: str, home: str, idle_s: float, timeout_s: float) -> dict:
    ready_file = Path(home) / "ready"
    ready_file.unlink(missing_ok=True)
    env = dict(os.environ, ATRIUM_HOME=home, ATRIUM_BENCH_READY_FILE=str(ready_file), ATRIUM_LOG="warn")
    started = time.time_ns()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while not (ready_file.exists() and ready_file.read_text().strip()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{binary} never became interactive (exit {proc.poll()})")
            time.sleep(0.002)
        ready_ms = (int(ready_file.read_text()) - started) / 1e6
        time.sleep(idle_s)
        helpers = descendants(proc.pid)
        app_kib = pss_kib(proc.pid)
        total_kib = app_kib + sum(pss_kib(p) for p in helpers)
        return {"ready_ms": ready_ms, "app_pss_mib": app_kib / 1024, "total_pss_mib": total_kib / 1024,
                "processes": 1 + len(helpers)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", action="append", required=True, help="name=path/to/binary")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=4.0, help="seconds idle before reading memory")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    apps = dict(a.split("=", 1) for a in args.app)
    homes = {name: tempfile.mkdtemp(prefix=f"bench-{name}-") for name in apps}

    for name, binary in apps.items():  # a first launch creates the store and warms the page cache
        measure(binary, homes[name], 0.5, args.timeout)
    samples: dict[str, list[dict]] = {name: [] for name in apps}
    for _ in range(args.runs):
        for name, binary in apps.items():  # alternate, so drift hits every app alike
            samples[name].append(measure(binary, homes[name], args.idle, args.timeout))

    results = {}
    print(f"start-up and idle memory, median of {args.runs} runs (release builds, Xvfb)")
    print(f"{'app':<10} {'ready ms':>9} {'min..max':>14} {'app PSS MiB':>12} {'total PSS MiB':>14} {'procs':>6}")
    for name, runs in samples.items():
        ready = [r["ready_ms"] for r in runs]
        row = {
            "ready_ms": statistics.median(ready), "ready_min_ms": min(ready), "ready_max_ms": max(ready),
            "app_pss_mib": statistics.median(r["app_pss_mib"] for r in runs),
            "total_pss_mib": statistics.median(r["total_pss_mib"] for r in runs),
            "processes": runs[0]["processes"], "runs": runs,
        }
        results[name] = row
        print(f"{name:<10} {row['ready_ms']:>9.0f} {min(ready):>6.0f}..{max(ready):<7.0f} "
              f"{row['app_pss_mib']:>12.1f} {row['total_pss_mib']:>14.1f} {row['processes']:>6}")
    if "atrium" in results and "minimal" in results:
        atrium, minimal = results["atrium"], results["minimal"]
        ratio = atrium["total_pss_mib"] / minimal["total_pss_mib"]
        start_ratio = atrium["ready_ms"] / minimal["ready_ms"]
        ok = lambda met: "✔" if met else "✗"  # noqa: E731
        print(f"cold start ratio atrium/minimal: {start_ratio:.2f}×   target ≤ 1.3× {ok(start_ratio <= 1.3)}")
        print(f"total PSS ratio atrium/minimal: {ratio:.2f}×   target ≤ 1.2× {ok(ratio <= 1.2)}")
        print(f"atrium app PSS: {atrium['app_pss_mib']:.1f} MiB   target ≤ 85 MiB {ok(atrium['app_pss_mib'] <= 85)}")
        results["total_pss_ratio"] = ratio
        results["start_ratio"] = start_ratio
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
