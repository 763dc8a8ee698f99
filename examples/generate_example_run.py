#!/usr/bin/env python3
"""Writes examples/run_unixbench-demo_20261124_120000: a unixbench-kernel-regression run as the VM client leaves it
in S3 (test_<name>/output/<instance_id>/benchmark-{base,tip}-1.csv, result.txt, stats.json), 6 x86_64 and 4 arm64
VMs, 24 UnixBench metrics. Tip regresses Process_Creation (-26%), Execl_Throughput (-5.5%) and Shell_Scripts (-3%),
improves System_Call_Overhead (+4%); everything else is unchanged. Deterministic: seed 5, whose draw flags exactly
the designed changes per arch (seed 20261124 happened to draw a real -2% Dhrystone difference on x86_64)."""
import csv
import json
import os
import random

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_unixbench-demo_20261124_120000")
TEST = "unixbench-kernel-regression"
BASE_KERNEL = "6.1.141-165.249.amzn2023"
TIP_KERNEL = "6.1.150-174.273.amzn2023"
# (metric, unit, single-copy mean, relative sd, tip change factor)
METRICS = [
    ("Dhrystone_2_using_register_variables", "lps", 49_000_000, 0.010, 1.000),
    ("Double_Precision_Whetstone", "MWIPS", 9_200, 0.008, 1.000),
    ("Execl_Throughput", "lps", 22_944, 0.007, 0.945),
    ("File_Copy_1024_bufsize_2000_maxblocks", "KBps", 1_450_000, 0.015, 1.000),
    ("File_Copy_256_bufsize_500_maxblocks", "KBps", 395_000, 0.015, 1.000),
    ("File_Copy_4096_bufsize_8000_maxblocks", "KBps", 3_900_000, 0.020, 1.000),
    ("Pipe_Throughput", "lps", 2_100_000, 0.010, 1.000),
    ("Pipe_based_Context_Switching", "lps", 190_000, 0.020, 1.000),
    ("Process_Creation", "lps", 57_012, 0.012, 0.736),
    ("Shell_Scripts_1_concurrent", "lpm", 16_800, 0.006, 0.970),
    ("Shell_Scripts_8_concurrent", "lpm", 2_300, 0.006, 0.970),
    ("System_Call_Overhead", "lps", 1_900_000, 0.010, 1.040),
]
VMS = [("i-0%015x" % (0xa11ce0 + i), "m5.large", "x86_64", 1.0) for i in range(6)] + \
      [("i-0%015x" % (0xb0b0e0 + i), "m7g.large", "arm64", 0.85) for i in range(4)]
COLUMNS = ["metric", "unit", "value", "more_is_better", "kernel_version", "instance_id", "instance_type", "arch"]


def rows(rng, kernel, is_tip, instance, itype, arch, speed):
    out = []
    # metric names as vm-tests' unixbench_to_csv writes them: no suffix for 1 copy, _N_copies for N parallel copies
    for suffix, factor in (("", 1.0), ("_2_copies", 1.9)):
        for metric, unit, mean, rel_sd, change in METRICS:
            value = mean * factor * speed * (change if is_tip else 1.0) * (1 + rng.gauss(0, rel_sd))
            out.append([f"{metric}{suffix}", unit, f"{value:.2f}", "true", f"{kernel}.{arch}", instance, itype, arch])
    return out


def main():
    rng = random.Random(5)
    for instance, itype, arch, speed in VMS:
        out = os.path.join(RUN, f"test_{TEST}", "output", instance)
        os.makedirs(out, exist_ok=True)
        for role, kernel in (("base", BASE_KERNEL), ("tip", TIP_KERNEL)):
            with open(os.path.join(out, f"benchmark-{role}-1.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(COLUMNS)
                w.writerows(rows(rng, kernel, role == "tip", instance, itype, arch, speed))
        with open(os.path.join(out, "result.txt"), "w") as f:
            f.write("SUCCESS\n")
        with open(os.path.join(out, "stats.json"), "w") as f:
            json.dump({"instance_id": instance, "instance_type": itype, "arch": arch, "runs": 3,
                       "result": "SUCCESS"}, f, indent=2)
            f.write("\n")
    # a functional test of the same run: no benchmark CSVs, so the analysis does not list it
    basic = os.path.join(RUN, "test_basic-test", "output", VMS[0][0])
    os.makedirs(basic, exist_ok=True)
    with open(os.path.join(basic, "result.txt"), "w") as f:
        f.write("SUCCESS\n")


if __name__ == "__main__":
    main()
