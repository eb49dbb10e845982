#!/usr/bin/env bash
# Builds the self-contained GPU check bundle: peft-cuda/target/gpu-bundle/peft-cuda-gpu-check.tar.xz
#
#   peft-cuda/scripts/build-gpu-bundle.sh             build it
#   peft-cuda/scripts/build-gpu-bundle.sh --try-fake  build it, unpack it to a temporary folder and
#                                                     run it there against the fake libcuda.so.1
#                                                     (small sizes), as far as a machine without a
#                                                     GPU can
#
# The bundle holds a jlink'd JDK 25 runtime (no JVM needed on the GPU host), peft-cuda's kernel jar
# (dev.peft4j.cuda only: no DJL, no peft-core, no KernelProvider adapter), its check-tests jar, the
# JUnit console launcher, the PTX, and run-check.sh with its Python helpers. It must stay under
# 40 MiB. On the GPU host: tar xJf peft-cuda-gpu-check.tar.xz && peft-cuda-gpu-check/run-check.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
module="$root/peft-cuda"
dist="$module/target/gpu-bundle"
stage="$dist/peft-cuda-gpu-check"
bundle="$dist/peft-cuda-gpu-check.tar.xz"
console_version=1.14.4  # the JUnit platform of JUnit Jupiter 5.14.4 (root pom)
console_jar="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$console_version/junit-platform-console-standalone-$console_version.jar"
modules=java.base,java.logging,java.xml,java.management,jdk.unsupported
limit_mib=40

jdk=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 $(ls -d /usr/lib/jvm/*25* 2>/dev/null || true); do
    if [[ -n "$candidate" && -x "$candidate/bin/jlink" ]] && "$candidate/bin/java" -version 2>&1 | grep -q '"25'; then
        jdk=$candidate
        break
    fi
done
[[ -n "$jdk" ]] || { echo "build-gpu-bundle: needs a JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }

echo "== building peft-cuda (tests skipped; run ./mvnw verify for them)"
(cd "$root" && ./mvnw -B ${MVN_OFFLINE--o} -q package -pl peft-core,peft-cuda -am -DskipTests)
version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$module/pom.xml" | head -n 1)
[[ -n "$version" ]] || version=$(sed -n 's|^    <version>\(.*\)</version>|\1|p' "$module/pom.xml" | head -n 1)

if [[ ! -f "$console_jar" ]]; then
    echo "== fetching the JUnit console launcher $console_version"
    (cd "$root" && ./mvnw -B -q dependency:get "-Dartifact=org.junit.platform:junit-platform-console-standalone:$console_version")
fi

rm -rf "$stage" "$bundle"
mkdir -p "$stage/lib" "$stage/ptx"
echo "== jlink ($modules) from $jdk"
# Temurin 25 ships no jmods/: jlink links from the running image (JEP 493)
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$stage/runtime"
cp "$module/target/peft-cuda-$version-kernels.jar" "$stage/lib/peft-cuda-kernels.jar"
cp "$module/target/peft-cuda-$version-check-tests.jar" "$stage/lib/peft-cuda-check-tests.jar"
cp "$console_jar" "$stage/lib/junit-platform-console-standalone.jar"
cp "$module/src/main/resources/dev/peft4j/cuda/lora_kernels.ptx" "$stage/ptx/"
cp "$module/gpu-check/run-check.sh" "$module/gpu-check/torch_lora_timing.py" "$module/gpu-check/summarize.py" "$stage/"
if unzip -l "$stage/lib/peft-cuda-kernels.jar" | grep -q -e 'dev/peft4j/cuda/provider/' -e 'META-INF/services/'; then
    echo "build-gpu-bundle: the kernels jar must not hold the KernelProvider adapter" >&2
    exit 1
fi

echo "== packing"
tar -C "$dist" -cJf "$bundle" peft-cuda-gpu-check
bytes=$(stat -c %s "$bundle")
echo "$bundle: $(( bytes / 1024 / 1024 )) MiB ($bytes bytes)"
if (( bytes >= limit_mib * 1024 * 1024 )); then
    echo "build-gpu-bundle: the bundle is over $limit_mib MiB" >&2
    exit 1
fi

if [[ "${1:-}" == "--try-fake" ]]; then
    fake="$module/target/fake-libcuda/libcuda.so.1"
    if [[ ! -f "$fake" ]]; then
        echo "== building the fake libcuda.so.1"
        mkdir -p "$(dirname "$fake")"
        g++ -std=c++20 -O2 -shared -fPIC -pthread -DPEFT_HOST -I"$module/src/main/cuda" \
            "$module/src/test/c/fake_libcuda.cpp" -o "$fake"
    fi
    try=$(mktemp -d)
    tar -C "$try" -xJf "$bundle"
    echo "== running the unpacked bundle in $try against the fake driver"
    PEFT_CUDA_LIBCUDA="$fake" PEFT_CHECK_SIZES=small PEFT_TIMING_ARGS="--tokens 64 --hidden 256 --rank 16 --iterations 3" \
        "$try/peft-cuda-gpu-check/run-check.sh"
fi
