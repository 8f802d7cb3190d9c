#!/usr/bin/env bash
# The GPU measurement of issue 10, in one call on the lent machine (see tools/gpu/pack.sh):
#   device run --carry .gpu --carry .gl -- bash tools/gpu/bench.sh
# CPU EP against WebGPU EP, steps/s and s/epoch with the losses of both, for lm6 at the book's
# size and a 2-layer LSTM at hidden 1024, bs 256, sl 64 on a generated corpus of about 10,000
# words. Results go to $OUT (or .tmp/gpu) as JSON lines. SCALE=small runs it in minutes on a
# CPU with SwiftShader, to test the script itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-.tmp/gpu}
mkdir -p "$out" .tmp
if compgen -G ".gl/*.deb" >/dev/null; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -f .gpu/bundle.tar.xz ] && [ ! -x .gpu/deno ]; then tar -xJf .gpu/bundle.tar.xz -C .gpu; fi
[ -d .gpu/node_modules ] && [ ! -e node_modules ] && ln -s .gpu/node_modules node_modules
export PATH="$PWD/.gpu:$PATH" XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES=$nvidia_icd
elif [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json # no GPU: test the script
fi
threads=$(nproc)
run="deno run --cached-only --allow-read --allow-write --allow-env --allow-ffi --allow-sys"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $threads cores"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
if [ "${SCALE:-full}" = small ]; then
  lm6_epochs=1 mb=0.1 words=1000 hidden=64 bs=32 sl=16
else
  lm6_epochs=3 mb=1 words=10000 hidden=1024 bs=256 sl=64 # ~15 steps: minutes on 16 CPU cores
fi
$run tools/make_corpus.ts --out .tmp/gpu_corpus.txt --mb "$mb" --words "$words" --seed 1
for device in cpu webgpu; do
  echo "--- lm6, book size, $device"
  $run tools/train.ts lm6 --epochs "$lm6_epochs" --device "$device" --threads "$threads" \
    --json --out "$out/lm6-$device" --force | tee "$out/lm6-$device.jsonl"
  echo "--- LSTM hidden $hidden, bs $bs, sl $sl, $words words, $device"
  $run tools/train.ts lm6 --text .tmp/gpu_corpus.txt --hidden "$hidden" --bs "$bs" --sl "$sl" \
    --epochs 1 --device "$device" --threads "$threads" --json --out "$out/big-$device" --force |
    tee "$out/big-$device.jsonl"
done
echo "--- summary: s/epoch (validation included), train batches, final valid loss"
for f in "$out"/*.jsonl; do echo "$f: $(tail -n 1 "$f")"; done
