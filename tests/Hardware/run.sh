#!/usr/bin/env bash
# IoSys hardware tests: the one entry point CI calls.
#
# usage: tests/Hardware/run.sh [--arch x86_64|arm64|all] [--no-setup] [--guest-timeout SECONDS]
#
# For each arch: runs the arch's setup (apt packages, kernel, QEMU; cached after the first run), publishes
# tests/IoSys.HardwareTests and src/IoSys.Cli (NativeAOT) for it, assembles the payload (those two binaries,
# payload/run.sh, payload/layout.sh, a firmware image and host data generated from fixed seeds), prepares the
# ivshmem host file (host data + guard bytes), boots the guest with run-guest.sh, and then checks ON THE HOST
# what the guest wrote into the ivshmem file: every region byte for byte against the image it should hold.
#
# Output: the guest's PASS/FAIL/SKIP lines, the fault demonstration, the host checks, one summary line per
# arch, and as the LAST line: "hardware: N passed, N failed, N skipped" (guest + host, all arches run).
# Exit status: 0 only if nothing failed; a missing prerequisite or a harness error is a failure.
#
# Environment: IOSYS_HW_CACHE, IOSYS_HW_BUILD (see README.md); IOSYS_HW_ARTIFACTS (dotnet artifacts folder for
# the publishes, one subfolder per arch; default $IOSYS_HW_BUILD/dotnet).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
set +e   # lib.sh's inherit_errexit is fine; this script counts failures instead of stopping at them

ARCHES=x86_64 SETUP=1 GUEST_TIMEOUT=${GUEST_TIMEOUT:-}   # the environment's GUEST_TIMEOUT counts too (as the docs say)
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCHES=${2:?--arch needs x86_64, arm64 or all}; shift ;;
        --no-setup) SETUP=0 ;;
        --guest-timeout) GUEST_TIMEOUT=${2:?--guest-timeout needs seconds}; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$ARCHES" in
    all) ARCHES="x86_64 arm64" ;;
    x86_64|amd64|x64) ARCHES=x86_64 ;;
    arm64|aarch64) ARCHES=arm64 ;;
    *) echo "run.sh: --arch must be x86_64, arm64 or all (got '$ARCHES')" >&2; exit 2 ;;
esac

ART=${IOSYS_HW_ARTIFACTS:-$HW_BUILD/dotnet}
TOTAL_PASS=0 TOTAL_FAIL=0 TOTAL_SKIP=0
T_START=$(date +%s)
SUMMARIES=()

