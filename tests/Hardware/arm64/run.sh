#!/usr/bin/env bash
# Boot an arm64 initramfs under QEMU 10 (TCG) with QEMU's edu device and judge the guest's verdict.
#
#   tests/Hardware/arm64/run.sh INITRD [--timeout SECONDS] [--log FILE] [--append "KERNEL ARGS"]
#                                      [-- EXTRA QEMU ARGS...]
#
# Command line (the recipe of shared/REFERENCE.md section 7, QEMU from setup.sh):
#   $QEMU_AARCH64 -M virt -cpu cortex-a57 -m 1024 -smp 2 -nographic -no-reboot -nic none
#                 -kernel $KERNEL_ARM64 -initrd INITRD -append "console=ttyAMA0 panic=-1 ..." -device edu ...
# ($QEMU_AARCH64 is a wrapper that adds -L <datadir> -audio none.)
#
# The guest reports on its console, as one line:   IOSYS-GUEST-VERDICT pass=N fail=M
# and then runs `poweroff -f`, which ends QEMU at once (exit 0) thanks to -no-reboot; a kernel panic
# (e.g. /init exited) reboots at once (panic=-1) and so ends QEMU too. QEMU's own exit status says nothing
# about the tests: the verdict line does.
#
# Console goes to stdout (and to --log FILE). Exit status:
#   0    verdict line with fail=0 and pass>0
#   1    verdict line with fail>0 or pass=0
#   2    no verdict line (guest crashed, /init died, kernel panic)
#   124  timeout (default 300 s; IOSYS_HW_ARM64_TIMEOUT)
#   125  usage error, or QEMU failed (non-zero exit) without a verdict
set -euo pipefail

usage() { sed -n '2,6p' "$0" >&2; exit 125; }
[ $# -ge 1 ] || usage
INITRD=$1; shift
TIMEOUT=${IOSYS_HW_ARM64_TIMEOUT:-300}
LOG=
APPEND_EXTRA=
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) TIMEOUT=$2; shift 2 ;;
        --log) LOG=$2; shift 2 ;;
        --append) APPEND_EXTRA=$2; shift 2 ;;
        --) shift; break ;;
        *) usage ;;
    esac
done
[ -f "$INITRD" ] || { echo "[arm64-run] no such initrd: $INITRD" >&2; exit 125; }

HERE=$(cd "$(dirname "$0")" && pwd)
ENVF=${IOSYS_HW_CACHE:-$HOME/.cache/iosys-hw}/arm64/arm64.env
# shellcheck disable=SC1090
if [ -f "$ENVF" ]; then . "$ENVF"; fi
if [ -z "${QEMU_AARCH64:-}" ] || [ ! -x "$QEMU_AARCH64" ] || [ ! -f "${KERNEL_ARM64:-}" ]; then
    "$HERE/setup.sh" --quiet >/dev/null
    # shellcheck disable=SC1090
    . "$ENVF"
fi

OUT=${LOG:-$(mktemp)}
[ -n "$LOG" ] || trap 'rm -f "$OUT"' EXIT
CMD=("$QEMU_AARCH64" -M virt -cpu cortex-a57 -m 1024 -smp 2 -nographic -no-reboot -nic none
     -kernel "$KERNEL_ARM64" -initrd "$INITRD" -append "console=ttyAMA0 panic=-1 $APPEND_EXTRA"
     -device edu "$@")
echo "[arm64-run] ${CMD[*]}" >&2
T0=$(date +%s.%N)
set +e
timeout --kill-after=10 "$TIMEOUT" "${CMD[@]}" < /dev/null 2>&1 | tee "$OUT"
RCS=("${PIPESTATUS[@]}")
set -e
QRC=${RCS[0]}
SECS=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

V=$(tr -d '\r' < "$OUT" | grep -ao 'IOSYS-GUEST-VERDICT pass=[0-9]* fail=[0-9]*' | tail -n1 || true)
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
    echo "[arm64-run] TIMEOUT after ${SECS} s (limit $TIMEOUT s); last verdict: ${V:-none}" >&2
    exit 124
fi
if [ -z "$V" ]; then
    echo "[arm64-run] NO VERDICT (qemu exit $QRC, ${SECS} s)" >&2
    # QEMU ends with 0 on poweroff and on panic=-1 reboot; anything else means QEMU itself failed.
    [ "$QRC" = 0 ] || exit 125
    exit 2
fi
PASS=$(echo "$V" | sed 's/.*pass=\([0-9]*\).*/\1/')
FAIL=$(echo "$V" | sed 's/.*fail=\([0-9]*\).*/\1/')
echo "[arm64-run] $V (qemu exit $QRC, ${SECS} s)" >&2
[ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ] && exit 0
exit 1
