#!/usr/bin/env python3
"""Generates the golden paired statistics (issue 18) the Java analysis engine must reproduce.

Run once with python3 + scipy (1.17.1 here) and commit the output; the Java tests only read the JSON:

    python3 core/src/test/python/generate_paired_golden.py > core/src/test/resources/golden/scipy_paired.json

Each case is a pair of samples a (tip) and b (base) measured on the same VMs; d = a - b is computed here exactly as
scipy.stats.ttest_rel computes it, and d is what the Java code receives. Pullab's a and b are log latencies, so
d = log(tip/base).

- paired t:   scipy.stats.ttest_rel(a, b): statistic, pvalue, df and confidence_interval(0.95)
- Wilcoxon:   scipy.stats.wilcoxon(d) with every default; the method scipy's "auto" picks is recorded as well
- trimmed t:  Wilcox's R trimci(d, tr=0.2), written out below with scipy.stats.trim_mean,
              scipy.stats.mstats.winsorize and scipy.stats.t
"""
import math

import numpy as np
from scipy import stats
from scipy.stats import mstats

from generate_scipy_golden import dump_golden

TRIM = 0.2


def wilcoxon_method(d):
    """What scipy 1.17's wilcoxon(method="auto") does (scipy/stats/_wilcoxon.py, _wilcoxon_iv and _wilcoxon_nd)."""
    n = len(d)
    if n > 50:
        return "asymptotic"
    nonzero = d[d != 0]
    ties = len(np.unique(np.abs(nonzero))) != len(nonzero)
    zeros = len(nonzero) != n
    if not (ties or zeros):
        return "exact"
    return "permutation" if n <= 13 else "asymptotic"


def trimci(x, tr=TRIM, alpha=0.05):
    """Wilcox's trimci (Rallfun): se = sqrt(winvar(x, tr)) / ((1 - 2 tr) sqrt(n)), df = n - 2g - 1, g = floor(tr n)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    g = math.floor(tr * n)
    df = n - 2 * g - 1
    estimate = stats.trim_mean(x, tr)
    winsorized = np.asarray(mstats.winsorize(x, limits=(tr, tr)), dtype=float)
    se = math.sqrt(np.var(winsorized, ddof=1)) / ((1 - 2 * tr) * math.sqrt(n))
    t = estimate / se
    p = 2 * stats.t.sf(abs(t), df)
    q = stats.t.ppf(1 - alpha / 2, df)
    return {"estimate": float(estimate), "se": float(se), "df": float(df), "t": float(t), "p": float(p),
            "ci": [float(estimate - q * se), float(estimate + q * se)]}


def case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    d = a - b
    t = stats.ttest_rel(a, b)
    ci = t.confidence_interval(0.95)
    w = stats.wilcoxon(d)
    method = wilcoxon_method(d)
    explicit = {"exact": "exact", "asymptotic": "asymptotic", "permutation": stats.PermutationMethod()}[method]
    assert stats.wilcoxon(d, method=explicit).pvalue == w.pvalue, (name, method)  # the method "auto" picked
    out = {
        "name": name,
        "d": d.tolist(),
        "paired_t": float(t.statistic),
        "paired_p": float(t.pvalue),
        "paired_df": float(t.df),
        "paired_ci95": [float(ci.low), float(ci.high)],
        "wilcoxon_statistic": float(w.statistic),
        "wilcoxon_p": float(w.pvalue),
        "wilcoxon_method": method,
    }
    if len(d) - 2 * math.floor(TRIM * len(d)) >= 2 and np.var(mstats.winsorize(d, limits=(TRIM, TRIM))) > 0:
        out["trimmed"] = trimci(d)
    return out


def log_pair(rng, n, shift, sd=0.05):
    """Log latencies of base and tip on the same n VMs: a per-VM level shared by both, plus noise."""
    vm = rng.normal(0.0, 0.3, n)
    base = 5.0 + vm + rng.normal(0.0, sd, n)
    tip = 5.0 + vm + shift + rng.normal(0.0, sd, n)
    return tip, base


def main():
    rng = np.random.default_rng(20261205)
    cases = []
    # continuous differences, no ties and no zeros: Wilcoxon exact up to n = 50, asymptotic above
    for n in [3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16, 20, 25, 30, 40, 50, 51, 60, 75, 100]:
        for shift in [-0.04, 0.0, 0.03]:
            cases.append(case(f"continuous-{n}-shift{shift}", *log_pair(rng, n, shift)))
    # ties and zeros, n <= 13: Wilcoxon by the exact permutation test over all 2^n sign flips
    for n in [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]:
        a = rng.integers(10, 15, n)
        b = rng.integers(10, 14, n)
        cases.append(case(f"integer-ties-zeros-{n}", a, b))
    cases.append(case("ties-no-zeros-6", [3, 5, 2, 6, 1, 4], [1, 3, 4, 4, 3, 2]))
    cases.append(case("ties-no-zeros-13", [5, 6, 7, 4, 9, 9, 2, 8, 8, 5, 6, 7, 3],
                      [3, 4, 5, 6, 5, 7, 4, 6, 9, 3, 4, 5, 1]))
    cases.append(case("one-zero-else-distinct-8", [1.5, 2.25, 3, 0.75, 5, 7.5, 2, 4],
                      [1, 1, 1, 1, 1, 1, 2, 1]))
    cases.append(case("zeros-all-positive-7", [1, 2, 3, 5, 5, 6, 8], [1, 2, 2, 4, 3, 3, 3]))
    cases.append(case("zeros-most-5", [1, 1, 1, 1, 2], [1, 1, 1, 1, 1]))
    cases.append(case("zeros-and-ties-negative-10", [10, 10, 9, 8, 8, 10, 7, 9, 10, 10],
                      [10, 11, 11, 10, 9, 12, 8, 9, 12, 11]))
    # ties and zeros, n > 13: Wilcoxon asymptotic with the tie correction, no continuity correction
    for n in [14, 15, 20, 30, 45, 50, 70, 100]:
        for lo_a in [10, 11]:
            a = rng.integers(lo_a, lo_a + 6, n)
            b = rng.integers(10, 16, n)
            cases.append(case(f"integer-ties-zeros-{n}-a{lo_a}", a, b))
    # rounded log differences: ties without zeros, n > 13
    for n in [16, 35]:
        tip, base = log_pair(rng, n, 0.02)
        d = np.round(tip - base, 2)
        d[d == 0] = 0.01
        cases.append(case(f"rounded-ties-no-zeros-{n}", d, np.zeros(n)))
    # one VM far out (a noisy neighbour during one kernel's run)
    for n in [8, 12, 20, 40]:
        tip, base = log_pair(rng, n, 0.01)
        tip[n // 2] += 1.5
        cases.append(case(f"outlier-{n}", tip, base))
    # every VM slower or faster: the most extreme Wilcoxon statistic
    cases.append(case("all-positive-10", np.linspace(1.01, 1.1, 10), np.ones(10)))
    cases.append(case("all-negative-25", np.ones(25), np.linspace(1.01, 1.5, 25)))

    dump_golden("generate_paired_golden.py", trim=TRIM, cases=cases)


if __name__ == "__main__":
    main()
