#!/usr/bin/env bash
# The GPU measurement (issues 10 and 19), on the lent machine after tools/gpu/pack.sh:
#   call 1: carry .cuda                 command: bash tools/gpu/bench.sh env
#   call 2: carry .gpu .gl .cuda?       command: bash tools/gpu/bench.sh [seeds|verify|...]
# (the provider, 50 MB packed, and the Deno bundle, 44 MB, do not fit one call's 64 MiB; a warm
# machine keeps the first call's .cuda for the second). It runs lm6 at the book's size and a
# 2-layer LSTM at hidden 1024, vocab ~10,000, bs 256, sl 64 on the CUDA EP, the CPU EP (all
# cores) and the WebGPU EP (NVIDIA's Vulkan driver), and the same two in PyTorch+cuDNN when
# .gpu/torch_anchor.py is there (a throwaway script, not part of the project). Each run's
# summary goes to $OUT/results.jsonl with its peak GPU memory; the log to $OUT/log.txt.
# SCALE=small runs it in minutes on a CPU with SwiftShader, to test the script itself.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-.tmp/gpu}
mkdir -p "$out" .tmp/gpu-runs
exec > >(tee -a "$out/log.txt") 2>&1

# --- what the machine has, and where the CUDA libraries are
# The provider goes outside the working tree: each call replaces the tree, but a warm machine
# keeps other folders, so the second call finds it there.
provider=${CUDA_PROVIDER_DIR:-/opt/onnx-lm-cuda}
if [ -f .cuda/provider.tar.xz ]; then
  mkdir -p "$provider" && tar -xJf .cuda/provider.tar.xz -C "$provider"
