#!/usr/bin/env bash
# Boot a QEMU guest with real PCI devices (edu, ivshmem-plain) and run a payload in it.
#
# usage: run-guest.sh --payload DIR [--arch x86_64|arm64] [--shm-file FILE] [--timeout SECONDS]
#                     [--env KEY=VALUE]... [--setup] [--quiet] [--debug] [--keep-initrd]
#
#   --payload DIR     directory copied to /payload in the guest; the guest runs /payload/run.sh,
#                     which prints "PASS <name>" / "FAIL <name>: <reason>" / "SKIP <name>: <reason>"
#   --arch            guest architecture (default x86_64)
#   --shm-file FILE   host file behind the ivshmem BAR (1 MiB); created zero-filled if missing,
#                     extended to 1 MiB if shorter, kept after the run (default: <run dir>/ivshmem.bin)
#   --timeout SECONDS bound on the whole boot-run-poweroff (default 300); the payload gets this
#                     minus a boot margin (passed to the guest as iosys.timeout=)
#   --env KEY=VALUE   extra variable exported to the payload (repeatable)
#   --setup           run the arch's setup script first (installs/downloads what is missing)
#   --quiet           do not echo the guest console (it is still logged)
#   --debug           boot without "quiet" and with iosys.debug=1
#   --keep-initrd     keep the initramfs in the run directory
#
# Exit status: 0 all tests passed (verdict pass>0 fail=0, QEMU's exit code agrees);
#              1 some test failed; 2 harness/guest error (no verdict, timeout, disagreement).
# Last line:   "guest: N passed, N failed, N skipped".
# Logs:        $IOSYS_HW_BUILD (default <repo>/artifacts/hardware)/<arch>/<run>/console.log
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARCH=x86_64 PAYLOAD="" SHM="" TIMEOUT=300 SETUP=0 QUIET=0 DEBUG=0 KEEP_INITRD=0
ENVARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCH=${2:?--arch needs a value}; shift ;;
        --payload) PAYLOAD=${2:?--payload needs a directory}; shift ;;
        --shm-file) SHM=${2:?--shm-file needs a file}; shift ;;
        --timeout) TIMEOUT=${2:?--timeout needs seconds}; shift ;;
        --env) ENVARGS+=(--env "${2:?--env needs KEY=VALUE}"); shift ;;
        --setup) SETUP=1 ;;
        --quiet) QUIET=1 ;;
        --debug) DEBUG=1 ;;
        --keep-initrd) KEEP_INITRD=1 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "run-guest.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# Harness errors exit 2 (hw_die exits 1, which would read as "tests failed").
hw_die() { printf '[hw] ERROR: %s\n' "$*" >&2; echo "guest: 0 passed, 0 failed, 0 skipped"; exit 2; }

