"""The machine a benchmark ran on, and where its scratch files go: benchmark numbers only compare
within one machine, so every result names it."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

# The atlas, the sites and the baseline (scale.py) live in RAM (tmpfs) where there is one: both arms write to the
# same kind of file system, no disk's state after the previous run's deletions blurs a timing (on this
# machine's journal-less ext4 the same 10,000-paper build took 8 s of system time on a quiet disk and
# 14-26 s right after a large deletion), and nothing needs root to drop the kernel's caches.
_MEMORY = Path("/dev/shm")
SCRATCH = str(_MEMORY) if _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK) else None


def _proc(name: str, key: str) -> str:
    """The first `key: value` of a Linux /proc file, or "" elsewhere."""
    path = Path("/proc") / name
    lines = path.read_text().splitlines() if path.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "")


def machine() -> dict[str, object]:
    """Cores, memory, processor, Python and date: benchmark numbers only compare on one machine."""
    memory_kib = int((_proc("meminfo", "MemTotal") or "0").split()[0])
    processor = _proc("cpuinfo", "model name") or platform.processor() or platform.machine()
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "processor": processor,
        "system": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_1m": round(os.getloadavg()[0], 2),  # other work on the machine when the run started: timings are noisy above ~0.5
    }


def describe(description: dict[str, object]) -> str:
    """One line for the Markdown results."""
    return (
        f"{description['cores']} cores, {description['memory_gib']} GiB, {description['processor']}, "
        f"Python {description['python']}, {description['system']}; measured {description['date']}, "
        f"load average {description.get('load_1m', '?')}"
    )


def write_results(folder: Path, name: str, description: dict[str, object], rows: list[dict], text: str) -> None:
    """`name`.json (the machine and the rows) and `name`.md (`text`, also printed) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps({"machine": description, "rows": rows}, indent=2) + "\n")
    (folder / f"{name}.md").write_text(text)
    print(text)
