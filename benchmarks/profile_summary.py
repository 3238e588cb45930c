#!/usr/bin/env python3
"""Per-kernel summary of an Nsight Compute details CSV (benchmarks/profile.sh).

Usage: profile_summary.py profile.csv

For every kernel name: launches profiled, then the median over its launches
of duration, DRAM throughput (% of peak), SM throughput (%), achieved
occupancy, registers per thread, and the distinct rule findings (ncu's own
words on what limits the kernel), shortened.
"""
import csv
import statistics
import sys
from collections import OrderedDict, defaultdict

WANT = OrderedDict([
    ("Duration", "us"),
    ("DRAM Throughput", "dram%"),
    ("Memory Throughput", "mem%"),
    ("Compute (SM) Throughput", "sm%"),
    ("Achieved Occupancy", "occ%"),
    ("Registers Per Thread", "regs"),
    ("Warp Cycles Per Issued Instruction", "cyc/inst"),
    ("Block Size", "block"),
    ("Grid Size", "grid"),
])


def number(text):
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def main():
    rows = []
    with open(sys.argv[1], newline="") as f:
        # ncu prints its own lines (==PROF==) before the CSV header.
        lines = [l for l in f if l.startswith('"')]
    for r in csv.DictReader(lines):
        if r.get("Kernel Name") != "Kernel Name":  # a later run's header
            rows.append(r)
    metrics = defaultdict(lambda: defaultdict(list))
    launches = defaultdict(set)
    rules = defaultdict(OrderedDict)
    for r in rows:
        k = r.get("Kernel Name", "?")
        launches[k].add(r.get("ID"))
        name = r.get("Metric Name") or ""
        if name in WANT:
            v = number(r.get("Metric Value", ""))
            if v is not None:
                unit = r.get("Metric Unit", "")
                if name == "Duration" and unit in ("nsecond", "ns"):
                    v /= 1000.0
                elif name == "Duration" and unit in ("msecond", "ms"):
                    v *= 1000.0
                metrics[k][name].append(v)
        desc = r.get("Rule Description") or ""
        if desc and r.get("Rule Type", "") in ("WRN", "OPT", "Warning", "Optimization"):
            rules[k][desc[:220]] = True
    head = "%-28s %5s" % ("kernel", "runs") + "".join(
        " %9s" % short for short in WANT.values())
    print(head)
    for k in sorted(launches):
        cells = []
        for name in WANT:
            vals = metrics[k][name]
            cells.append(" %9.4g" % statistics.median(vals) if vals else " %9s" % "-")
        print("%-28s %5d" % (k[:28], len(launches[k])) + "".join(cells))
    print()
    for k in sorted(rules):
        print("%s:" % k)
        for d in list(rules[k])[:4]:
            print("  - " + d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