[ -n "$PAYLOAD" ] || hw_die "--payload DIR is required"
[ -d "$PAYLOAD" ] || hw_die "payload directory '$PAYLOAD' does not exist"
if ! [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || [ "$TIMEOUT" -lt 10 ]; then hw_die "--timeout must be an integer >= 10"; fi
hw_load_arch "$ARCH"

if [ "$SETUP" -eq 1 ]; then
    SETUP_SCRIPT=$(hw_arch_setup_script)
    [ -f "$SETUP_SCRIPT" ] || hw_die "no setup script for $HW_ARCH ($SETUP_SCRIPT)"
    bash "$SETUP_SCRIPT" || hw_die "$SETUP_SCRIPT failed"
fi
hw_arch_check
hw_need timeout coreutils

# Run directory (logs are kept; only the 20 newest runs per arch are).
STAMP=$(date -u +%Y%m%d-%H%M%S)-$$
RUNDIR=$HW_BUILD/$HW_ARCH/$STAMP
mkdir -p "$RUNDIR"
find "$HW_BUILD/$HW_ARCH" -mindepth 1 -maxdepth 1 -type d -name '2*-*' | sort | head -n -20 |
    while read -r old; do rm -rf "$old"; done
ln -sfn "$STAMP" "$HW_BUILD/$HW_ARCH/latest"
LOG=$RUNDIR/console.log

# Shared-memory file behind ivshmem (1 MiB).
SHM_SIZE=$((1024 * 1024))
[ -n "$SHM" ] || SHM=$RUNDIR/ivshmem.bin
mkdir -p "$(dirname "$SHM")"
SHM=$(cd "$(dirname "$SHM")" && pwd)/$(basename "$SHM")
if [ ! -e "$SHM" ]; then
    truncate -s "$SHM_SIZE" "$SHM"
else
    [ -f "$SHM" ] || hw_die "--shm-file '$SHM' is not a regular file"
    size=$(stat -c %s "$SHM")
    [ "$size" -le "$SHM_SIZE" ] || hw_die "--shm-file '$SHM' is $size bytes; at most $SHM_SIZE allowed"
    [ "$size" -eq "$SHM_SIZE" ] || truncate -s "$SHM_SIZE" "$SHM"
fi

# Payload timeout inside the guest: leave a margin for boot and poweroff.
MARGIN=${HW_ARCH_BOOT_MARGIN:-60}
if [ "$TIMEOUT" -gt $((MARGIN + 10)) ]; then GUEST_TIMEOUT=$((TIMEOUT - MARGIN)); else GUEST_TIMEOUT=$((TIMEOUT / 2)); fi

if [ -n "${HW_ARCH_EDU_DMA_MASK:-}" ]; then ENVARGS+=(--env "IOSYS_EDU_DMA_MASK=$HW_ARCH_EDU_DMA_MASK"); fi

INITRD=$RUNDIR/initrd.gz
hw_log "building initramfs from $PAYLOAD"
bash "$HW_DIR/build-initramfs.sh" --arch "$HW_ARCH" --payload "$PAYLOAD" --output "$INITRD" \
    "${ENVARGS[@]+"${ENVARGS[@]}"}" || hw_die "build-initramfs.sh failed"

APPEND="console=$(hw_arch_console) panic=-1 iosys.timeout=$GUEST_TIMEOUT"
if [ "$DEBUG" -eq 1 ]; then APPEND="$APPEND iosys.debug=1"; else APPEND="$APPEND quiet"; fi
QEMU_ARGS=$(hw_arch_qemu_cmd "$(hw_arch_kernel)" "$INITRD" "$APPEND" "$SHM") || hw_die "arch plug-in: no qemu command"
mapfile -t QEMU <<< "$QEMU_ARGS"
[ ${#QEMU[@]} -gt 0 ] || hw_die "arch plug-in produced no qemu command"
command -v "${QEMU[0]}" >/dev/null 2>&1 || [ -x "${QEMU[0]}" ] || hw_die "QEMU binary '${QEMU[0]}' not found"
printf '%q ' "${QEMU[@]}" > "$RUNDIR/qemu-cmd.txt"; echo >> "$RUNDIR/qemu-cmd.txt"

hw_log "booting $HW_ARCH guest (timeout ${TIMEOUT}s, payload timeout ${GUEST_TIMEOUT}s); console: $LOG"
T0=$(date +%s.%N)
set +e
if [ "$QUIET" -eq 1 ]; then
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" < /dev/null > "$LOG" 2>&1
    QRC=$?
else
    # Echo without firmware escape codes (ESC c would reset the user's terminal) and CRs.
    timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" < /dev/null 2>&1 | tee "$LOG" |
        sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/\r$//'
    QRC=${PIPESTATUS[0]}
fi
set -e
T1=$(date +%s.%N)
ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')
[ "$KEEP_INITRD" -eq 1 ] || rm -f "$INITRD"

# --- verdict ---------------------------------------------------------------------------
CLEAN=$RUNDIR/console.txt
tr -d '\r' < "$LOG" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' > "$CLEAN"
NPASS=$(grep -c '^PASS ' "$CLEAN" || true)
NFAIL=$(grep -c '^FAIL ' "$CLEAN" || true)
NSKIP=$(grep -c '^SKIP ' "$CLEAN" || true)
VLINE=$(grep -E '^IOSYS-GUEST-VERDICT ' "$CLEAN" | tail -n1 || true)

ERR=""
if [ "$QRC" -eq 124 ] || [ "$QRC" -eq 137 ]; then
    ERR="guest did not finish within ${TIMEOUT}s (killed by timeout)"
elif [ -z "$VLINE" ]; then
    if grep -q 'Kernel panic' "$CLEAN"; then ERR="guest kernel panicked (QEMU exit $QRC)"
    else ERR="guest printed no IOSYS-GUEST-VERDICT line (QEMU exit $QRC)"; fi
else
    VPASS=$(sed -n 's/.* pass=\([0-9]*\).*/\1/p' <<< "$VLINE")
    VFAIL=$(sed -n 's/.* fail=\([0-9]*\).*/\1/p' <<< "$VLINE")
    VSKIP=$(sed -n 's/.* skip=\([0-9]*\).*/\1/p' <<< "$VLINE")
    VSTATUS=$(sed -n 's/.* status=\([0-9]*\).*/\1/p' <<< "$VLINE")
    if [ -z "$VPASS" ] || [ -z "$VFAIL" ] || [ -z "$VSTATUS" ]; then
        ERR="malformed verdict line: $VLINE"
    elif [ "$VPASS" != "$NPASS" ] || [ "$VFAIL" != "$NFAIL" ] || [ "${VSKIP:-$NSKIP}" != "$NSKIP" ]; then
        ERR="console lines ($NPASS passed, $NFAIL failed, $NSKIP skipped) disagree with the guest verdict ($VLINE)"
    else
        case "$(hw_arch_exit_channel)" in
            status-code)
                if [ "$QRC" -ne $(( (VSTATUS << 1) | 1 )) ]; then
                    ERR="QEMU exit code $QRC disagrees with the guest verdict status $VSTATUS (expected $(( (VSTATUS << 1) | 1 )))"
                fi ;;
            *)
                [ "$QRC" -eq 0 ] || ERR="QEMU exited with $QRC after the verdict line" ;;
        esac
        if [ -z "$ERR" ]; then
            case "$VSTATUS" in
                0) ;;
                1) ;;
                2) ERR="guest reported a setup/payload error (status 2): $(grep '^iosys-init: ' "$CLEAN" | grep -vE 'booted|IOSYS_EDU_PCI=|payload started|payload exit status' | sed 's/^iosys-init: //' | paste -sd ';' -)" ;;
                3) ERR="payload timed out in the guest after ${GUEST_TIMEOUT}s" ;;
                *) ERR="unknown guest status $VSTATUS" ;;
            esac
        fi
    fi
