# shellcheck shell=sh
# Registers by name (issue 15): sourced by payload/run.sh after the tool's scenarios, while edu is still bound and
# decoding (it uses run.sh's run_cli, pass and fail, and the SVD files the host copied next to it).
#   every guest: edu by name: a read, a field write (read-modify-write) and read-back, a batch of operations;
#   arm64 (virt, kernel line iomem=relaxed): `iosys regs mem:...` of the PL031 RTC, PL011 UART and PL061 GPIO through
#   /dev/mem, their PrimeCell PeriphID/PCellID against ARM's documented values, and the RTC counting.

# expect NAME WANT: passes when the last run_cli exited 0 and printed exactly WANT.
expect() {
    if [ "$RC" -eq 0 ] && [ "$OUT" = "$2" ]; then pass "$1"
    else fail "$1" "expected exit 0 and '$2', got exit $RC: $OUT"; fi
}

# usage NAME PATTERN ARGS...: refused by the description (exit 2, a message matching PATTERN), nothing accessed.
usage() {
    n=$1 pat=$2; shift 2
    if run_cli "$n" "$@"; then
        if [ "$RC" -eq 2 ] && printf '%s\n' "$OUT" | grep -qiE "$pat"; then pass "$n"
        else fail "$n" "expected exit 2 and a message matching /$pat/, got exit $RC: $OUT"; fi
    fi
}

if run_cli cli.svd.edu-read read pci:1234:11e8 Identification --svd edu.svd; then
    expect cli.svd.edu-read 0x010000ed
fi
if run_cli cli.svd.edu-field read pci:1234:11e8 Identification.Magic --svd edu.svd; then
    expect cli.svd.edu-field 0x00ed
fi
# A field write is a read-modify-write of its register, said so; read back, then put back.
if run_cli cli.svd.edu-field-write write pci:1234:11e8 Status.IrqOnFactorial=1 --read-back --svd edu.svd; then
    expect cli.svd.edu-field-write "$(printf 'Status.IrqOnFactorial[7] = 0x1: read-modify-write of Status, 0x00000000 -> 0x00000080\n0x00000080')"
fi
run_cli cli.svd.edu-field-restore write pci:1234:11e8 Status.IrqOnFactorial=0 --svd edu.svd > /dev/null
usage cli.svd.edu-read-only 'Computing.*read-only' write pci:1234:11e8 Status.Computing=1 --svd edu.svd

cat > /tmp/edu.batch <<'EOF'
# edu by name, one process, one opened BAR
open pci:1234:11e8 --svd edu.svd
read Identification
write Liveness 0x12345678
read Liveness
write Factorial 6
poll Status.Computing --equals 0 --timeout 10s
read Factorial
EOF
if run_cli cli.svd.edu-batch batch /tmp/edu.batch; then
    expect cli.svd.edu-batch "$(printf '0x010000ed\n0xedcba987\n0x00000000\n0x000002d0')"
fi
printf 'read Identification\nread Nope\nread Liveness\n' > /tmp/bad.batch
usage cli.svd.edu-batch-stops 'line 2 \(read Nope\).*Nope' batch /tmp/bad.batch --target pci:1234:11e8 --svd edu.svd

# --- arm64 virt: the PrimeCells through /dev/mem -------------------------------------------------------------------
# value_of NAME: the VALUE column of register NAME in the last `regs` table (OFFSET REGISTER VALUE ...).
value_of() { printf '%s\n' "$OUT" | awk -v r="$1" '$1 != "skipped" && $2 == r { print $3; exit }'; }

# ids NAME PREFIX SVD BASE PERIPHID: regs of the peripheral; PeriphID0..3 must be PERIPHID (four bytes, ARM's values
# for the part), PCellID0..3 0x0d 0xf0 0x05 0xb1 (0xB105F00D, every PrimeCell's).
ids() {
    n=$1 p=$2 svd=$3 base=$4 want=$5
    if run_cli "$n" regs "mem:$base+0x1000" --svd "$svd"; then
        got=$(for i in 0 1 2 3; do value_of "${p}PeriphID$i"; done | tr '\n' ' ')
        cell=$(for i in 0 1 2 3; do value_of "${p}PCellID$i"; done | tr '\n' ' ')
        if [ "$RC" -ne 0 ]; then fail "$n" "exit $RC"
        elif [ "$got" != "$want" ]; then fail "$n" "PeriphID0..3 are '$got', ARM documents '$want'"
        elif [ "$cell" != "0x0000000d 0x000000f0 0x00000005 0x000000b1 " ]; then fail "$n" "PCellID0..3 are '$cell', not 0xB105F00D's bytes"
        else pass "$n"; fi
    fi
}

if [ "$(uname -m)" != aarch64 ]; then
    echo "SKIP cli.svd.primecell: the PrimeCell peripherals are arm64 virt's"
elif ! grep -qw 'iomem=relaxed' /proc/cmdline; then
    fail cli.svd.iomem-relaxed "the kernel line lacks iomem=relaxed: $(cat /proc/cmdline)"
else
pass cli.svd.iomem-relaxed
# PL031 (ARM DDI 0224), PL011 (DDI 0183), PL061 (DDI 0190): part numbers 0x031, 0x011, 0x061, designer 0x41.
ids cli.svd.pl031-ids RTC pl031.svd 0x09010000 "0x00000031 0x00000010 0x00000014 0x00000000 "
ids cli.svd.pl011-ids UART pl011.svd 0x09000000 "0x00000011 0x00000010 0x00000014 0x00000000 "
ids cli.svd.pl061-ids GPIO pl061.svd 0x09030000 "0x00000061 0x00000010 0x00000004 0x00000000 "

# The UART is the console: its data register (readAction) must be skipped, not read (a read pops the receive FIFO).
if run_cli cli.svd.pl011-skips-data regs mem:0x09000000+0x1000 --svd pl011.svd; then
    if [ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -q '^skipped UARTDR at 0x0: read has a side effect' && [ -z "$(value_of UARTDR)" ]; then
        pass cli.svd.pl011-skips-data
    else fail cli.svd.pl011-skips-data "UARTDR not listed as skipped: exit $RC"; fi
fi

# The RTC counts seconds: two regs two seconds apart.
if run_cli cli.svd.pl031-counting regs mem:0x09010000+0x1000 --svd pl031.svd; then
    t1=$(value_of RTCDR)
    sleep 2
    if run_cli cli.svd.pl031-counting regs mem:0x09010000+0x1000 --svd pl031.svd; then
        t2=$(value_of RTCDR)
        if [ -n "$t1" ] && [ -n "$t2" ] && [ $((t2 - t1)) -ge 1 ] && [ $((t2 - t1)) -le 30 ]; then pass cli.svd.pl031-counting
        else fail cli.svd.pl031-counting "RTCDR went from '$t1' to '$t2' in 2 s"; fi
    fi
fi
# By name, through the same /dev/mem mapping: the peripheral is chosen by the target's address.
if run_cli cli.svd.pl031-read read mem:0x09010000+0x1000 RTCPeriphID0 --svd pl031.svd; then
    expect cli.svd.pl031-read 0x00000031
fi
# pl011.svd over the RTC's range: refused, since the UART is not there.
usage cli.svd.wrong-peripheral 'UART.*0x9000000.*outside' read mem:0x09010000+0x1000 UARTCR --svd pl011.svd
fi
