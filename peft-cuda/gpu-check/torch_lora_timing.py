#!/usr/bin/env python3
"""PyTorch eager LoRA timings on the same shapes as LoraKernelTimings (the GPU bundle's baseline).

forward:  y = x @ A.T @ B.T * s            (eager, as a PyTorch user writes it)
backward: torch.autograd.grad of that y w.r.t. x, A and B, given dy

Median of --iterations runs after warm-up, timed with CUDA events. Bandwidth uses the same byte
counts as LoraKernelTimings (the LoRA operands read or written once), against --peak-tbs.
Writes nothing (and exits 0) when torch or a CUDA device is missing, saying why.
"""
import argparse
import statistics
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=4096)
    parser.add_argument("--hidden", type=int, default=4096)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--peak-tbs", type=float, default=4.8)
    parser.add_argument("--out")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as error:
        print(f"PyTorch not available ({error}); no baseline timings")
        return 0
    if not torch.cuda.is_available():
        print(f"PyTorch {torch.__version__} sees no CUDA device; no baseline timings")
        return 0
    print(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    t, k, n, r = args.tokens, args.hidden, args.hidden, args.rank
    lines = []
    for name, dtype, e in (("f32", torch.float32, 4), ("bf16", torch.bfloat16, 2)):
        gen = torch.Generator(device="cuda").manual_seed(1)
        def rand(*shape):
            return (torch.rand(*shape, device="cuda", generator=gen) * 2 - 1).to(dtype)
        x, a, b, dy = rand(t, k), rand(r, k), rand(n, r), rand(t, n)
        s = 2.0
        forward_ms = median_ms(lambda: x @ a.T @ b.T * s, args.iterations)
        xg, ag, bg = (v.clone().requires_grad_(True) for v in (x, a, b))
        y = xg @ ag.T @ bg.T * s
        backward_ms = median_ms(lambda: torch.autograd.grad(y, (xg, ag, bg), dy, retain_graph=True), args.iterations)
        forward_bytes = t * k * e + r * k * e + t * r * 4 + t * r * 4 + n * r * e + 2 * t * n * 4
        backward_bytes = (t * n * e + n * r * e + t * r * 4 + t * n * e + t * r * 4 + 2 * n * r * 4
                          + t * k * e + t * r * 4 + 2 * r * k * 4 + t * r * 4 + r * k * e + 2 * t * k * 4)
        for op, ms, nbytes in (("lora_forward", forward_ms, forward_bytes), ("lora_backward", backward_ms, backward_bytes)):
            gbs = nbytes / (ms * 1e-3) / 1e9
            lines.append(f"{op}\t{name}\t{t}\t{k}\t{r}\t{ms:.4f}\t{gbs:.1f}\t{100 * gbs / (args.peak_tbs * 1000):.1f}")
    print("\n".join(lines))
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


def median_ms(run, iterations):
    import torch
    for _ in range(3):
        run()
    torch.cuda.synchronize()
    times = []
    for _ in range(iterations):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