fi

{
    echo "arch=$HW_ARCH qemu_exit=$QRC elapsed_s=$ELAPSED verdict=${VLINE:-none}"
    echo "shm_file=$SHM"
    [ -z "$ERR" ] || echo "error=$ERR"
    grep -E '^(PASS|FAIL|SKIP) ' "$CLEAN" || true
} > "$RUNDIR/summary.txt"

echo "hw: console log: $LOG"
echo "hw: shm file: $SHM"
echo "hw: boot-run-poweroff ${ELAPSED}s, QEMU exit $QRC, ${VLINE:-no verdict}"
if [ "$NFAIL" -gt 0 ]; then
    echo "hw: failed tests:"
    grep '^FAIL ' "$CLEAN" | sed 's/^/hw:   /'
fi
if [ -n "$ERR" ]; then
    if [ "$QUIET" -eq 1 ]; then
        echo "hw: last console lines:"
        tail -n 25 "$CLEAN" | sed 's/^/hw: | /'
    fi
    echo "hw: ERROR: $ERR"
    RC=2
elif [ "$VSTATUS" -eq 0 ] && [ "$NFAIL" -eq 0 ] && [ "$NPASS" -gt 0 ]; then
    RC=0
else
    RC=1
fi
echo "guest: $NPASS passed, $NFAIL failed, $NSKIP skipped"
exit "$RC"
