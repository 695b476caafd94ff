#!/usr/bin/env bash
# Packs every package into artifacts/packages (a local feed): the four libraries (.nupkg + .snupkg; IoSys.Simulation
# depends on IoSys.Devices) and the iosys tool as .NET 10 RID-specific tool packages: IoSys.Cli (the pointer package), IoSys.Cli.linux-x64 (NativeAOT),
# IoSys.Cli.any (framework-dependent fallback) and, with --arm64, IoSys.Cli.linux-arm64 (NativeAOT, cross-linked
# with the toolchain tests/Hardware/arm64/setup.sh installs; slow: several minutes more).
#
#   eng/pack.sh [--arm64]        (CI=true for a CI build: deterministic paths)
#
# Then:   unzip -l artifacts/packages/IoSys.0.1.0-*.nupkg
#         dotnet tool install IoSys.Cli --tool-path /tmp/iosys-tool --add-source artifacts/packages --prerelease
set -euo pipefail
cd "$(dirname "$0")/.."
feed=artifacts/packages
mkdir -p "$feed"
for p in IoSys IoSys.Devices IoSys.Linux IoSys.Simulation; do
  timeout 900 dotnet pack "src/$p/$p.csproj" -c Release -o "$feed" -nologo
done
cli=src/IoSys.Cli/IoSys.Cli.csproj
timeout 900 dotnet pack "$cli" -c Release -o "$feed" -nologo
timeout 1500 dotnet pack "$cli" -c Release -r linux-x64 -o "$feed" -nologo
timeout 900 dotnet pack "$cli" -c Release -r any -o "$feed" -nologo
if [ "${1:-}" = "--arm64" ]; then
  eval "$(tests/Hardware/arm64/setup.sh --quiet)"
  args=("-p:CppCompilerAndLinker=$AARCH64_CC" "-p:ObjCopyName=$AARCH64_OBJCOPY" -p:LinkerFlavor=bfd)
  [ -z "${AARCH64_SYSROOT:-}" ] || args+=("-p:SysRoot=$AARCH64_SYSROOT")
  timeout 1500 dotnet pack "$cli" -c Release -r linux-arm64 -o "$feed" -nologo "${args[@]}"
fi
ls -l "$feed"
