"""Measuring a benchmark's whole process tree: the JVM of a Spark session
and its Python workers are children of the benchmark's process, and neither
``resource.getrusage`` nor ``ru_maxrss`` sees a child that is still running.
Used by curve.py, job_steps.py and bench.py."""

from __future__ import annotations

import os
import threading

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Tree:
    """CPU seconds and peak resident memory of this process and every
    descendant, live or reaped, sampled from /proc."""

    def __init__(self) -> None:
        self.peak = 0
        self.cpu = {}  # pid -> last seen utime + stime + reaped children's, ticks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pids(self) -> list[int]:
        kids: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat", "rb") as f:
                        ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
        out, todo = [], [os.getpid()]
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(kids.get(p, []))
        return out

    def sample(self) -> None:
        rss = 0
        for p in self._pids():
            try:
                with open(f"/proc/{p}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                with open(f"/proc/{p}/statm", "rb") as f:
                    rss += int(f.read().split()[1]) * PAGE
            except (OSError, IndexError, ValueError):
                continue
            # fields[0] is the state (field 3 of stat): utime is field 14.
            self.cpu[p] = sum(int(x) for x in fields[11:15])
        self.peak = max(self.peak, rss)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._start_cpu = sum(self.cpu.values())
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def cpu_seconds(self) -> float:
        return (sum(self.cpu.values()) - self._start_cpu) / TICK
