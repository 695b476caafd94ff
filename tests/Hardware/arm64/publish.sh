#!/usr/bin/env bash
# NativeAOT cross build of a .NET project for linux-arm64.
#
#   tests/Hardware/arm64/publish.sh PROJECT.csproj OUTDIR [extra dotnet publish args...]
#
# Runs `dotnet publish -r linux-arm64 -c Release -p:PublishAot=true` with the cross toolchain that
# setup.sh prepares (aarch64-linux-gnu-gcc behind a wrapper that drops clang's --target=, GNU ld,
# aarch64-linux-gnu-objcopy), into an artifacts folder of its own under the arm64 cache, and copies
# the native executable to OUTDIR/<AssemblyName>. The project should set InvariantGlobalization=true
# (the guest has no ICU) and may use <DirectPInvoke Include="libc" />.
#
# stdout: the path of the copied binary (one line). stderr: build log and the binary's NEEDED libraries.
# Exit status: dotnet's, or 1 when no aarch64 executable came out.
# IOSYS_HW_PUBLISH_TIMEOUT (seconds, default 1500) bounds the publish.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 PROJECT.csproj OUTDIR [dotnet publish args...]" >&2; exit 2; }
PROJ=$1 OUT=$2; shift 2
[ -f "$PROJ" ] || { echo "[arm64-publish] no such project: $PROJ" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE_ROOT=${IOSYS_HW_CACHE:-$HOME/.cache/iosys-hw}
ENVF=$CACHE_ROOT/arm64/arm64.env

# shellcheck disable=SC1090
if [ -f "$ENVF" ]; then . "$ENVF"; fi
if [ -z "${AARCH64_CC:-}" ] || [ ! -x "$AARCH64_CC" ] || ! command -v aarch64-linux-gnu-gcc >/dev/null; then
    "$HERE/setup.sh" --quiet >/dev/null
    # shellcheck disable=SC1090
    . "$ENVF"
fi

PROJ_ABS=$(cd "$(dirname "$PROJ")" && pwd)/$(basename "$PROJ")
NAME=$(basename "$PROJ" .csproj)
KEY=$(printf '%s' "$PROJ_ABS" | md5sum | cut -c1-10)
ART=$CACHE_ROOT/arm64/artifacts/$NAME-$KEY

ARGS=(-r linux-arm64 -c Release -p:PublishAot=true
      "-p:CppCompilerAndLinker=$AARCH64_CC" "-p:ObjCopyName=$AARCH64_OBJCOPY" -p:LinkerFlavor=bfd
      --artifacts-path "$ART")
[ -z "${AARCH64_SYSROOT:-}" ] || ARGS+=("-p:SysRoot=$AARCH64_SYSROOT")

echo "[arm64-publish] dotnet publish $PROJ ${ARGS[*]} $*" >&2
T0=$(date +%s)
timeout "${IOSYS_HW_PUBLISH_TIMEOUT:-1500}" dotnet publish "$PROJ_ABS" "${ARGS[@]}" "$@" >&2
echo "[arm64-publish] publish took $(( $(date +%s) - T0 )) s" >&2

# The native executable: an ELF file for machine 0xb7 (AArch64) in the publish folder, not a .dbg.
is_aarch64_exe() {
    [ "$(head -c4 "$1" | od -An -tx1 | tr -d ' ')" = "7f454c46" ] || return 1
    [ "$(dd if="$1" bs=1 skip=16 count=4 2>/dev/null | od -An -tx1 | tr -d ' ')" = "0200b700" ] ||   # ET_EXEC
    [ "$(dd if="$1" bs=1 skip=16 count=4 2>/dev/null | od -An -tx1 | tr -d ' ')" = "0300b700" ]     # ET_DYN (PIE)
}
BIN=
while IFS= read -r f; do
    case "$f" in *.dbg|*.so|*.so.*) continue ;; esac
    if is_aarch64_exe "$f"; then BIN=$f; break; fi
done < <(find "$ART/publish" -type f -newermt "@$T0" 2>/dev/null; find "$ART/publish" -type f 2>/dev/null)
[ -n "$BIN" ] || { echo "[arm64-publish] no aarch64 executable under $ART/publish" >&2; exit 1; }

mkdir -p "$OUT"
cp "$BIN" "$OUT/"
DEST=$(cd "$OUT" && pwd)/$(basename "$BIN")
echo "[arm64-publish] $DEST ($(stat -c %s "$DEST") bytes), NEEDED: $(aarch64-linux-gnu-readelf -d "$DEST" | awk '/NEEDED/ {gsub(/[][]/, "", $5); printf "%s ", $5}')" >&2
echo "$DEST"
