#!/usr/bin/env bash
# Host check of the ordered/relaxed device accesses in a published NativeAOT binary (issue 18), by disassembly.
#
# usage: tests/Hardware/check-ordering-disasm.sh x86_64|arm64 BINARY
#
# BINARY is the published (stripped) iosys-hwtests; its symbols come from BINARY.dbg (StripSymbols=true) or from
# BINARY itself when unstripped. The probes (tests/IoSys.HardwareTests/OrderingTests.cs, never inlined) each make one
# 32-bit access through the public API: ProbeWrite32Ordered (map.Write32), ProbeRead32Ordered (map.Read32),
# ProbeWrite32Relaxed, ProbeRead32Relaxed. Checked, per probe, on the fast path (the probe's own instructions and
# the native ordering stubs, iosys_*, it calls directly):
#   arm64:  ordered write: `dmb oshst` immediately followed by the 32-bit store (`str wN`);
#           ordered read:  the 32-bit load (`ldr wN`) immediately followed by `dmb oshld`;
#           relaxed:       a 32-bit load/store in the probe itself, and no dmb/dsb and no call to a stub.
#   x86-64: every probe has its 32-bit access inline and no fence at all (mfence/lfence/sfence/lock prefix) and no
#           call to a stub (there is none in an x86-64 binary).
# Output: one "PASS disasm.<arch>.<probe>" or "FAIL disasm.<arch>.<probe>: <reason>" line per probe, plus the
# instructions found as indented notes. Exit status: 0 if all passed, 1 otherwise, 2 on a usage or tool error.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 x86_64|arm64 BINARY" >&2; exit 2; }
ARCH=$1 BIN=$2
case "$ARCH" in
    arm64) OBJDUMP=aarch64-linux-gnu-objdump NM=aarch64-linux-gnu-nm ;;
    x86_64) OBJDUMP=objdump NM=nm ;;
    *) echo "$0: arch must be x86_64 or arm64 (got '$ARCH')" >&2; exit 2 ;;
esac
for t in "$OBJDUMP" "$NM" perl; do
    command -v "$t" > /dev/null || { echo "FAIL disasm.$ARCH.tools: $t not found (binutils${ARCH/x86_64/}${ARCH/arm64/-aarch64-linux-gnu})"; exit 1; }
done
[ -f "$BIN" ] || { echo "FAIL disasm.$ARCH.binary: no such file: $BIN"; exit 1; }
SYMS=$BIN.dbg
[ -f "$SYMS" ] || SYMS=$BIN

# name<TAB>start<TAB>end for every defined function symbol (t/T) with a size.
TABLE=$(mktemp); trap 'rm -f "$TABLE"' EXIT
"$NM" -S --defined-only "$SYMS" 2>/dev/null | awk '$3 ~ /^[tTwW]$/ && NF == 4 { print $4 "\t" $1 "\t" $2 }' > "$TABLE"
[ -s "$TABLE" ] || { echo "FAIL disasm.$ARCH.symbols: no function symbols in $SYMS (is it stripped?)"; exit 1; }

ARCH=$ARCH OBJDUMP=$OBJDUMP BIN=$BIN TABLE=$TABLE perl -e '
use strict; use warnings;
my ($arch, $objdump, $bin, $table) = @ENV{qw(ARCH OBJDUMP BIN TABLE)};
my (%start, %size, @byaddr);
open(my $t, "<", $table) or die;
while (<$t>) { chomp; my ($n, $s, $z) = split /\t/; $s = hex $s; $z = hex $z; next unless $z;
    $start{$n} = $s; $size{$n} = $z; push @byaddr, [$s, $z, $n]; }