say() { printf '[hardware %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
secs() { echo $(( $(date +%s) - $1 )); }

# Host-side results: one PASS/FAIL line each, counted into the totals.
HOST_PASS=0 HOST_FAIL=0
host_pass() { echo "PASS $1"; HOST_PASS=$((HOST_PASS + 1)); }
host_fail() { echo "FAIL $1: $2"; HOST_FAIL=$((HOST_FAIL + 1)); }

# bounded SECONDS CMD...: run CMD under timeout; 124 means it timed out.
bounded() { local s=$1; shift; timeout --kill-after=10 "$s" "$@"; }

# gen_bytes SEED LENGTH: deterministic pseudo-random bytes (32-bit LCG, high byte of each step) on stdout.
# perl-base is Essential on Debian; the same seed gives the same bytes on every host.
gen_bytes() {
    perl -e 'my ($x, $n) = @ARGV; $x %= 4294967296; my $o = "";
             for (1 .. $n) { $x = ($x * 1103515245 + 12345) % 4294967296; $o .= chr(($x >> 16) & 0xff); }
             binmode STDOUT; print $o;' "$1" "$2"
}

# put FILE OFFSET SRC: write SRC's bytes into FILE at OFFSET (no truncation).
put() { dd if="$3" of="$1" bs=4096 seek="$(($2))" oflag=seek_bytes conv=notrunc status=none; }

# put_fill FILE OFFSET LENGTH BYTE: LENGTH copies of BYTE at OFFSET.
put_fill() {
    head -c "$(($3))" /dev/zero | tr '\0' "\\$(printf '%03o' "$(($4))")" |
        dd of="$1" bs=4096 seek="$(($2))" oflag=seek_bytes conv=notrunc status=none
}

# publish ARCH PROJECT NAME OUTDIR: NativeAOT publish of PROJECT for ARCH; copies the executable NAME to OUTDIR.
# Both projects set PublishAot themselves; -p:PublishAot=true is passed anyway because it is the form most people
# type, and it once failed (a global property reaches every referenced project, and the netstandard2.0 analyzer
# projects refused it with NETSDK1207; they now treat PublishAot as their own): this publish is its check.
publish() {
    local arch=$1 proj=$2 name=$3 out=$4 t0 bin rid args=()
    t0=$(date +%s)
    if [ "$arch" = arm64 ]; then
        rid=linux-arm64
        # shellcheck source=/dev/null
        . "$HW_CACHE/arm64/arm64.env" || { echo "no $HW_CACHE/arm64/arm64.env: run tests/Hardware/arm64/setup.sh"; return 1; }
        [ -x "${AARCH64_CC:-}" ] || { echo "arm64 cross compiler wrapper missing: run tests/Hardware/arm64/setup.sh"; return 1; }
        args=("-p:CppCompilerAndLinker=$AARCH64_CC" "-p:ObjCopyName=$AARCH64_OBJCOPY" -p:LinkerFlavor=bfd)
        [ -z "${AARCH64_SYSROOT:-}" ] || args+=("-p:SysRoot=$AARCH64_SYSROOT")
    else
        rid=linux-x64
    fi
    bounded 900 dotnet publish "$proj" -r "$rid" -c Release -p:PublishAot=true --artifacts-path "$ART/$arch" "${args[@]+"${args[@]}"}" \
        -nologo -clp:ErrorsOnly > "$out/.publish-$name.log" 2>&1 || { tail -n 30 "$out/.publish-$name.log"; return 1; }
    bin=$ART/$arch/publish/$(basename "$proj" .csproj)/release_$rid/$name
    [ -f "$bin" ] || { echo "no $bin after publishing $proj"; return 1; }
    cp "$bin" "$out/$name"
    [ -x "$out/$name" ] || { echo "publish of $proj left no executable $out/$name"; return 1; }
    rm -f "$out/.publish-$name.log"
    say "published $name for $arch in $(secs "$t0")s ($(stat -c %s "$out/$name") bytes)"
}

# qemu_version ARCH: "7.2.22" / "10.0.2" (edu's behaviour differs between versions; logged with each boot).
qemu_version() {
    local v
    if [ "$1" = arm64 ]; then
        # shellcheck source=/dev/null
        v=$(. "$HW_CACHE/arm64/arm64.env" 2>/dev/null && "$QEMU_AARCH64" --version 2>/dev/null | head -n1)
    else
        v=$(qemu-system-x86_64 --version 2>/dev/null | head -n1)
    fi
    sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' <<< "$v"
}

# check_region NAME OFFSET LENGTH: compare [OFFSET, +LENGTH) of the guest-written file with the expected one.
check_region() {
    local name=$1 off=$(($2)) len=$(($3)) out at got want
    out=$(cmp -i "$off:$off" -n "$len" "$SHM" "$EXPECTED" 2>&1)
    case $? in
        0) host_pass "$name" ;;
        1)
            at=$(sed -n 's/.* byte \([0-9]*\).*/\1/p' <<< "$out"); at=$((off + at - 1))
            got=$(od -An -tx1 -j "$at" -N1 "$SHM" | tr -d ' '); want=$(od -An -tx1 -j "$at" -N1 "$EXPECTED" | tr -d ' ')
            host_fail "$name" "ivshmem file differs at 0x$(printf '%x' "$at"): 0x$got, expected 0x$want (region 0x$(printf '%x' "$off")+0x$(printf '%x' "$len"))" ;;
        *) host_fail "$name" "cmp failed: $out" ;;
    esac
}

