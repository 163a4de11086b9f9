#!/usr/bin/env python3
"""CPU time, for bench/serve.sh, in seconds: "USER SYSTEM".

  cpu_time.py pids PID...   what the processes and all their descendants
                            (a master's workers) have used so far, from /proc
  cpu_time.py run CMD...    runs CMD, its output passing through, then prints
                            "cpu: USER SYSTEM", what CMD used (wrk's share)
"""
import os
import resource
import subprocess
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """(parent pid, user ticks, system ticks) of a process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()   # after "pid (comm) "
    return int(fields[1]), int(fields[11]), int(fields[12])


def tree_cpu(roots):
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = stat(int(entry))
            if found:
                stats[int(entry)] = found
    wanted, queue = set(), list(roots)
    while queue:
        pid = queue.pop()
        if pid in wanted or pid not in stats:
            continue
        wanted.add(pid)
        queue.extend(child for child, (parent, _, _) in stats.items() if parent == pid)
    user = sum(stats[pid][1] for pid in wanted)
    system = sum(stats[pid][2] for pid in wanted)
    return user / TICKS, system / TICKS


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "pids":
        user, system = tree_cpu(int(pid) for pid in sys.argv[2:])
        print(f"{user:.2f} {system:.2f}")
    elif len(sys.argv) > 2 and sys.argv[1] == "run":
        status = subprocess.run(sys.argv[2:]).returncode
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"cpu: {usage.ru_utime:.2f} {usage.ru_stime:.2f}", flush=True)
        sys.exit(status)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
