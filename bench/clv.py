"""Time the CLV fits (BG/NBD, Gamma-Gamma) on synthetic customers, beside the `lifetimes`
package on the same summary in the same run (the peer figure).

    python -m bench.clv --customers 100000 1000000
    python -m bench.clv --customers 100000 --peer-python none      # ours only
    python -m bench.clv --customers 1000000 --summary-transactions 10000000

The summaries are drawn from a BG/NBD process with known parameters (CDNOW's:
r=0.243, α=4.414 per week, a=0.793, b=2.426) and Gamma-Gamma spend (p=6.25, q=3.74,
γ=15.44), vectorised in numpy: first purchases spread over two years before the
calibration end, times in whole days (as order dates are), expressed in weeks.
Each fit runs in a child process whose peak RSS comes from os.wait4: ours with this
interpreter, the peer with --peer-python, a throwaway venv holding lifetimes 0.11.3
(`python -m venv /tmp/clv-peer-venv && /tmp/clv-peer-venv/bin/pip install
lifetimes==0.11.3`). Target: the BG/NBD fit on 1,000,000 customers in < 30 s.
--summary-transactions also times summarising that many random transactions (one
tenth as many customers) into frequency/recency/age, as the nightly job will.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PEER_PYTHON = "/tmp/clv-peer-venv/bin/python"
DEFAULT_WORK_DIR = "/tmp/guanxi-bench-clv"
TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}
WINDOW_DAYS = 730
TARGET_SECONDS = 30.0

PEER_SCRIPT = """
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
started = time.perf_counter()
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
data = np.load(sys.argv[1])
result = {"lifetimes": lifetimes.__version__}
result["import_seconds"] = round(time.perf_counter() - started, 2)
try:
    started = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(data["frequency"], data["recency"], data["age"])
    result["bgnbd_seconds"] = round(time.perf_counter() - started, 2)
    result["bgnbd"] = {key: float(value) for key, value in bgf.params_.items()}
    repeat = (data["frequency"] > 0) & (data["monetary"] > 0)
    started = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(data["frequency"][repeat], data["monetary"][repeat])
    result["gamma_gamma_seconds"] = round(time.perf_counter() - started, 2)
    result["gamma_gamma"] = {key: float(value) for key, value in ggf.params_.items()}
except Exception as error:
    result["error"] = f"{type(error).__name__}: {error}"
print(json.dumps(result))
"""


def synthesise(customers: int, seed: int = 20261125) -> dict[str, np.ndarray]:
    """frequency/recency/age (weeks) and mean repeat spend of `customers` BG/NBD customers."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = (TRUE_BGNBD[key] for key in ("r", "alpha", "a", "b"))
    age_days = rng.integers(0, WINDOW_DAYS, size=customers)
    age = age_days / 7.0
    rate = rng.gamma(shape=r, scale=1.0 / alpha, size=customers)  # per week
    dropout = rng.beta(a, b, size=customers)
    # Repeat purchases while alive: the K-th repeat purchase is the last (K ~ Geometric(p),
    # the customer drops out right after it); in (0, T] there are N ~ Poisson(λT) arrivals.
    last_allowed = rng.geometric(dropout)
    arrivals = rng.poisson(rate * age)
    frequency = np.minimum(last_allowed, arrivals)
    # The x-th of N uniform arrival times on (0, T] is T · Beta(x, N − x + 1).
    has_repeat = frequency > 0
    position = np.zeros(customers)
    position[has_repeat] = rng.beta(
        frequency[has_repeat], arrivals[has_repeat] - frequency[has_repeat] + 1
    )
    recency_days = np.floor(position * age_days)  # order dates are whole days
    recency = recency_days / 7.0
    # Whole days can merge two purchases into one day; keep recency > 0 when x > 0.
    recency[has_repeat & (recency_days == 0)] = 0.0
    frequency = np.where(has_repeat & (recency_days == 0), 0, frequency)
    p, q, gamma = (TRUE_GAMMA_GAMMA[key] for key in ("p", "q", "gamma"))
    scale = rng.gamma(shape=q, scale=1.0 / gamma, size=customers)  # ν per customer
    monetary = np.zeros(customers)
    repeat = frequency > 0
    monetary[repeat] = (
        rng.gamma(shape=p * frequency[repeat], scale=1.0 / scale[repeat]) / frequency[repeat]
    )
    return {
        "frequency": frequency.astype(np.float64),
        "recency": recency,
        "age": age,
        "monetary": monetary,
    }


def ours_child(path: str) -> None:
    """One run of our fits and per-customer predictions; prints one JSON line."""
    from guanxi.analytics.clv import bgnbd, clv, gamma_gamma

    data = np.load(path)
    x, t_x, big_t, m_x = data["frequency"], data["recency"], data["age"], data["monetary"]
    result: dict[str, Any] = {}
    started = time.perf_counter()
    purchases = bgnbd.fit(x, t_x, big_t)
    result["bgnbd_seconds"] = round(time.perf_counter() - started, 2)
    result["bgnbd"] = purchases.as_dict()
    result["bgnbd_iterations"] = purchases.iterations
    started = time.perf_counter()
    spend = gamma_gamma.fit(x, m_x)
    result["gamma_gamma_seconds"] = round(time.perf_counter() - started, 2)
    result["gamma_gamma"] = spend.as_dict()
    started = time.perf_counter()
    predictions = clv.predict_customers(purchases, spend, x, t_x, big_t, m_x, time_unit="weeks")
    result["predict_seconds"] = round(time.perf_counter() - started, 2)
    result["mean_clv_12_months"] = round(float(predictions.clv_12_months.mean()), 2)
    print(json.dumps(result))