# publish_jit OUTDIR: the guest test program as a self-contained, trimmed JIT publish for arm64 (IoSysJitPublish), into
# OUTDIR/jit: what a JIT user on a board runs, with the ordering stub loaded from libiosys_native.so (the payload runs
# its ordering scenarios). Only what the runtime loads is copied: no symbols, docs, debugger or tracing libraries.
publish_jit() {
    local out=$1/jit t0 dir f
    t0=$(date +%s)
    bounded 900 dotnet publish "$HW_REPO/tests/IoSys.HardwareTests/IoSys.HardwareTests.csproj" -r linux-arm64 -c Release \
        -p:IoSysJitPublish=true --artifacts-path "$ART/arm64-jit" -nologo -clp:ErrorsOnly > "$1/.publish-jit.log" 2>&1 ||
        { tail -n 30 "$1/.publish-jit.log"; return 1; }
    dir=$ART/arm64-jit/publish/IoSys.HardwareTests/release_linux-arm64
    [ -f "$dir/iosys-hwtests" ] && [ -f "$dir/libcoreclr.so" ] || { echo "no self-contained iosys-hwtests in $dir"; return 1; }
    [ -f "$dir/libiosys_native.so" ] || { echo "the JIT publish has no libiosys_native.so (src/IoSys/native/IoSys.Native.targets)"; return 1; }
    mkdir -p "$out"
    for f in "$dir"/*; do
        case "$(basename "$f")" in
            *.pdb|*.xml|*.dbg|createdump|libmscordaccore.so|libmscordbi.so|libcoreclrtraceptprovider.so|libclrgc*.so) ;;
            *) cp "$f" "$out/" ;;
        esac
    done
    rm -f "$1/.publish-jit.log"
    say "published the JIT iosys-hwtests for arm64 in $(secs "$t0")s ($(du -sk "$out" | cut -f1) KiB)"
}

# check_disasm ARCH: the disassembly checks of the published iosys-hwtests (symbols from its .dbg), counted as host
# checks; their notes (the instructions found) are echoed.
check_disasm() {
    local arch=$1 rid=linux-x64 line name n=0
    [ "$arch" = arm64 ] && rid=linux-arm64
    while IFS= read -r line; do
        case "$line" in
            "PASS "*) host_pass "${line#PASS }"; n=$((n + 1)) ;;
            "FAIL "*) name=${line#FAIL }; host_fail "${name%%: *}" "${name#*: }"; n=$((n + 1)) ;;
            *) echo "$line" ;;
        esac
    done < <(bounded 300 bash "$HERE/check-ordering-disasm.sh" "$arch" "$ART/$arch/publish/IoSys.HardwareTests/release_$rid/iosys-hwtests" 2>&1)
    [ "$n" -gt 0 ] || host_fail "disasm.$arch" "check-ordering-disasm.sh reported no result"
}

# run_vfio ARCH PAYLOAD: the VFIO boot (issue 13): the same binaries with payload/vfio.sh as the payload, on the
# arch plug-in's IOMMU machine (HW_VFIO=1: x86-64 intel-iommu with interrupt remapping, arm64 virt with SMMUv3 and a
# GICv3 ITS; the vfio modules). Its PASS/FAIL lines count in the same totals, with their own summary line.
run_vfio() {
    local arch=$1 payload=$2 vdir out rc line vp vf vs t0 console timeout iommu
    vdir=$HW_BUILD/run-$arch/vfio-payload
    out=$HW_BUILD/run-$arch/vfio-guest.out
    rm -rf "$vdir"; mkdir -p "$vdir"
    cp "$payload/iosys-hwtests" "$payload/iosys" "$payload/edu-demo" "$vdir/" && cp "$HERE/payload/vfio.sh" "$vdir/run.sh" && cp "$HERE/payload/vfio-reset.sh" "$vdir/" ||
        { host_fail "vfio.$arch.payload" "could not assemble the VFIO payload"; TOTAL_FAIL=$((TOTAL_FAIL + 1)); return 0; }
    timeout=${GUEST_TIMEOUT:-$([ "$arch" = arm64 ] && echo 300 || echo 180)}
    iommu=$([ "$arch" = arm64 ] && echo "SMMUv3, GICv3 ITS" || echo intel-iommu)
    say "booting the $arch VFIO guest ($iommu, edu on vfio-pci; bounded by ${timeout}s)"
    t0=$(date +%s)
    HW_VFIO=1 bash "$HW_DIR/run-guest.sh" --arch "$arch" --payload "$vdir" --timeout "$timeout" --quiet > "$out" 2>&1
    rc=$?
    console=$(sed -n 's/^hw: console log: //p' "$out" | head -n1)
    console=${console%console.log}console.txt
    echo "--- $arch VFIO guest output (full console: $console) ---"
    [ -f "$console" ] && sed -n '/^payload: /,/^IOSYS-GUEST-VERDICT /p' "$console" | grep -vE '^\[ *[0-9]+\.[0-9]+\] '
    grep '^hw: ' "$out"
    line=$(grep '^guest: ' "$out" | tail -n1)
    vp=$(sed -n 's/^guest: \([0-9]*\) passed.*/\1/p' <<< "$line"); vp=${vp:-0}
    vf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$line"); vf=${vf:-0}
    vs=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<< "$line"); vs=${vs:-0}
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL vfio.guest.$arch: run-guest.sh exited $rc: $(grep '^hw: ERROR' "$out" | head -n1)"; vf=$((vf + 1))
    elif [ "$rc" -eq 1 ] && [ "$vf" -eq 0 ]; then
        echo "FAIL vfio.guest.$arch: run-guest.sh reported failure without a failed test"; vf=1
    fi
    TOTAL_PASS=$((TOTAL_PASS + vp)) TOTAL_FAIL=$((TOTAL_FAIL + vf)) TOTAL_SKIP=$((TOTAL_SKIP + vs))
    SUMMARIES+=("$arch VFIO boot: guest $vp passed, $vf failed, $vs skipped; boot-run-poweroff $(secs "$t0")s")
}

