#!/usr/bin/env python3
"""Runs a command and reports its wall time and the peak resident memory of
its whole process tree (the sum of VmRSS over the command and every
descendant, sampled every 100 ms: a JVM started by PySpark counts too).

    bench/peak_rss.py [--label NAME] [--json FILE] -- COMMAND [ARGS...]
"""
import json
import os
import subprocess
import sys
import threading
import time


def children_of(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root):
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss_kb(pid)
        stack.extend(children_of(pid))
    return total


def main():
    args = sys.argv[1:]
    label, out = "command", None
    while args and args[0] != "--":
        if args[0] == "--label":
            label, args = args[1], args[2:]
        elif args[0] == "--json":
            out, args = args[1], args[2:]
        else:
            sys.exit(f"unknown option {args[0]}")
    cmd = args[1:]
    started = time.time()
    proc = subprocess.Popen(cmd)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            done.wait(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    code = proc.wait()
    done.set()
    t.join()
    wall = time.time() - started
    result = {"label": label, "wall_seconds": round(wall, 2), "peak_rss_mib": round(peak[0] / 1024, 1), "exit": code}
    print(f"[{label}] wall {wall:.1f} s, peak RSS {peak[0] / 1024:.0f} MiB, exit {code}", file=sys.stderr)
    if out:
        with open(out, "w") as f:
            json.dump(result, f)
    sys.exit(code)


if __name__ == "__main__":
    main()
