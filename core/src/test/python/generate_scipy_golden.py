#!/usr/bin/env python3
"""Generates the golden two-sample statistics the Java analysis engine must reproduce.

Run once with python3 + scipy (1.17.1 here) and commit the output; the Java tests only read the JSON:

    python3 core/src/test/python/generate_scipy_golden.py > core/src/test/resources/golden/scipy_two_sample.json

x is the base sample, y the tip sample, exactly as the analyzer calls the tests.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats


def scipy_mwu_method(x, y):
    """scipy's _mwu_choose_method: exact only when min(n1, n2) <= 8 and there are no ties."""
    pooled = np.concatenate([x, y])
    ties = len(np.unique(pooled)) != len(pooled)
    if (len(x) > 8 and len(y) > 8) or ties:
        return "asymptotic"
    return "exact"


def cohens_d(x, y):
    n1, n2 = len(x), len(y)
    pooled = ((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2)
    return (np.mean(x) - np.mean(y)) / np.sqrt(pooled)


def summary(v):
    return {"n": len(v), "mean": float(np.mean(v)), "median": float(np.median(v)),
            "stddev": float(np.std(v, ddof=1))}


def case(name, x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    t = stats.ttest_ind(x, y, equal_var=False)
    u = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
    return {
        "name": name,
        "x": x.tolist(),
        "y": y.tolist(),
        "x_summary": summary(x),
        "y_summary": summary(y),
        "welch_t": float(t.statistic),
        "welch_p": float(t.pvalue),
        "welch_df": float(t.df),
        "mwu_u": float(u.statistic),
        "mwu_p": float(u.pvalue),
        "mwu_method": scipy_mwu_method(x, y),
        "cohens_d": float(cohens_d(x, y)),
    }


def holm(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def dump_golden(generator, **fields):
    """Writes a golden file to stdout: which generator and versions made it, then the fields in order."""
    json.dump({"generator": f"core/src/test/python/{generator}",
               "scipy_version": scipy.__version__, "numpy_version": np.__version__, **fields}, sys.stdout, indent=1)
    sys.stdout.write("\n")


def main():
    rng = np.random.default_rng(20261124)
    cases = [
        # the three cases verified by hand in java-lambda-anchors.md section 4
        case("anchor-exact-5-4", [19, 22, 16, 29, 24], [20, 11, 17, 12]),
        case("anchor-ties-7-6", [1, 2, 2, 3, 3, 3, 4], [3, 4, 4, 5, 5, 6]),
    ]
    # exact Mann-Whitney: small samples, continuous data (no ties)
    for n1, n2 in [(3, 3), (3, 5), (4, 4), (5, 5), (5, 8), (6, 7), (7, 7), (8, 8), (3, 12), (8, 30), (5, 60)]:
        shift = rng.choice([0.0, 0.5, 2.0])
        cases.append(case(f"exact-{n1}-{n2}-shift{shift}",
                          rng.normal(100, 5, n1), rng.normal(100 - 5 * shift, 5, n2)))
    # asymptotic without ties: both samples > 8
    for n1, n2 in [(9, 9), (10, 10), (12, 15), (20, 20), (30, 25), (50, 50), (60, 60), (90, 90), (9, 90), (40, 70)]:
        shift = rng.choice([0.0, 0.3, 1.0])
        cases.append(case(f"asymptotic-{n1}-{n2}-shift{shift}",
                          rng.normal(1000, 30, n1), rng.normal(1000 - 30 * shift, 45, n2)))
    # ties: integer-valued data, small (forces the asymptotic method) and large
    for n1, n2 in [(3, 4), (5, 5), (6, 8), (8, 8), (10, 12), (25, 25), (50, 40), (90, 90)]:
        cases.append(case(f"ties-{n1}-{n2}",
                          rng.integers(10, 16, n1), rng.integers(11, 18, n2)))
    # skewed data: lognormal and exponential latencies
    for n1, n2 in [(4, 6), (8, 8), (10, 10), (15, 20), (30, 30), (60, 45), (90, 90)]:
        cases.append(case(f"lognormal-{n1}-{n2}",
                          rng.lognormal(3.0, 0.8, n1), rng.lognormal(3.3, 0.8, n2)))
    for n1, n2 in [(3, 3), (7, 9), (12, 12), (35, 35), (80, 60)]:
        cases.append(case(f"exponential-{n1}-{n2}",
                          rng.exponential(2.0, n1), rng.exponential(3.0, n2)))
    # a UnixBench-like big regression (Process_Creation in the seed's example output)
    cases.append(case("unixbench-process-creation-10-10",
                      rng.normal(57012.12, 658.82, 10), rng.normal(41959.92, 306.71, 10)))
    # very different variances (Welch df far from n1+n2-2)
    for n1, n2 in [(5, 40), (40, 5), (12, 70)]:
        cases.append(case(f"unequal-variance-{n1}-{n2}",
                          rng.normal(50, 1, n1), rng.normal(51, 15, n2)))
    # the reference's df > 100 normal shortcut would flip this one
    cases.append(case("welch-df-above-100-60-60", rng.normal(0, 1, 60), rng.normal(0.37, 1, 60)))
    # identical samples, complete separation, one shared value
    cases.append(case("identical-6-6", [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]))
    cases.append(case("separated-8-8", list(range(1, 9)), list(range(101, 109))))
    cases.append(case("separated-20-20", list(np.arange(1, 21) * 1.5), list(np.arange(101, 121) * 1.5)))

    p_families = []
    for m in [1, 2, 5, 24]:
        p = np.concatenate([rng.uniform(0, 0.01, max(1, m // 4)), rng.uniform(0, 1, m - max(1, m // 4))])
        p_families.append(p)
    p_families.append(np.array([0.01, 0.01, 0.04, 0.04, 0.2, 0.5]))  # ties among p-values
    corrections = [{"p": p.tolist(), "holm": holm(p).tolist(),
                    "bh": stats.false_discovery_control(p, method="bh").tolist()} for p in p_families]

    dump_golden("generate_scipy_golden.py", cases=cases, corrections=corrections)


if __name__ == "__main__":
    main()
