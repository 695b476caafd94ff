#!/bin/sh
# The VFIO payload (issue 13): runs as /payload/run.sh in the second, IOMMU-equipped boot of each arch
# (tests/Hardware/run.sh with HW_VFIO=1). Loads the vfio modules, binds edu to vfio-pci, runs the library's VFIO
# scenarios (iosys-hwtests, IOSYS_VFIO=1), captures the kernel's IOMMU fault line, reads edu through the tool's vfio:
# target, and unbinds. One PASS/FAIL line per scenario.
cd "$(dirname "$0")" || exit 2
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
EDU=$IOSYS_EDU_PCI
SYS=/sys/bus/pci/devices/$EDU
echo "payload: $(uname -m), VFIO boot, edu $EDU"

# --- modules, in dependency order (irqbypass is built in on arm64) ---------------------------------------
for m in irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci; do
    [ -f "/modules/$m.ko" ] || continue
    insmod "/modules/$m.ko" || echo "  insmod $m.ko failed"
done
if [ -c /dev/vfio/vfio ]; then pass vfio.modules; else fail vfio.modules "no /dev/vfio/vfio after loading the modules"; exit 0; fi

# --- bind: driver_override + drivers_probe -----------------------------------------------------------------
group=$(basename "$(readlink "$SYS/iommu_group" 2>/dev/null)" 2>/dev/null)
drv=$(basename "$(readlink "$SYS/driver" 2>/dev/null)" 2>/dev/null)
echo vfio-pci > "$SYS/driver_override"
[ -z "$drv" ] || echo "$EDU" > "/sys/bus/pci/drivers/$drv/unbind"
echo "$EDU" > /sys/bus/pci/drivers_probe
now=$(basename "$(readlink "$SYS/driver" 2>/dev/null)" 2>/dev/null)
if [ -n "$group" ] && [ "$now" = vfio-pci ] && [ -c "/dev/vfio/$group" ]; then
    pass vfio.bind
    echo "  edu $EDU: driver ${drv:-none} -> $now, IOMMU group $group ($(ls "/sys/kernel/iommu_groups/$group/devices" | tr '\n' ' '))"
else
    fail vfio.bind "group '${group:-none}', driver '${now:-none}', /dev/vfio/$group $( [ -c "/dev/vfio/$group" ] && echo present || echo missing)"
    exit 0
fi

# 2 MiB pages for the hugepage DMA buffers (the kernel command line asks for some too).
[ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null)" -ge 4 ] 2>/dev/null || echo 4 > /proc/sys/vm/nr_hugepages 2>/dev/null
echo "  hugepages: $(grep -E '^HugePages_(Total|Free)' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"

# --- the library -------------------------------------------------------------------------------------------
dmesg -c > /dev/null 2>&1
IOSYS_VFIO=1 ./iosys-hwtests --only vfio.
rc=$?
[ "$rc" -le 1 ] || fail vfio.hwtests.process "iosys-hwtests ended abnormally (exit $rc)"

# The isolation scenario's evidence from the kernel: the IOMMU fault of the DMA to the unmapped IOVA.
fault=$(dmesg 2>/dev/null | grep -iE 'DMAR.*fault|DMAR: \[DMA|arm-smmu-v3.*event|smmu.*fault' | head -n 3)
# arm64: the SMMUv3 driver logs "event 0xID received:" and then the event record's four 64-bit words, one line
# each; for a translation fault (0x10, F_TRANSLATION: no mapping for the address) the third word is the input
# address, i.e. the IOVA the device used. Show the first record whole and decode it.
smmu=$(dmesg 2>/dev/null | grep -A4 -m1 'smmuv3: event 0x')
if [ -n "$smmu" ]; then
    fault=$(printf '%s\n' "$smmu" | sed 's/\t/ /g')
    id=$(printf '%s\n' "$smmu" | sed -n '1s/.*event \(0x[0-9a-f]*\) received.*/\1/p')
    iova=$(printf '%s\n' "$smmu" | sed -n '4s/.*\(0x[0-9a-f]\{16\}\).*/\1/p')
    case "$id" in
        0x10) decoded="SMMUv3 event 0x10 (F_TRANSLATION: no IOMMU mapping) for input address (IOVA) $iova" ;;
        *) decoded="SMMUv3 event $id (not a translation fault: see the SMMUv3 spec's event table)" ;;
    esac
fi
if [ -n "$fault" ]; then
    pass vfio.isolation.fault-logged
    printf '%s\n' "$fault" | sed 's/^/  kernel: /'
    [ -z "${decoded:-}" ] || echo "  decoded: $decoded"
else
    fail vfio.isolation.fault-logged "no IOMMU fault line in dmesg: $(dmesg 2>/dev/null | tail -n 5 | tr '\n' '|')"
fi

sh ./vfio-reset.sh  # issue 13's reset (edu) and MSI-X (e1000e) scenarios
# --- the tool ---------------------------------------------------------------------------------------------
out=$(./iosys read "vfio:$EDU/bar0" 0 2>&1); rc=$?
echo "  \$ iosys read vfio:$EDU/bar0 0 -> exit $rc: $out"
if [ "$rc" -eq 0 ] && [ "$out" = 0x010000ed ]; then pass vfio.cli.read-bar0; else fail vfio.cli.read-bar0 "exit $rc: $out"; fi
out=$(./iosys read vfio:1234:11e8/config 0 --width 16 2>&1); rc=$?
echo "  \$ iosys read vfio:1234:11e8/config 0 --width 16 -> exit $rc: $out"
if [ "$rc" -eq 0 ] && [ "$out" = 0x1234 ]; then pass vfio.cli.read-config; else fail vfio.cli.read-config "exit $rc: $out"; fi

# --- the sample driver: edu-demo on VFIO (DMA through the IOMMU, interrupts on an eventfd, isolation) ----------
# Its own PASS/FAIL/SKIP lines are indented, so the totals count each run once (as payload/edudemo.sh does).
edu_demo() { # NAME TARGET
    if [ ! -x ./edu-demo ]; then fail "$1" "no edu-demo binary in the payload"; return; fi
    demo=$(./edu-demo "$2" 2>&1); rc=$?
    echo "  \$ edu-demo $2 -> exit $rc"
    printf '%s\n' "$demo" | sed 's/^/  | /'
    if [ "$rc" -eq 0 ] && printf '%s\n' "$demo" | grep -q '^PASS iommu-isolation$' && printf '%s\n' "$demo" | grep -q '^PASS dma-round-trip'; then
        pass "$1"
    else
        fail "$1" "exit $rc: $(printf '%s\n' "$demo" | grep -E '^(FAIL|SKIP)|cannot open' | head -n 2 | tr '\n' ' ')"
    fi
}
edu_demo vfio.edu-demo.msi "vfio:$EDU"
edu_demo vfio.edu-demo.intx "vfio:1234:11e8/intx"

# --- unbind ---------------------------------------------------------------------------------------------------
echo "$EDU" > /sys/bus/pci/drivers/vfio-pci/unbind
echo > "$SYS/driver_override"
if [ ! -e "$SYS/driver" ]; then pass vfio.unbind; else fail vfio.unbind "still bound to $(basename "$(readlink "$SYS/driver")")"; fi
out=$(./iosys read "vfio:$EDU" 0 2>&1); rc=$?
echo "  \$ iosys read vfio:$EDU 0 (unbound) -> exit $rc: $out"
if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q 'not vfio-pci'; then pass vfio.cli.unbound-refused; else fail vfio.cli.unbound-refused "exit $rc: $out"; fi
exit 0
