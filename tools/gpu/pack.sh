#!/usr/bin/env bash
# Prepares what the lent GPU machine lacks (it has no Deno, no Node, no registry): the Deno
# binary and this project's node_modules in .gpu/bundle.tar.xz, the Vulkan loader's Debian
# packages in .gl/, and onnxruntime's CUDA provider (NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux,
# the version of onnxruntime-node, cut to sm_90's kernels) in .cuda/provider.tar.xz. The folders
# are git-ignored locally (.git/info/exclude) and are named in the device tool's `carry`. Run
# once, here, from the project root; it needs dotnet for the provider.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >>.git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >>.git/info/exclude
grep -qx '/.cuda/' .git/info/exclude 2>/dev/null || echo /.cuda/ >>.git/info/exclude
mkdir -p .gpu .gl .cuda
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
echo "--- downloading the Vulkan and GL loaders for amd64 (NVIDIA's ICD needs libGLX)"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update -qq
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
echo "--- the CUDA provider from NuGet, cut to sm_90 (the H200), packed (xz, about 40 s)"
version=$(deno eval 'import("onnxruntime-node").then((o) => console.log(o.env.versions.node))')
nuget=$(mktemp -d)
cat >"$nuget/p.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.OnnxRuntime.Gpu.Linux" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
dotnet restore "$nuget/p.csproj" --packages "$nuget/packages" >/dev/null
native=$nuget/packages/microsoft.ml.onnxruntime.gpu.linux/$version/runtimes/linux-x64/native
deno run -A tools/gpu/prune_fatbin.ts "$native/libonnxruntime_providers_cuda.so" \
  "$nuget/libonnxruntime_providers_cuda.so" --sm 90
cp "$native/libonnxruntime_providers_shared.so" "$nuget/"
tar -cf - -C "$nuget" libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so |
  xz -9 -T0 >.cuda/provider.tar.xz
rm -rf "$nuget"
ls -la .gpu .gl .cuda
