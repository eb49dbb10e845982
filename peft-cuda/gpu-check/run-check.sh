#!/usr/bin/env bash
# peft-cuda GPU check (runs from the unpacked bundle; needs an NVIDIA driver, no JVM).
#
#   ./run-check.sh            correctness of every kernel, then timings against PyTorch eager
#
# 1. every kernel (LoRA shrink/expand and backward, BGMV, SGMV; fp32 and bf16) against a float64
#    reference on fresh random inputs (JUnit console launcher, dev.peft4j.cuda.KernelCheckGpuTest);
# 2. LoRA forward and backward timings at 4096 tokens, hidden 4096, rank 16 (LoraKernelTimings);
# 3. the same shapes in PyTorch eager (torch_lora_timing.py), if python3 has torch with CUDA;
# 4. one summary table (summarize.py). The full log is results/check.log.
#
# Environment: PEFT_CHECK_OUT (results folder, default ./results), PEFT_CUDA_LIBCUDA (driver
# library, default libcuda.so.1), PEFT_CHECK_SIZES=small and PEFT_TIMING_ARGS (e.g.
# "--tokens 64 --hidden 256 --iterations 3") for a quick run on the fake driver.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${PEFT_CHECK_OUT:-$here/results}
mkdir -p "$out"
log="$out/check.log"
: > "$log"
java="$here/runtime/bin/java"
classpath="$here/lib/peft-cuda-kernels.jar:$here/lib/peft-cuda-check-tests.jar"
jvm_opts=(--enable-native-access=ALL-UNNAMED "-Dpeft.cuda.check.out=$out")
if [[ -n "${PEFT_CHECK_SIZES:-}" ]]; then jvm_opts+=("-Dpeft.cuda.check.sizes=$PEFT_CHECK_SIZES"); fi
read -r -a timing_args <<< "${PEFT_TIMING_ARGS:-}"
started=$(date +%s)

step() { echo "== $*" | tee -a "$log"; }

step "peft-cuda GPU check, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -srm)"
if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >> "$log" 2>&1
else
    echo "nvidia-smi not available" >> "$log"
fi

step "1/3 kernels against the float64 reference"
"$java" "${jvm_opts[@]}" -jar "$here/lib/junit-platform-console-standalone.jar" execute \
    --class-path "$classpath" --select-class dev.peft4j.cuda.KernelCheckGpuTest \
    --details=tree --disable-banner --disable-ansi-colors >> "$log" 2>&1
check_rc=$?
echo "   exit status $check_rc" | tee -a "$log"

step "2/3 LoRA timings, peft4j kernels"
"$java" "${jvm_opts[@]}" -cp "$classpath" dev.peft4j.cuda.check.LoraKernelTimings "${timing_args[@]}" \
    --out "$out/timings.tsv" >> "$log" 2>&1
timing_rc=$?
echo "   exit status $timing_rc" | tee -a "$log"

step "3/3 LoRA timings, PyTorch eager"
python3 "$here/torch_lora_timing.py" "${timing_args[@]}" --out "$out/torch.tsv" >> "$log" 2>&1
echo "   exit status $?" | tee -a "$log"

echo "   took $(( $(date +%s) - started )) s; full log: $log" | tee -a "$log"
python3 "$here/summarize.py" "$out" | tee -a "$log"
if [[ $check_rc -ne 0 || $timing_rc -ne 0 ]]; then exit 1; fi
