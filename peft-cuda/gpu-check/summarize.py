#!/usr/bin/env python3
"""Prints the GPU check's one summary table from results/{correctness,timings,torch}.tsv."""
import os
import sys


def read(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results"
    correctness = read(os.path.join(out, "correctness.tsv"))
    timings = read(os.path.join(out, "timings.tsv"))
    torch = {(row[0], row[1]): row for row in read(os.path.join(out, "torch.tsv"))}
    header = [row for row in correctness if row[0].startswith("#")]
    checks = [row for row in correctness if not row[0].startswith("#")]
    rows = [("item", "dtype", "result", "detail")]
    for kernel, dtype, sizes, elements, worst, nans, unwritten, verdict in checks:
        rows.append((f"check {kernel}", dtype, verdict,
                     f"{sizes}: worst err/tol {worst}, {nans} NaN, {unwritten} unwritten of {elements}"))
    for op, dtype, tokens, hidden, rank, ms, gbs, peak in timings:
        detail = f"T{tokens} hidden {hidden} r{rank}: {gbs} GB/s = {peak}% of peak"
        base = torch.get((op, dtype))
        if base:
            detail += f"; PyTorch eager {float(base[5]):.4f} ms ({float(base[5]) / float(ms):.2f}x)"
        else:
            detail += "; no PyTorch baseline"
        rows.append((f"time {op}", dtype, f"{float(ms):.4f} ms", detail))
    passed = sum(1 for row in checks if row[7] == "PASS")
    print()
    print("peft-cuda GPU check summary" + (f" ({' '.join(header[0][1:])})" if header else ""))
    print(f"kernels within tolerance: {passed}/{len(checks)}" if checks else "kernels: no results (see the log)")
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0 if checks and passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
