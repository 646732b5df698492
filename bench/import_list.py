"""Benchmark of `subscribers import`: prints figures, asserts nothing.

    .venv/bin/python bench/import_list.py [--rows 100000] [--runs 3]

A Mailchimp subscribed export of ``--rows`` people (every column Mailchimp writes, opt-in
and confirmation times and addresses, so each row writes the person and three consent
events) imported into a fresh SQLite list, then imported again (every row unchanged).
Per run: wall time, CPU time of this process (user+sys) and peak RSS; the median of the
runs, with the load average (the machine is shared: CPU time is the steadier figure).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/email.py would shadow the standard library's email package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import resource
import statistics
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ("Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,"
          "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,"
          "TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS")


def export(rows: int) -> bytes:
    lines = [HEADER] + [",".join([
        f"p{i}@example{i % 50}.com", "Anna", "Nowak", '"ul. Floriańska 1  Kraków  31-019"',
        "", "", "2", "2019-11-05 09:29:17", "203.0.113.45", "2019-11-05 09:31:02",
        "198.51.100.1", "50.06", "19.94", "1", "2", "Europe/Warsaw", "PL", "MA",
        "2019-11-05 09:31:02", str(i), "e", "", '"VIP"']) for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    from newsletter.deliver.audience.importer import import_csv
    from newsletter.deliver.db import open_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = export(args.rows)
    figures: dict[str, list[float]] = {"first wall": [], "first cpu": [], "again wall": [],
                                       "again cpu": []}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            engine = open_database(f"sqlite:///{Path(folder) / 'list.db'}")
            for label in ("first", "again"):
                wall, used = time.perf_counter(), cpu()
                report = import_csv(engine, data, "subscribed_members_export_bench.csv")
                figures[f"{label} wall"].append(time.perf_counter() - wall)
                figures[f"{label} cpu"].append(cpu() - used)
            engine.dispose()
        print(f"run {run + 1}: {report.summary()}", file=sys.stderr)
    print(f"{args.rows:,} rows ({len(data) / 1e6:.1f} MB), median of {args.runs}, "
          f"load {os.getloadavg()[0]:.2f}:")
    for name, values in figures.items():
        print(f"  {name:<11} {statistics.median(values):7.1f} s")
    print(f"  peak RSS    {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MB")


if __name__ == "__main__":
    main()
