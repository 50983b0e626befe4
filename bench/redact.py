"""Secret redaction per acceptance, beside the floor of one regex pass.

    .venv/bin/python bench/redact.py [--runs 200]

The texts are ordinary code from the clean corpus with a few corpus secrets
mixed in, cut to 2 KB and 50 KB. The floor is one `re.finditer` pass of a
simple pattern over the same text: what touching every character once costs
in Python's regex engine. The first call also pays for importing
detect-secrets and its plugins (timed in a fresh process).
All figures come from one run on one machine; compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from ailedger.redact import mask_personal, redact_secrets

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "governance" / "redaction_corpus"
FLOOR = re.compile(r"[A-Za-z0-9_]{20,}")


def sample(size: int) -> str:
    clean = [p.read_text() for p in sorted((CORPUS / "clean").iterdir())]
    secret = [p.read_text() for p in sorted((CORPUS / "secrets").iterdir()) if not p.name.endswith(".json")]
    text, k = "", 0
    while len(text) < size:
        text += clean[k % len(clean)][:1500] + secret[k % len(secret)][:500]
        k += 1
    return text[:size]


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def first_call_ms() -> tuple[float, float]:
    code = ("import time; t = time.perf_counter(); import ailedger.redact as r; i = time.perf_counter() - t; "
            "t = time.perf_counter(); r.redact_secrets('x = 1'); print(i * 1000, (time.perf_counter() - t) * 1000)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    module, first = map(float, out.split())
    return module, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    redact_secrets("warm up: AKIAFAKE7Q2ZJ4K8M1XW")
    module, first = first_call_ms()
    print(f"import ailedger.redact: {module:.0f} ms; first call (imports detect-secrets): {first:.0f} ms")
    print(f"{'median of runs':<24} {'2 KB':>9} {'50 KB':>9}   {'x floor':>15}")
    texts = {size: sample(size) for size in (2_048, 51_200)}
    runs = {size: args.runs if size < 10_000 else max(args.runs // 10, 5) for size in texts}
    measured = {
        name: {size: median_ms(lambda: fn(text), runs[size]) for size, text in texts.items()}
        for name, fn in (("redact_secrets", redact_secrets), ("mask_personal", mask_personal),
                         ("floor: one regex pass", lambda text: sum(1 for _ in FLOOR.finditer(text))))
    }
    floor = measured["floor: one regex pass"]
    for name, ms in measured.items():
        ratios = " / ".join(f"{ms[size] / floor[size]:.0f}" for size in texts)
        print(f"{name:<24} {ms[2_048]:7.2f}ms {ms[51_200]:7.2f}ms   {ratios:>15}")
    ok = measured["redact_secrets"][2_048] <= 5.0
    print(f"target: redact_secrets on 2 KB <= 5 ms: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
