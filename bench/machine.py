"""What the machine did while the benchmark ran: CPU time the host gave to others (steal).

On a shared virtual machine the speed of an hour depends on the neighbours; Linux counts in
``/proc/stat`` the time a virtual CPU was ready to run but the hypervisor ran something
else. The report prints that share, so that runs at different hours can be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class CpuTimes:
    """The machine's CPU time since boot, in clock ticks: all of it, and stolen."""

    total: int
    steal: int


def parse_cpu_line(text: str) -> CpuTimes | None:
    """The aggregate ``cpu`` line of ``/proc/stat``'s text (user nice system idle iowait irq
    softirq steal guest guest_nice; guest time is already in user), or None without it."""
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            ticks = [int(x) for x in fields[1:9]]
            if len(ticks) < 8:
                return None
            return CpuTimes(total=sum(ticks), steal=ticks[7])
    return None


def cpu_times(path: Path = PROC_STAT) -> CpuTimes | None:
    """Now's times, or None where the system does not have ``/proc/stat``."""
    try:
        return parse_cpu_line(path.read_text())
    except OSError:
        return None


def steal_share(before: CpuTimes | None, after: CpuTimes | None) -> float | None:
    """The share of CPU time stolen between the two readings (0 to 1), if both were read."""
    if before is None or after is None or after.total <= before.total:
        return None
    return (after.steal - before.steal) / (after.total - before.total)