fi
if compgen -G ".gl/*.deb" >/dev/null; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig 2>/dev/null
fi
# PyTorch's CUDA 13 wheels (nvidia/*/lib, or nvidia/cu13/lib) bring cudart, cuBLAS and cuDNN 9.
nvidia=$(python3 -c 'import nvidia; print(" ".join(nvidia.__path__))' 2>/dev/null)
cuda_libs=$(find $nvidia -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
export LD_LIBRARY_PATH="${cuda_libs}${cuda_libs:+:}/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(nproc) cores"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
if [ -f "$provider/libonnxruntime_providers_cuda.so" ]; then
  echo "--- the provider's needs, as this machine resolves them"
  LD_LIBRARY_PATH=$LD_LIBRARY_PATH ldd "$provider/libonnxruntime_providers_cuda.so" | grep -E 'cu|nv|not found'
  for l in libcudnn.so.9 libnvrtc.so.13; do
    echo "$l (opened at run time): $(find ${cuda_libs//:/ } -name "$l*" 2>/dev/null | head -1)"
  done
  command -v cuobjdump >/dev/null &&
    echo "cubins: $(cuobjdump --list-elf "$provider/libonnxruntime_providers_cuda.so" | grep -oE 'sm_[0-9]+a?' | sort | uniq -c | tr -s ' \n' ' ')"
  echo "ldconfig: $(ldconfig -p | grep -cE 'libcuda\.so|cudart|cublas|cudnn') CUDA entries"
fi
[ "${1:-}" = env ] && exit 0

# --- Deno and node_modules, and the provider next to onnxruntime-node
if [ -f .gpu/bundle.tar.xz ] && [ ! -x .gpu/deno ]; then tar -xJf .gpu/bundle.tar.xz -C .gpu; fi
[ -d .gpu/node_modules ] && [ ! -e node_modules ] && ln -s .gpu/node_modules node_modules
bin=$(dirname "$(find -L node_modules/.deno -path '*onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node' | head -1)")
devices="cpu webgpu"
if [ -f "$provider/libonnxruntime_providers_cuda.so" ]; then
  cp "$provider"/libonnxruntime_providers_*.so "$bin/" && devices="cuda cpu webgpu"
fi
export PATH="$PWD/.gpu:$PATH" XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES=$nvidia_icd
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
elif [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json # no GPU: test the script
fi
if [ "${1:-}" = verify ]; then # issue 19's checks, as a user runs them: no LD_LIBRARY_PATH
  u() { env -u LD_LIBRARY_PATH timeout 90 deno run --cached-only -A "$@" 2>&1; }
  echo "--- setup:cuda --lib-path (the PyTorch wheels' folders)"
  u tools/setup_cuda.ts --lib-path "$cuda_libs" | tail -n 14
  mkdir -p .tmp && deno run --cached-only -A tools/make_corpus.ts --out .tmp/verify.txt --mb 0.2 --seed 2
  echo "--- every model, 1 epoch: final valid loss on cpu and on cuda"
  for m in lm1 lm2 lm3 lm4 lm5 lm6 lm7 gru "lm6 --text .tmp/verify.txt" "gru --text .tmp/verify.txt --tokens char"; do
    line="$m:"
    for d in cpu cuda; do
      r=$(u tools/train.ts $m --epochs 1 --device $d --json --force --out ".tmp/gpu-runs/v-$d" | tail -n 1)
      v=$(echo "$r" | grep -o '"final_valid_loss":[0-9.e-]*' | cut -d: -f2)
      line="$line $d ${v:-FAILED: ${r:0:200}}"
    done
    echo "$line"
  done
  echo "--- each graph of the last cuda run on the CUDA EP"
  for g in .tmp/gpu-runs/v-cuda/*.onnx; do
    u tools/gpu/profile_graph.ts "$g" --device cuda --steps 1 --out .tmp/profile-v |
      grep -E 'All nodes placed|Node\(s\) placed|^run 0' | sed "s|^|$(basename "$g"): |" | cut -c1-200
  done
  echo "--- host-device copies of the h1024 LSTM's parameters and moments (36.8M floats x 3)"
  u tools/gpu/copy_cost.ts --floats 36800000 --tensors 3 --device cuda
  u tools/gpu/copy_cost.ts --floats 36800000 --tensors 3 --device cpu
  echo "--- --device auto"
  u tools/train.ts lm6 --epochs 1 --device auto --out .tmp/gpu-runs/v-auto --force | head -n 2
  exit 0
fi
if [ "${1:-}" = placements ]; then # which nodes of a char GRU's eval and infer graphs leave CUDA
  deno run --cached-only -A tools/make_corpus.ts --out .tmp/verify.txt --mb 0.2 --seed 2
  deno run --cached-only -A tools/train.ts gru --text .tmp/verify.txt --tokens char --epochs 1 \
    --device cuda --out .tmp/gpu-runs/placements --force 2>&1 | tail -n 1
  for g in eval infer; do
    timeout 60 deno run --cached-only -A tools/gpu/profile_graph.ts ".tmp/gpu-runs/placements/$g.onnx" \
      --device cuda --steps 1 --out .tmp/profile-p 2>&1 | grep -A4 'placed on \[CPU' | cut -c60-300
  done
  exit 0
fi
if [ "${1:-}" = profile ]; then # profile_graph.ts on each graph in .prof, on cuda and cpu
  for g in .prof/*.onnx; do
    for d in cuda cpu; do
      echo "--- profile $g on $d"
      timeout 120 deno run --cached-only -A tools/gpu/profile_graph.ts "$g" --device "$d" --steps 3 \
        --out ".tmp/profile/$(basename "$g" .onnx)" 2>".tmp/profile-$d.log"
      grep -A3 'Node placements' ".tmp/profile-$d.log" | cut -c1-300 | head -12
    done
  done
  exit 0
fi
if [ "${1:-}" = seeds ]; then # one model's full recipe over 10 seeds per device (lm3's CUDA gap)
  # NVIDIA_TF32_OVERRIDE=0 makes cuBLAS and cuDNN multiply in full float32, which onnxruntime-node
  # 1.30 offers no provider option for: the cuda-fp32 arm separates TF32 from summation order.
  model=${MODEL:-lm3} started=$SECONDS
  arms="cpu cuda cuda-fp32 webgpu"
  [ -f "$provider/libonnxruntime_providers_cuda.so" ] || arms="cpu webgpu"
  for arm in $arms; do
    for seed in $(seq 1 "${SEEDS:-10}"); do
      [ $((SECONDS - started)) -gt "${BUDGET:-300}" ] && break 2
      device=${arm%-fp32} tf32=
      [ "$arm" = cuda-fp32 ] && tf32=0
      r=$(NVIDIA_TF32_OVERRIDE=${tf32:-${NVIDIA_TF32_OVERRIDE:-}} timeout 120 deno run --cached-only -A \
        tools/train.ts $model --seed "$seed" --device "$device" --json --force \
        --out ".tmp/gpu-runs/seeds-$arm" ${EPOCHS:+--epochs $EPOCHS} 2>&1 | tail -n 1)
      [[ $r == \{* ]] || r="{\"error\":\"$(echo "${r:0:200}" | tr -d '"\\')\"}"
      echo "{\"arm\":\"$arm\",\"seed\":$seed,\"summary\":$r}" | tee -a "$out/seeds.jsonl"
    done
  done
  exit 0
fi
threads=$(nproc)
budget=${BUDGET:-3600} # seconds for all runs, so that the call ends inside its limit
run="deno run --cached-only --allow-read --allow-write --allow-env --allow-ffi --allow-sys"
if [ "${SCALE:-full}" = small ]; then
  lm6_epochs=1 mb=0.1 words=1000 hidden=64 bs=32 sl=16 limit=600
else
  lm6_epochs=3 mb=1 words=10000 hidden=1024 bs=256 sl=64 limit=150
fi
corpus=.tmp/gpu_corpus.txt
$run tools/make_corpus.ts --out "$corpus" --mb "$mb" --words "$words" --seed 1
big=(--text "$corpus" --min-freq 1 --hidden "$hidden" --bs "$bs" --sl "$sl" --epochs 1)

# Runs one measurement: its last stdout line (a JSON summary) goes to results.jsonl with the
# peak GPU memory nvidia-smi saw above the idle level while it ran.
measure() {
  local name=$1
  shift
  if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then return; fi # ONLY: a regex of names
  echo "--- $name: $*"
  local mem=.tmp/gpu-runs/$name.mem idle=0 sampler=
  if command -v nvidia-smi >/dev/null; then
    idle=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$mem" &
    sampler=$!
  fi
  local started=$SECONDS left=$((budget - SECONDS))
  if [ "$left" -lt 20 ]; then
    echo "skipped: the call's time is spent"
    return
  fi
  timeout "$((left < limit ? left : limit))" "$@" >.tmp/gpu-runs/$name.out
  local rc=$?
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  local peak=$(sort -n "$mem" 2>/dev/null | tail -1)
  local last=$(tail -n 1 .tmp/gpu-runs/$name.out)
  cat .tmp/gpu-runs/$name.out | tail -n 6
  [[ $last == \{* ]] || last='{}'
  echo "{\"name\":\"$name\",\"rc\":$rc,\"wall_s\":$((SECONDS - started)),\"gpu_mem_mb\":$((${peak:-0} - idle)),\"summary\":$last}" >>"$out/results.jsonl"
}

train() { # name device [flags...]
  local name=$1 device=$2
  shift 2
  measure "$name" $run tools/train.ts lm6 --device "$device" --threads "$threads" --json \
    --out ".tmp/gpu-runs/$name" --force "$@"
}

anchor() { # name hidden epochs [dump_batches flags...]
  [ -f .gpu/torch_anchor.py ] || return 0
  $run tools/gpu/dump_batches.ts ".tmp/gpu-runs/$1.bin" "${@:4}"
  measure "$1" python3 .gpu/torch_anchor.py ".tmp/gpu-runs/$1.bin" "$2" "$3" 1e-2 "$1"
}

if [[ $devices == cuda* ]]; then
  train lm6-cuda cuda --epochs "$lm6_epochs"
  anchor lm6-torch 64 "$lm6_epochs"
  train big-cuda cuda "${big[@]}"
  anchor big-torch "$hidden" 1 --text "$corpus" --bs "$bs" --sl "$sl"
fi
train lm6-cpu cpu --epochs "$lm6_epochs"
threads=1 train lm6-cpu-1thread cpu --epochs "$lm6_epochs"
train big-cpu cpu "${big[@]}"
train lm6-webgpu webgpu --epochs "$lm6_epochs"
train big-webgpu webgpu "${big[@]}"
echo "--- results"
cat "$out/results.jsonl"