def run_child_measured(command: list[str]) -> dict[str, Any]:
    """Run a child, return its JSON line with wall time and its own peak RSS (os.wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # Read stderr in a thread so neither pipe fills while we wait; then reap with wait4.
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))
    reader.start()
    stdout_text = process.stdout.read()
    reader.join()
    stderr_text = errors[0] if errors else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    report: dict[str, Any] = {
        "wall_seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }
    lines = [line for line in stdout_text.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        tail = stderr_text.strip().splitlines()
        report["error"] = tail[-1] if tail else f"exit {process.returncode}"
        report["stderr_tail"] = tail[-15:]
        return report
    report.update(json.loads(lines[-1]))
    return report


def _distinct_rows(data: dict[str, np.ndarray]) -> int:
    rows = np.column_stack([data["frequency"], data["recency"], data["age"]])
    return int(np.unique(rows, axis=0).shape[0])


def _add_our_log_likelihood(peer: dict[str, Any], data: dict[str, np.ndarray]) -> None:
    """The peer's parameters scored with our log-likelihood, to compare the optima."""
    from guanxi.analytics.clv import bgnbd

    if "bgnbd" in peer:
        params = tuple(peer["bgnbd"][key] for key in ("r", "alpha", "a", "b"))
        peer["bgnbd"]["log_likelihood"] = bgnbd.log_likelihood(
            params, data["frequency"], data["recency"], data["age"]
        )


def summary_child(transactions: int) -> None:
    """Summarise `transactions` random orders of transactions/10 customers (ids, dates as
    day numbers, amounts), as the nightly job will from the orders table."""
    from guanxi.analytics.clv import summarise_transactions

    rng = np.random.default_rng(7)
    customers = max(transactions // 10, 1)
    ids = rng.integers(0, customers, size=transactions)
    end = 739_000  # a day number (2024-05-03)
    days = end - rng.integers(0, WINDOW_DAYS, size=transactions)
    amounts = rng.gamma(2.0, 150.0, size=transactions)
    started = time.perf_counter()
    summary = summarise_transactions(
        ids, days, amounts, calibration_end=datetime.date.fromordinal(end), time_unit="days"
    )
    print(
        json.dumps(
            {
                "summary_seconds": round(time.perf_counter() - started, 2),
                "transactions": transactions,
                "customers": summary.customers,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON, help="'none' to skip")
    parser.add_argument("--work-dir", default=DEFAULT_WORK_DIR)
    parser.add_argument(
        "--summary-transactions",
        type=int,
        default=0,
        help="also time summarising this many transactions (e.g. 10000000)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--summary-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ours_child(args.child)
        return
    if args.summary_child:
        summary_child(args.summary_child)
        return
    work_dir = Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for customers in args.customers:
        started = time.perf_counter()
        data = synthesise(customers)
        path = work_dir / f"summary-{customers}.npz"
        np.savez(path, **data)
        entry: dict[str, Any] = {
            "customers": customers,
            "repeat_buyers": int(np.count_nonzero(data["frequency"] > 0)),
            "distinct_rows": _distinct_rows(data),
            "synthesis_seconds": round(time.perf_counter() - started, 2),
            "true": {"bgnbd": TRUE_BGNBD, "gamma_gamma": TRUE_GAMMA_GAMMA},
            "loadavg_start": os.getloadavg(),
        }
        entry["ours"] = run_child_measured(
            [sys.executable, "-m", "bench.clv", "--child", str(path)]
        )
        if args.peer_python != "none":
            if Path(args.peer_python).exists():
                entry["lifetimes"] = run_child_measured(
                    [args.peer_python, "-c", PEER_SCRIPT, str(path)]
                )
                _add_our_log_likelihood(entry["lifetimes"], data)
            else:
                entry["lifetimes"] = {"error": f"no peer interpreter at {args.peer_python}"}
        entry["loadavg_end"] = os.getloadavg()
        ours = entry["ours"].get("bgnbd_seconds")
        entry["bgnbd_target_met"] = ours is not None and ours < TARGET_SECONDS
        print(json.dumps(entry), flush=True)
        results.append(entry)
    _print_table(results)
    if args.summary_transactions:
        command = [sys.executable, "-m", "bench.clv", "--summary-child"]
        summary = run_child_measured([*command, str(args.summary_transactions)])
        print(json.dumps({"summary": summary}))


def _print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'customers':>10} {'who':>9} {'BG/NBD s':>9} {'GG s':>6} {'RSS MB':>7}  r, alpha, a, b")
    for entry in results:
        for who in ("ours", "lifetimes"):
            row = entry.get(who)
            if not row:
                continue
            if "error" in row:
                print(f"{entry['customers']:>10} {who:>9} error: {row['error']}")
                continue
            params = ", ".join(f"{row['bgnbd'][key]:.4g}" for key in ("r", "alpha", "a", "b"))
            seconds = f"{row.get('bgnbd_seconds', '-'):>9} {row.get('gamma_gamma_seconds', '-'):>6}"
            rss = row.get("peak_rss_mb", "-")
            print(f"{entry['customers']:>10} {who:>9} {seconds} {rss:>7}  {params}")


if __name__ == "__main__":
    main()