sub name_at { my $a = shift; for (@byaddr) { return $_->[2] if $a >= $_->[0] && $a < $_->[0] + $_->[1]; } return sprintf("0x%x", $a); }
sub find { my $suffix = shift; my @m = grep { /\Q$suffix\E$/ && !/^_lsda/ } keys %start; return @m == 1 ? $m[0] : undef; }
# disasm(name) -> list of [address, mnemonic, operands]
sub disasm {
    my $n = shift; my ($s, $z) = ($start{$n}, $size{$n});
    my @cmd = ($objdump, "-d", "--no-show-raw-insn", sprintf("--start-address=0x%x", $s), sprintf("--stop-address=0x%x", $s + $z), $bin);
    open(my $p, "-|", @cmd) or die "cannot run $objdump";
    my @out;
    while (my $line = <$p>) {
        next unless $line =~ /^\s*([0-9a-f]+):\s+(\S+)\s*([^<#]*)/;
        my ($a, $m, $o) = (hex $1, $2, $3); $o =~ s/\s+$//;
        push @out, [$a, $m, $o];
    }
    close $p; return @out;
}
sub calls { my @i = @_; my @c; for (@i) { if ($_->[1] =~ /^(bl|call|callq)$/ && $_->[2] =~ /^(?:0x)?([0-9a-f]+)$/) { push @c, name_at(hex $1); } } return @c; }
sub show { return join("; ", map { "$_->[1] $_->[2]" } @_); }
my $fail = 0;
sub result { my ($name, $ok, $why, @notes) = @_;
    print $ok ? "PASS $name\n" : "FAIL $name: $why\n"; print "  | $_\n" for @notes; $fail++ unless $ok; }

for my $probe (qw(Write32Ordered Read32Ordered Write32Relaxed Read32Relaxed)) {
    my $test = "disasm.$arch." . lc($probe =~ s/(32)(Ordered|Relaxed)/$1-$2/r);
    my $sym = find("OrderingTests__Probe$probe");
    unless ($sym) { result($test, 0, "symbol OrderingTests__Probe$probe not found (exactly once) in the symbol table"); next; }
    my @body = disasm($sym);
    unless (@body) { result($test, 0, "no instructions disassembled for $sym"); next; }
    my @stubs = grep { /^iosys_/ } calls(@body);
    my %seen; @stubs = grep { !$seen{$_}++ } @stubs;
    my @places = ([$sym, \@body], map { [$_, [disasm($_)]] } @stubs);
    my $write = $probe =~ /^Write/;
    if ($arch eq "arm64" && $probe =~ /Ordered/) {
        my ($found, $where);
        for my $pl (@places) { my @i = @{$pl->[1]};
            for my $k (0 .. $#i - 1) {
                my ($x, $y) = ($i[$k], $i[$k + 1]);
                if ($write && $x->[1] eq "dmb" && $x->[2] eq "oshst" && $y->[1] =~ /^(str|stlr)$/ && $y->[2] =~ /^w\d+,/) { $found = [$x, $y]; $where = $pl->[0]; }
                if (!$write && $x->[1] =~ /^(ldr|ldar)$/ && $x->[2] =~ /^w\d+,\s*\[x\d+\]$/ && $y->[1] eq "dmb" && $y->[2] eq "oshld") { $found = [$x, $y]; $where = $pl->[0]; }
            }
        }
        result($test, defined $found, ($write ? "no `dmb oshst` immediately before a 32-bit store" : "no 32-bit load immediately followed by `dmb oshld`") .
            " in the probe or the stubs it calls (" . (join(", ", @stubs) || "none") . ")",
            $found ? ("$where: " . show(@$found) . ($where eq $sym ? "" : " (called from the probe)")) : ("probe: " . show(@body)));
        next;
    }
    # Relaxed on arm64, everything on x86-64: the access inline, no barrier, no stub.
    my @fences = grep { $arch eq "arm64" ? $_->[1] =~ /^(dmb|dsb)$/ : ($_->[1] =~ /^[lms]fence$/ || $_->[1] =~ /^lock/ || $_->[2] =~ /^lock\b/) } map { @{$_->[1]} } @places;
    my @access = grep {
        $arch eq "arm64"
            ? ($write ? ($_->[1] =~ /^(str|stlr)$/ && $_->[2] =~ /^w\d+,\s*\[x\d+\]$/) : ($_->[1] =~ /^(ldr|ldar)$/ && $_->[2] =~ /^w\d+,\s*\[x\d+\]$/))
            : ($_->[1] =~ /^mov[l]?$/ && ($write ? $_->[2] =~ /^%[er][a-z0-9]+d?,\(/ && $_->[2] =~ /^%(e[a-z]{2}|r\d+d),/ : $_->[2] =~ /^\(%[a-z0-9]+(,%[a-z0-9]+(,\d)?)?\),%(e[a-z]{2}|r\d+d)$/))
    } @body;
    my @why;
    push @why, "fence instruction(s): " . show(@fences) if @fences;
    push @why, "calls the ordering stub(s) " . join(", ", @stubs) if @stubs && !($arch eq "x86_64");
    push @why, "calls " . join(", ", @stubs) if @stubs && $arch eq "x86_64";
    push @why, "no inline 32-bit " . ($write ? "store" : "load") . " in the probe" unless @access;
    result($test, !@why, join("; ", @why), @access ? ("$sym: " . show(@access) . "; no fence") : ("probe: " . show(@body)));
}
exit($fail ? 1 : 0);
'
