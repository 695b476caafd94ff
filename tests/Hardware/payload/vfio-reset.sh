#!/bin/sh
# Issue 13's reset and MSI-X scenarios in the VFIO boot, run by payload/vfio.sh (`sh ./vfio-reset.sh`) while edu
# is bound to vfio-pci. One PASS/FAIL/SKIP line per scenario.
# - vfio-reset.edu: VfioDevice.Reset on edu, proven by config state the reset changes, then DMA and interrupts.
#   edu sits behind a PCIe root port on both arches (arch-*.sh) so a bus reset exists: it must work.
# - vfio-copy.measure: copy speed into a DMA buffer against Span.CopyTo into the same memory (reported).
# - vfio-msix.e1000e: e1000e (8086:10d3) bound to vfio-pci here, three MSI-X vectors each raised from its
#   interrupt-cause-set register and seen on its own eventfd only; handed back (unbound) afterwards.
cd "$(dirname "$0")" || exit 2
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
EDU=$IOSYS_EDU_PCI
echo "  edu $EDU reset_method: '$(cat "/sys/bus/pci/devices/$EDU/reset_method" 2>/dev/null)'"

# e1000e: the first 8086:10d3 device, bound to vfio-pci like edu (no driver claims it in the guest).
NIC=""
for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor" 2>/dev/null):$(cat "$d/device" 2>/dev/null)" = 0x8086:0x10d3 ] && { NIC=${d##*/}; break; }
done
if [ -n "$NIC" ]; then
    S=/sys/bus/pci/devices/$NIC
    drv=$(basename "$(readlink "$S/driver" 2>/dev/null)" 2>/dev/null)
    echo vfio-pci > "$S/driver_override"
    [ -z "$drv" ] || echo "$NIC" > "/sys/bus/pci/drivers/$drv/unbind"
    echo "$NIC" > /sys/bus/pci/drivers_probe
    now=$(basename "$(readlink "$S/driver" 2>/dev/null)" 2>/dev/null)
    group=$(basename "$(readlink "$S/iommu_group" 2>/dev/null)" 2>/dev/null)
    if [ "$now" = vfio-pci ] && [ -c "/dev/vfio/$group" ]; then
        pass vfio-msix.bind
        echo "  e1000e $NIC: driver ${drv:-none} -> vfio-pci, IOMMU group $group, reset_method '$(cat "$S/reset_method" 2>/dev/null)'"
    else
        fail vfio-msix.bind "e1000e $NIC: driver '${now:-none}', group '${group:-none}'"
        NIC=""
    fi
else
    echo "  no e1000e (8086:10d3) in this boot: vfio-msix.e1000e skips"
fi

IOSYS_VFIO=1 IOSYS_E1000E_PCI="$NIC" IOSYS_VFIO_RESET_REQUIRED=1 ./iosys-hwtests --only vfio-reset.
rc=$?; [ "$rc" -le 1 ] || fail vfio-reset.process "iosys-hwtests ended abnormally (exit $rc)"
IOSYS_VFIO=1 IOSYS_E1000E_PCI="$NIC" ./iosys-hwtests --only vfio-msix.
rc=$?; [ "$rc" -le 1 ] || fail vfio-msix.process "iosys-hwtests ended abnormally (exit $rc)"
# Copy speed into a DMA buffer (reported, not asserted).
IOSYS_VFIO=1 ./iosys-hwtests --only vfio-copy.
rc=$?; [ "$rc" -le 1 ] || fail vfio-copy.process "iosys-hwtests ended abnormally (exit $rc)"

if [ -n "$NIC" ]; then
    echo "$NIC" > /sys/bus/pci/drivers/vfio-pci/unbind
    echo > "/sys/bus/pci/devices/$NIC/driver_override"
    if [ ! -e "/sys/bus/pci/devices/$NIC/driver" ]; then pass vfio-msix.unbind; else fail vfio-msix.unbind "e1000e still bound"; fi
fi
exit 0
