#!/usr/bin/env bash
# Prepares what the lent GPU machine lacks (it has no Deno, no Node, no registry): the Deno
# binary and this project's node_modules in .gpu/bundle.tar.xz, and the Vulkan loader's
# Debian packages in .gl/. Both folders are git-ignored locally (.git/info/exclude) and are
# named in the device tool's `carry`. Run once, here, from the project root.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >>.git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >>.git/info/exclude
mkdir -p .gpu .gl
deno install --frozen >/dev/null
echo "--- packing deno and node_modules (xz, about 90 s on 2 cores)"
cp "$(readlink -f "$(command -v deno)")" .gpu/deno
# Only what training needs on linux x64: onnxruntime-web and the browser driver as their
# package.json alone (Deno checks every locked package is there), no other platforms'
# onnxruntime binaries (the limit on what a run carries is 64 MiB).
tar -cJf .gpu/bundle.tar.xz -C .gpu deno -C .. \
  --exclude='onnxruntime-web@*/node_modules/onnxruntime-web/dist' \
  --exclude='onnxruntime-web@*/node_modules/onnxruntime-web/lib' \
  --exclude='playwright-core@*/node_modules/playwright-core/lib' --exclude='*/bin/napi-v6/darwin' \
  --exclude='*/bin/napi-v6/win32' --exclude='*/bin/napi-v6/linux/arm64' node_modules
rm .gpu/deno
echo "--- downloading the Vulkan loader (libvulkan1) for amd64"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update -qq
(cd .gl && apt-get $o download libvulkan1 >/dev/null)
ls -la .gpu .gl