run_arch() {
    local arch=$1 t_arch work payload rc guest_line gp gf gs t0 pub_s boot_s
    t_arch=$(date +%s)
    HOST_PASS=0 HOST_FAIL=0
    work=$HW_BUILD/run-$arch
    payload=$work/payload
    rm -rf "$work"; mkdir -p "$payload"
    say "=== $arch ==="

    # 1. Setup (cached after the first run).
    if [ "$SETUP" -eq 1 ]; then
        t0=$(date +%s)
        if [ "$arch" = arm64 ]; then
            bounded 900 bash "$HERE/arm64/setup.sh" --quiet > /dev/null || { host_fail "setup.$arch" "tests/Hardware/arm64/setup.sh failed"; return; }
        else
            bounded 900 bash "$HERE/setup-x86_64.sh" || { host_fail "setup.$arch" "tests/Hardware/setup-x86_64.sh failed"; return; }
        fi
        say "setup $arch: $(secs "$t0")s"
    fi

    # 2. Publish the test program and the tool for the guest's architecture.
    t0=$(date +%s)
    command -v dotnet > /dev/null || { host_fail "publish.$arch" "dotnet not found"; return; }
    publish "$arch" "$HW_REPO/tests/IoSys.HardwareTests/IoSys.HardwareTests.csproj" iosys-hwtests "$payload" ||
        { host_fail "publish.$arch.iosys-hwtests" "NativeAOT publish of tests/IoSys.HardwareTests failed"; return; }
    publish "$arch" "$HW_REPO/src/IoSys.Cli/IoSys.Cli.csproj" iosys "$payload" ||
        { host_fail "publish.$arch.iosys" "NativeAOT publish of src/IoSys.Cli failed"; return; }
    publish "$arch" "$HW_REPO/samples/EduDriver/EduDriver.csproj" edu-demo "$payload" ||
        { host_fail "publish.$arch.edu-demo" "NativeAOT publish of samples/EduDriver failed"; return; }
    if [ "$arch" = arm64 ]; then
        publish_jit "$payload" || { host_fail "publish.$arch.jit" "JIT publish of tests/IoSys.HardwareTests failed"; return; }
    fi
    pub_s=$(secs "$t0")

    # 2b. The ordered/relaxed accesses in the published binary, by disassembly (check-ordering-disasm.sh).
    check_disasm "$arch"

    # 3. Payload: scripts, firmware image, host data.
    cp "$HERE/payload/run.sh" "$HERE/payload/layout.sh" "$payload/"
    cp "$HERE/payload/registers.sh" "$HW_REPO"/devices/svd/*.svd "$payload/"
    cp "$HERE/payload/edudemo.sh" "$payload/"
    # shellcheck source=/dev/null
    . "$HERE/payload/layout.sh"
    gen_bytes "$IOSYS_HW_FW_SEED" "$IOSYS_HW_FW_LEN" > "$payload/fw.bin"
    gen_bytes "$IOSYS_HW_HOSTDATA_SEED" "$((IOSYS_HW_HOSTDATA_LEN))" > "$payload/hostdata.bin"

    # 4. The ivshmem file: host data at the start, guard bytes where the guest will write, zeros elsewhere.
    SHM=$work/ivshmem.bin
    EXPECTED=$work/ivshmem.expected
    truncate -s 1M "$SHM"
    put "$SHM" "$IOSYS_HW_HOSTDATA_OFF" "$payload/hostdata.bin"
    put_fill "$SHM" "$IOSYS_HW_GUARD_OFF" "$((IOSYS_HW_GUARD_END - IOSYS_HW_GUARD_OFF))" "$IOSYS_HW_GUARD_VALUE"
    # What the file must hold afterwards: the same, with every image in its place.
    cp "$SHM" "$EXPECTED"
    local o
    for o in "$IOSYS_HW_FW_U8_OFF" "$IOSYS_HW_FW_U16_OFF" "$IOSYS_HW_FW_U32_OFF" "$IOSYS_HW_FW_U64_OFF" \
             "$IOSYS_HW_BULK_OFF" "$IOSYS_HW_CLI_LOAD8_OFF" "$IOSYS_HW_CLI_LOAD64_OFF"; do
        put "$EXPECTED" "$o" "$payload/fw.bin"
    done
    put_fill "$EXPECTED" "$IOSYS_HW_FILL_OFF" "$IOSYS_HW_FILL_LEN" "$IOSYS_HW_FILL_VALUE"

    # 5. Boot, run, power off.
    local timeout=${GUEST_TIMEOUT:-$([ "$arch" = arm64 ] && echo 240 || echo 180)}
    say "booting the $arch guest with QEMU $(qemu_version "$arch") (bounded by ${timeout}s)"
    t0=$(date +%s)
    bash "$HW_DIR/run-guest.sh" --arch "$arch" --payload "$payload" --shm-file "$SHM" --timeout "$timeout" --quiet \
        > "$work/run-guest.out" 2>&1
    rc=$?
    boot_s=$(secs "$t0")
    local console
    console=$(sed -n 's/^hw: console log: //p' "$work/run-guest.out" | head -n1)
    console=${console%console.log}console.txt
    echo "--- $arch guest output (full console: $console) ---"
    if [ -f "$console" ]; then
        # The payload's part of the console: scenario lines, notes, the CLI transcript, the fault demonstration.
        sed -n '/^payload: /,/^IOSYS-GUEST-VERDICT /p' "$console" | grep -vE '^\[ *[0-9]+\.[0-9]+\] '
    fi
    grep '^hw: ' "$work/run-guest.out"
    guest_line=$(grep '^guest: ' "$work/run-guest.out" | tail -n1)
    gp=$(sed -n 's/^guest: \([0-9]*\) passed.*/\1/p' <<< "$guest_line"); gp=${gp:-0}
    gf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$guest_line"); gf=${gf:-0}
    gs=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<< "$guest_line"); gs=${gs:-0}
    echo "--- $arch host checks of the ivshmem file ($SHM) ---"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        # run-guest.sh's own error (no verdict, timeout, disagreement): the guest's counts cannot be trusted.
        host_fail "guest.$arch" "run-guest.sh exited $rc: $(grep '^hw: ERROR' "$work/run-guest.out" | head -n1)"
    elif [ "$rc" -eq 1 ] && [ "$gf" -eq 0 ]; then
        host_fail "guest.$arch" "run-guest.sh reported failure without a failed test"
    fi

    # 6. What the guest wrote, checked on the host.
    check_region "host.$arch.host-data-intact" "$IOSYS_HW_HOSTDATA_OFF" "$IOSYS_HW_HOSTDATA_LEN"
    check_region "host.$arch.firmware.u8" "$IOSYS_HW_FW_U8_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.firmware.u16" "$IOSYS_HW_FW_U16_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.firmware.u32" "$IOSYS_HW_FW_U32_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.firmware.u64" "$IOSYS_HW_FW_U64_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.bulk.write-bytes" "$((IOSYS_HW_BULK_OFF & ~(IOSYS_HW_SLOT_LEN - 1)))" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.bulk.fill" "$((IOSYS_HW_FILL_OFF & ~(IOSYS_HW_SLOT_LEN - 1)))" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.cli.load-u8" "$IOSYS_HW_CLI_LOAD8_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.cli.load-u64" "$IOSYS_HW_CLI_LOAD64_OFF" "$IOSYS_HW_SLOT_LEN"
    check_region "host.$arch.untouched-rest" "$IOSYS_HW_GUARD_END" "$((0x100000 - IOSYS_HW_GUARD_END))"

    local p=$((gp + HOST_PASS)) f=$((gf + HOST_FAIL)) s=$gs
    TOTAL_PASS=$((TOTAL_PASS + p)) TOTAL_FAIL=$((TOTAL_FAIL + f)) TOTAL_SKIP=$((TOTAL_SKIP + s))
    SUMMARIES+=("$arch: guest $gp passed, $gf failed, $gs skipped; host $HOST_PASS passed, $HOST_FAIL failed; publish ${pub_s}s, boot-run-poweroff ${boot_s}s, total $(secs "$t_arch")s")
    run_vfio "$arch" "$payload"
    return 0
}

