#!/bin/sh
# The hardware-test payload: runs in the QEMU guest (busybox sh, from /payload) after /init found edu and
# ivshmem-plain (tests/Hardware/README.md). Prints PASS/FAIL/SKIP lines for:
#   1. iosys-hwtests: the library against the real devices (its own PASS/FAIL/SKIP lines);
#   2. the iosys tool (NativeAOT) against the same devices: list, read, load, refused reads.
# The host (tests/Hardware/run.sh) then checks what was written into the ivshmem file.
cd "$(dirname "$0")" || exit 2
# shellcheck source=/dev/null
. ./layout.sh
export IOSYS_HW_FW="$PWD/fw.bin" IOSYS_HW_HOSTDATA="$PWD/hostdata.bin"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# describe_rc RC: what an exit status means when it is not a clean exit.
describe_rc() {
    case "$1" in
        134) echo "exit 134: aborted (an unhandled .NET exception or SIGABRT)" ;;
        135) echo "exit 135: killed by SIGBUS" ;;
        139) echo "exit 139: killed by SIGSEGV" ;;
        137) echo "exit 137: killed (SIGKILL)" ;;
        *) echo "exit $1" ;;
    esac
}

echo "payload: $(uname -m), edu $IOSYS_EDU_PCI ($IOSYS_EDU_UIO), ivshmem $IOSYS_IVSHMEM_PCI"

# --- 1. the library -----------------------------------------------------------------------------
if [ -x ./iosys-hwtests ]; then
    ./iosys-hwtests
    rc=$?
    # 0 and 1 are the program's own verdicts (its FAIL lines say what failed); anything else is a crash.
    [ "$rc" -le 1 ] || fail hwtests.process "iosys-hwtests ended abnormally ($(describe_rc "$rc"))"
else
    fail hwtests.process "no iosys-hwtests in the payload"
fi

# --- 1b. the library under the JIT (arm64: run.sh's publish_jit) ---------------------------------
# The same program, self-contained and JIT-compiled, as a JIT user on a board runs it: its ordered accesses and
# barriers call the ordering stub through libiosys_native.so (NativeAOT links it statically instead). Its lines are
# renamed jit.* so they count apart from the NativeAOT run's.
if [ -x ./jit/iosys-hwtests ]; then
    ./jit/iosys-hwtests --only ordering. > jit.out 2>&1
    rc=$?
    sed -e 's/^PASS /PASS jit./' -e 's/^FAIL /FAIL jit./' -e 's/^SKIP /SKIP jit./' jit.out
    [ "$rc" -le 1 ] || fail jit.hwtests.process "the JIT iosys-hwtests ended abnormally ($(describe_rc "$rc"))"
    grep -q '^PASS ' jit.out || fail jit.hwtests.ran "the JIT iosys-hwtests passed no scenario"
fi

# --- 2. the tool ----------------------------------------------------------------------------------
IOSYS=./iosys
if [ ! -x "$IOSYS" ]; then
    fail cli.present "no iosys binary in the payload"
    exit 0
fi

# run_cli NAME ARGS...: runs iosys, keeps its output in $OUT and status in $RC, echoes both for the log.
run_cli() {
    n=$1; shift
    OUT=$("$IOSYS" "$@" 2>&1)
    RC=$?
    echo "  \$ iosys $* -> exit $RC"
    printf '%s\n' "$OUT" | sed 's/^/  | /'
    case "$RC" in 0|1|2) ;; *) fail "$n" "iosys crashed ($(describe_rc "$RC"))"; return 1 ;; esac
    return 0
}

# bars_of ID: the "barN ..." lines listed under the device with vendor:device ID.
bars_of() {
    printf '%s\n' "$OUT" | awk -v id="$1" '
        $2 == id { inside = 1; next }
        inside && $1 ~ /^bar[0-9]$/ { print; next }
        { inside = 0 }'
}

