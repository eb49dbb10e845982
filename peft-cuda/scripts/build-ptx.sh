#!/usr/bin/env bash
# Keeps peft-cuda's checked-in PTX in step with its CUDA sources.
#
#   build-ptx.sh            regenerate the PTX when the sources changed and nvcc is present;
#                           fail when they changed and there is no nvcc (run by the Maven build)
#   build-ptx.sh --force    regenerate whenever nvcc is present
#   build-ptx.sh --hash     print the source hash
#   NVCC=/path/to/nvcc      use that nvcc; NVCC=none behaves as a machine without one
#
# The PTX's first line records the SHA-256 of "nvcc <flags>\n" followed, for every *.cu and *.cuh
# file of src/main/cuda in byte order of their names, by "<name>\n" and the file's bytes without
# carriage returns (PeftPtxSourcesTest computes the same). PTX from another nvcc version differs in
# bytes but carries the same hash, so only source changes count.
set -euo pipefail

module_dir=$(cd "$(dirname "$0")/.." && pwd)
src="$module_dir/src/main/cuda"
out="$module_dir/src/main/resources/dev/peft4j/cuda/lora_kernels.ptx"
flags="-ptx -arch=sm_90 -O3"
prefix="// peft4j-source-sha256: "

source_hash() {
    {
        printf 'nvcc %s\n' "$flags"
        for f in $(cd "$src" && ls -- *.cu *.cuh | LC_ALL=C sort); do
            printf '%s\n' "$f"
            tr -d '\r' < "$src/$f"
        done
    } | sha256sum | cut -d' ' -f1
}

find_nvcc() {
    if [[ "${NVCC:-}" == none ]]; then return; fi  # behave as on a machine without nvcc
    if [[ -n "${NVCC:-}" ]]; then echo "$NVCC"; return; fi
    command -v nvcc 2>/dev/null || { [[ -x /usr/local/cuda/bin/nvcc ]] && echo /usr/local/cuda/bin/nvcc; } || true
}

hash=$(source_hash)
if [[ "${1:-}" == "--hash" ]]; then
    echo "$hash"
    exit 0
fi
recorded=""
if [[ -f "$out" ]]; then
    recorded=$(head -n 1 "$out" | sed -n "s|^${prefix}||p")
fi
nvcc=$(find_nvcc)

if [[ "${1:-}" != "--force" && "$recorded" == "$hash" ]]; then
    echo "peft-cuda: PTX up to date (source hash ${hash:0:12})"
    exit 0
fi
if [[ -z "$nvcc" ]]; then
    if [[ "${1:-}" == "--force" ]]; then
        echo "peft-cuda: --force needs nvcc (not on PATH, not at /usr/local/cuda/bin; set NVCC)" >&2
        exit 1
    fi
    echo "peft-cuda: src/main/resources/dev/peft4j/cuda/lora_kernels.ptx was compiled from CUDA sources with hash" \
         "${recorded:-<none>}, but src/main/cuda now hashes to $hash, and nvcc is not available to regenerate it." \
         "Run peft-cuda/scripts/build-ptx.sh where nvcc (CUDA 13) is installed and commit the PTX." >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
"$nvcc" $flags "$src/lora_kernels.cu" -o "$tmp/lora_kernels.ptx"
mkdir -p "$(dirname "$out")"
{ printf '%s%s\n' "$prefix" "$hash"; cat "$tmp/lora_kernels.ptx"; } > "$out"
echo "peft-cuda: regenerated the PTX with $("$nvcc" --version | tail -n 1) (source hash ${hash:0:12})"