# Host tools this script needs itself (the setup scripts check theirs): missing ones fail the run.
MISSING=""
for tool in perl cmp dd od truncate timeout dotnet; do
    command -v "$tool" > /dev/null 2>&1 || MISSING="$MISSING $tool"
done
if [ -n "$MISSING" ]; then
    echo "FAIL host.prerequisites: missing on this host:$MISSING"
    echo "hardware: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

for arch in $ARCHES; do
    HOST_PASS=0 HOST_FAIL=0
    run_arch "$arch"
    # A step that returned early counted its failure in HOST_FAIL but not yet in the totals.
    if ! printf '%s\n' "${SUMMARIES[@]+"${SUMMARIES[@]}"}" | grep -q "^$arch:"; then
        TOTAL_FAIL=$((TOTAL_FAIL + HOST_FAIL)) TOTAL_PASS=$((TOTAL_PASS + HOST_PASS))
        SUMMARIES+=("$arch: did not run to the end ($HOST_FAIL failure(s) above)")
    fi
done

echo "--- summary ---"
for s in "${SUMMARIES[@]}"; do echo "$s"; done
echo "total $(secs "$T_START")s"
echo "hardware: $TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
[ "$TOTAL_FAIL" -eq 0 ] && [ "$TOTAL_PASS" -gt 0 ]
