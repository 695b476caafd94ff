# shellcheck shell=bash
# x86-64 plug-in for the IoSys hardware harness (see the contract in lib.sh).
# Everything it uses is produced by setup-x86_64.sh under $HW_CACHE/x86_64.

HW_X86_DIR=$HW_CACHE/x86_64
HW_ARCH_BOOT_MARGIN=${HW_ARCH_BOOT_MARGIN:-60}

hw_arch_check() {
    local f
    for f in vmlinuz modules/uio.ko modules/uio_pci_generic.ko kernel-release; do
        [ -s "$HW_X86_DIR/$f" ] || hw_die "missing $HW_X86_DIR/$f: run tests/Hardware/setup-x86_64.sh first"
    done
    command -v qemu-system-x86_64 >/dev/null ||
        hw_die "qemu-system-x86_64 not found: run tests/Hardware/setup-x86_64.sh first"
    [ -x /bin/busybox ] || hw_die "/bin/busybox not found: run tests/Hardware/setup-x86_64.sh first"
    [ "$(uname -m)" = x86_64 ] || hw_die "the x86_64 plug-in expects an x86-64 host (ldd resolves guest libraries natively)"
}

hw_arch_setup_script() { echo "$HW_DIR/setup-x86_64.sh"; }
hw_arch_extra_files() { :; }
hw_arch_kernel() { echo "$HW_X86_DIR/vmlinuz"; }
hw_arch_modules() { echo "$HW_X86_DIR/modules/uio.ko"; echo "$HW_X86_DIR/modules/uio_pci_generic.ko"; hw_arch_vfio_modules; }
# The VFIO boot (HW_VFIO=1, run.sh's second boot) also carries the VFIO modules; payload/vfio.sh loads them in this order.
hw_arch_vfio_modules() {
    local m
    [ "${HW_VFIO:-0}" = 1 ] || return 0
    for m in irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci; do echo "$HW_X86_DIR/vfio-modules/$m.ko"; done
}
hw_arch_busybox() { echo /bin/busybox; }

# The guest is the host's architecture and distribution: host ldd resolves the libraries,
# and libc, libm and the loader always go in (NativeAOT needs exactly those).
hw_arch_libs() {
    local out m
    [ $# -eq 0 ] || hw_check_elf_machine 62 x86-64 "$@"
    out=$(
        if [ $# -gt 0 ]; then hw_ldd_libs "$@" || exit 1; fi
        hw_ldd_libs /bin/true || exit 1   # libc + loader
        m=$(LC_ALL=C ldconfig -p 2>/dev/null | awk '$1 == "libm.so.6" && /x86-64/ { print $NF; exit }')
        [ -n "$m" ] || { echo "[hw] ERROR: libm.so.6 not found by ldconfig -p" >&2; exit 1; }
        printf '%s %s\n' "$(readlink -f "$m")" "$m"
    ) || return 1
    printf '%s\n' "$out" | sort -u -k2,2
}

hw_arch_exit_channel() { echo status-code; }   # isa-debug-exit

# hw_arch_qemu_cmd KERNEL INITRD APPEND SHMFILE
hw_arch_qemu_cmd() {
    if [ "${HW_VFIO:-0}" = 1 ]; then
        # The VFIO boot: an IOMMU with interrupt remapping (type1 refuses a device without it), edu and e1000e.
        # no_timer_check: under TCG on a loaded host the kernel's check of the timer through the remapped IO-APIC
        # can time out and panic ("timer doesn't work through Interrupt-remapped IO-APIC").
        # edu sits alone behind a PCIe root port: on the root bus it has no reset method (no FLR, no PM, and a bus
        # reset needs a parent bridge), so VFIO_DEVICE_RESET was unsupported; behind the port the kernel can reset
        # it with a secondary-bus reset. e1000e is there for its MSI-X vectors (edu has only MSI); no driver claims
        # it in the guest and it needs no network backend (-nic none).
        printf '%s\n' qemu-system-x86_64 \
            -machine q35,kernel-irqchip=split -m 512 -smp 1 \
            -nographic -no-reboot -nic none \
            -kernel "$1" -initrd "$2" -append "$3 intel_iommu=on hugepages=4 no_timer_check" \
            -device intel-iommu,intremap=on \
            -device pcie-root-port,id=rp1,chassis=1 -device edu,bus=rp1 \
            -device e1000e \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04
        return
    fi
    printf '%s\n' qemu-system-x86_64 \
        -machine q35 -m 512 -smp 1 \
        -nographic -no-reboot -nic none \
        -kernel "$1" -initrd "$2" -append "$3" \
        -device edu \
        -object "memory-backend-file,id=m,size=1M,share=on,mem-path=$4" \
        -device ivshmem-plain,memdev=m \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04
}
hw_arch_console() { echo ttyS0; }