if run_cli cli.list list; then
    edu_bar0=$(bars_of 1234:11e8 | grep '^ *bar0 .*memory.*1 MiB')
    ivs_bar2=$(bars_of 1af4:1110 | grep '^ *bar2 .*memory.*1 MiB')
    if [ "$RC" -ne 0 ]; then fail cli.list "exit $RC"
    elif [ -z "$edu_bar0" ]; then fail cli.list "edu (1234:11e8) with a 1 MiB memory bar0 not listed"
    elif [ -z "$ivs_bar2" ]; then fail cli.list "ivshmem (1af4:1110) with a 1 MiB memory bar2 not listed"
    elif [ -n "$IOSYS_EDU_UIO" ] && ! printf '%s\n' "$OUT" | grep -q "^ *$IOSYS_EDU_UIO "; then fail cli.list "$IOSYS_EDU_UIO not listed under UIO devices"
    else pass cli.list; fi
fi

if run_cli cli.read-id read pci:1234:11e8 0x0; then
    if [ "$RC" -eq 0 ] && [ "$OUT" = "0x010000ed" ]; then pass cli.read-id
    else fail cli.read-id "expected exit 0 and 0x010000ed, got exit $RC: $OUT"; fi
fi

# load_check NAME WIDTH OFFSET: load the firmware with WIDTH-bit stores and --verify (the host compares too).
load_check() {
    if run_cli "$1" load "$IOSYS_HW_FW" pci:1af4:1110/bar2 "$3" --width "$2" --verify; then
        if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q "verified $IOSYS_HW_FW_LEN bytes"; then pass "$1"
        else fail "$1" "exit $RC: $OUT"; fi
    fi
}
load_check cli.load-u8 8 "$IOSYS_HW_CLI_LOAD8_OFF"
load_check cli.load-u64 64 "$IOSYS_HW_CLI_LOAD64_OFF"
if run_cli cli.read-back read pci:1af4:1110/bar2 "$IOSYS_HW_CLI_LOAD64_OFF" --width 8 --count 4; then
    want=$(od -An -tx1 -N4 "$IOSYS_HW_FW" | awk '{ for (i = 1; i <= NF; i++) printf "0x%s ", $i }')
    got=$(printf '%s\n' "$OUT" | tr '\n' ' ')
    if [ "$RC" -eq 0 ] && [ "$got" = "$want" ]; then pass cli.read-back
    else fail cli.read-back "expected '$want' (the image's first bytes), got exit $RC: $got"; fi
fi

# refused NAME PATTERN ARGS...: iosys must refuse with exit 1 and a message matching PATTERN (no crash).
refused() {
    n=$1 pat=$2; shift 2
    if run_cli "$n" "$@"; then
        if [ "$RC" -eq 1 ] && printf '%s\n' "$OUT" | grep -qiE "$pat"; then pass "$n"
        else fail "$n" "expected exit 1 and a message matching /$pat/, got exit $RC: $OUT"; fi
    fi
}
refused cli.read-past-end 'range|past|end|beyond|outside' read pci:1af4:1110/bar2 0x100000
refused cli.read-straddling-end 'range|past|end|beyond|outside' read pci:1af4:1110/bar2 0xffffc --width 64
refused cli.read-misaligned 'align' read pci:1234:11e8 0x1
echo "  FAULT-DEMO cli:     iosys read pci:1234:11e8 0x1 -> exit $RC: $OUT"
# edu's width rules travel with its BAR: a byte read below 0x80 is refused, not made (edu would answer 0).
refused cli.read-width-refused 'refused.*4-byte' read pci:1234:11e8 0x0 --width 8

. ./registers.sh # registers by name (issue 15): edu by name; arm64: the PrimeCells through /dev/mem
[ -f ./edudemo.sh ] && . ./edudemo.sh # issue 13: edu-demo on UIO, list's driver, pci:ADDR/config, bind/unbind

# --- 3. PCI memory decoding (issue 16): last, because it unbinds edu ----------------------------------------------
# An unclaimed device with memory decoding off reads all-ones; the tool must refuse it, say so in `list`, and turn it
# on with --enable (sysfs enable = pci_enable_device). Unbinding leaves the Memory Space bit as it was, so it is
# cleared here with one 16-bit config write (as `setpci COMMAND=` would).
EDU_SYS=/sys/bus/pci/devices/$IOSYS_EDU_PCI
if [ -n "$IOSYS_EDU_PCI" ] && [ -e "$EDU_SYS/config" ]; then
    drv=$(basename "$(readlink "$EDU_SYS/driver" 2>/dev/null)" 2>/dev/null)
    [ -z "$drv" ] || echo "$IOSYS_EDU_PCI" > "/sys/bus/pci/drivers/$drv/unbind"
    [ "$(cat "$EDU_SYS/enable")" = 0 ] || echo 0 > "$EDU_SYS/enable" 2>/dev/null
    cmd=$(od -An -tu2 -j4 -N2 "$EDU_SYS/config" | tr -d ' ')
    new=$((cmd & ~2))
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((new & 255)))\\$(printf %03o $((new >> 8)))" |
        dd of="$EDU_SYS/config" bs=2 seek=2 count=1 conv=notrunc 2>/dev/null
    echo "  edu command register: $cmd -> $(od -An -tu2 -j4 -N2 "$EDU_SYS/config" | tr -d ' ') (driver '${drv:-none}' unbound)"
    if run_cli cli.decoding-list list; then
        if printf '%s\n' "$OUT" | grep -q "^ *$IOSYS_EDU_PCI  1234:11e8 .*DISABLED"; then pass cli.decoding-list
        else fail cli.decoding-list "edu not listed as DISABLED: $OUT"; fi
    fi
    refused cli.decoding-refused 'memory decoding.*off.*--enable' read pci:1234:11e8 0x0
    if run_cli cli.decoding-enable read pci:1234:11e8 0x0 --enable; then
        if [ "$RC" -eq 0 ] && [ "$OUT" = "0x010000ed" ]; then pass cli.decoding-enable
        else fail cli.decoding-enable "expected exit 0 and 0x010000ed after --enable, got exit $RC: $OUT"; fi
    fi
else
    echo "SKIP cli.decoding: edu's sysfs config not found"
fi

# --- 4. A PCI device removed while mapped (issue 16): last, because it removes ivshmem ---------------------------
# Two watchers of ivshmem's BAR2 while `echo 1 > remove` takes the device away: through pci: (the tool asks
# PciDevices.IsPresent before each read) it must stop with exit 1 saying the device is gone; through the resource
# file path (a plain map, no presence check: what a library read loop sees) it must keep running without a signal.
# Read-only: the host checks every byte of the ivshmem file afterwards.
IVS_SYS=/sys/bus/pci/devices/$IOSYS_IVSHMEM_PCI
if [ -n "$IOSYS_IVSHMEM_PCI" ] && [ -e "$IVS_SYS/remove" ]; then
    "$IOSYS" watch "pci:1af4:1110/bar$IOSYS_IVSHMEM_BAR" 0x0 --interval 50ms --timeout 60s > /tmp/rm-pci.out 2> /tmp/rm-pci.err &
    p1=$!
    "$IOSYS" watch "$IVS_SYS/resource$IOSYS_IVSHMEM_BAR" 0x0 --interval 50ms --timeout 10s > /tmp/rm-file.out 2> /tmp/rm-file.err &
    p2=$!
    i=0 # until both print their first value (TCG is slow to start them), so the removal happens while mapped
    while [ $i -lt 200 ] && { [ ! -s /tmp/rm-pci.out ] || [ ! -s /tmp/rm-file.out ]; }; do sleep 0.5; i=$((i + 1)); done
    echo 1 > "$IVS_SYS/remove"
    wait $p1; r1=$?
    wait $p2; r2=$?
    echo "  watch pci: (removed while watched) -> exit $r1"; sed 's/^/  | /' /tmp/rm-pci.out /tmp/rm-pci.err
    echo "  watch resource file (removed while watched) -> exit $r2"; sed 's/^/  | /' /tmp/rm-file.out /tmp/rm-file.err
    if [ "$r1" -eq 1 ] && grep -q "is gone" /tmp/rm-pci.err && grep -q '^+[0-9.]*s 0x' /tmp/rm-pci.out; then pass cli.removed-watch-reports-gone
    else fail cli.removed-watch-reports-gone "expected exit 1, the first value and 'is gone', got exit $r1 ($(describe_rc "$r1"))"; fi
    if [ "$r2" -le 1 ] && grep -q '^+[0-9.]*s 0x' /tmp/rm-file.out; then pass cli.removed-plain-map-keeps-running
    else fail cli.removed-plain-map-keeps-running "got $(describe_rc "$r2")"; fi
else
    echo "SKIP cli.removed: ivshmem's sysfs remove not found"
fi
exit 0
