# shellcheck shell=bash
# arm64 plug-in for the IoSys hardware harness (see the contract in lib.sh).
# An adapter over tests/Hardware/arm64/ (owned by the arm64 work): its setup.sh writes
# $HW_CACHE/arm64/arm64.env (QEMU 10 wrapper, arm64 kernel Image, uio modules, an arm64
# busybox + libc rootfs, semihost-exit); this file only reads that env file.

HW_ARM64_ENV=$HW_CACHE/arm64/arm64.env
HW_ARCH_BOOT_MARGIN=${HW_ARCH_BOOT_MARGIN:-60}
# virt's RAM starts at 1 GiB, beyond edu's default 28-bit DMA mask: give edu 32 bits, as a 32-bit DMA device has.
HW_ARCH_EDU_DMA_MASK=0xffffffff

hw_arch_setup_script() { echo "$HW_DIR/arm64/setup.sh"; }

hw_arch_check() {
    [ -f "$HW_ARM64_ENV" ] || hw_die "missing $HW_ARM64_ENV: run tests/Hardware/arm64/setup.sh first (or run-guest.sh --setup)"
    # shellcheck source=/dev/null
    . "$HW_ARM64_ENV"
    local v
    for v in QEMU_AARCH64 KERNEL_ARM64 MODULES_ARM64_DIR ROOTFS_ARM64_DIR; do
        [ -n "${!v:-}" ] || hw_die "$HW_ARM64_ENV does not set $v: re-run tests/Hardware/arm64/setup.sh"
    done
    [ -x "$QEMU_AARCH64" ] || hw_die "QEMU for arm64 ($QEMU_AARCH64) missing: re-run tests/Hardware/arm64/setup.sh"
    [ -s "$KERNEL_ARM64" ] || hw_die "arm64 kernel ($KERNEL_ARM64) missing: re-run tests/Hardware/arm64/setup.sh"
    [ -x "$ROOTFS_ARM64_DIR/bin/busybox" ] || hw_die "arm64 busybox missing in $ROOTFS_ARM64_DIR"
    local m
    for m in uio uio_pci_generic; do
        [ -s "$MODULES_ARM64_DIR/$m.ko" ] || hw_die "arm64 $m.ko missing in $MODULES_ARM64_DIR"
    done
    if [ "${HW_VFIO:-0}" = 1 ]; then
        [ -n "${VFIO_MODULES_ARM64_DIR:-}" ] || hw_die "$HW_ARM64_ENV does not set VFIO_MODULES_ARM64_DIR: re-run tests/Hardware/arm64/setup.sh"
        for m in vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci; do
            [ -s "$VFIO_MODULES_ARM64_DIR/$m.ko" ] || hw_die "arm64 $m.ko missing in $VFIO_MODULES_ARM64_DIR: re-run tests/Hardware/arm64/setup.sh"
        done
    fi
}

hw_arch_kernel() { echo "$KERNEL_ARM64"; }
hw_arch_modules() { echo "$MODULES_ARM64_DIR/uio.ko"; echo "$MODULES_ARM64_DIR/uio_pci_generic.ko"; hw_arch_vfio_modules; }
# The VFIO boot (HW_VFIO=1, run.sh's second boot) also carries the VFIO modules (arm64/setup.sh extracts them);
# payload/vfio.sh loads them in this order. irqbypass, the SMMUv3 driver and the GICv3 ITS are built in on arm64.
hw_arch_vfio_modules() {
    local m
    [ "${HW_VFIO:-0}" = 1 ] || return 0
    for m in vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci; do echo "$VFIO_MODULES_ARM64_DIR/$m.ko"; done
}
hw_arch_busybox() { echo "$ROOTFS_ARM64_DIR/bin/busybox"; }
hw_arch_console() { echo ttyAMA0; }

# Cross: resolve NEEDED entries with readelf against the arm64 rootfs (no ldd).
hw_arch_libs() {
    local lib=$ROOTFS_ARM64_DIR/lib/aarch64-linux-gnu
    local f n needed=() missing=()
    [ $# -eq 0 ] || hw_check_elf_machine 183 AArch64 "$@"
    local readelf
    readelf=$(command -v readelf || command -v aarch64-linux-gnu-readelf) ||
        hw_die "readelf not found (install binutils)"
    for f in "$@"; do
        while read -r n; do needed+=("$n"); done < <(LC_ALL=C "$readelf" -d "$f" 2>/dev/null |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    done
    needed+=(libc.so.6 libm.so.6)
    for n in $(printf '%s\n' "${needed[@]}" | sort -u); do
        if [ -f "$lib/$n" ]; then
            printf '%s %s\n' "$(readlink -f "$lib/$n")" "/lib/aarch64-linux-gnu/$n"
        else
            missing+=("$n")
        fi
    done
    [ ${#missing[@]} -eq 0 ] ||
        hw_die "arm64 payload needs libraries not in $lib: ${missing[*]} (the arm64 rootfs has libc with its libdl/libpthread/librt stubs, libm, libstdc++, libgcc_s and the loader: arm64/setup.sh)"
    local ld=$lib/ld-linux-aarch64.so.1
    [ -f "$ld" ] || hw_die "arm64 dynamic loader missing: $ld"
    printf '%s %s\n' "$(readlink -f "$ld")" /lib/ld-linux-aarch64.so.1
    printf '%s %s\n' "$(readlink -f "$ld")" /lib/aarch64-linux-gnu/ld-linux-aarch64.so.1
}

# Semihosting lets guest code reach host files with QEMU's rights: it is only for trusted
# payloads (ours). IOSYS_HW_ARM64_SEMIHOSTING=0 turns it off; the verdict then travels by the
# console line alone (QEMU exits 0 on poweroff).
hw_arm64_semihosting() {
    [ "${IOSYS_HW_ARM64_SEMIHOSTING:-1}" != 0 ] && [ -n "${SEMIHOST_EXIT_ARM64:-}" ] && [ -x "$SEMIHOST_EXIT_ARM64" ]
}

hw_arch_extra_files() {
    if hw_arm64_semihosting; then
        printf '%s %s\n' "$SEMIHOST_EXIT_ARM64" /bin/semihost-exit
    fi
}

# With semihost-exit in the guest and semihosting enabled, QEMU's exit code is (s<<1)|1 as on x86.
hw_arch_exit_channel() {
    if hw_arm64_semihosting; then echo status-code; else echo console; fi
}

# hw_arch_qemu_cmd KERNEL INITRD APPEND SHMFILE: QEMU 10 (from arm64/setup.sh) on the virt machine, where an unaligned
# access to device memory faults as on hardware; the command line and why each option is there: arm64/README.md.
hw_arch_qemu_cmd() {
    if [ "${HW_VFIO:-0}" = 1 ]; then
        # The VFIO boot: virt with an SMMUv3 in front of the PCI bus and a GICv3 (its ITS gives MSIs that the
        # IOMMU can isolate: type1 refuses a device whose MSIs are not remappable), one CPU (TCG is slow: a second
        # vCPU thread costs the shared host more than it gains). edu keeps its 28-bit DMA mask: the library places
        # IOVAs below it, so the guest RAM's address (1 GiB up) no longer matters. As on x86-64, edu sits alone
        # behind a PCIe root port so that a secondary-bus reset exists (on the root bus it has no reset method), and
        # e1000e is there for its MSI-X vectors (vfio-reset.sh).
        printf '%s\n' "$QEMU_AARCH64" \
            -M virt,iommu=smmuv3,gic-version=3 -cpu cortex-a57 -m 512 -smp 1 \
            -nographic -no-reboot -nic none \
            -kernel "$1" -initrd "$2" -append "$3 hugepages=4" \
            -device pcie-root-port,id=rp1,chassis=1 -device edu,bus=rp1 \
            -device e1000e
        if [ "$(hw_arch_exit_channel)" = status-code ]; then
            printf '%s\n' -semihosting-config enable=on,target=native,userspace=on
        fi
        return
    fi
    printf '%s\n' "$QEMU_AARCH64" \
        -M virt -cpu cortex-a57 -m 1024 -smp 2 \
        -nographic -no-reboot -nic none \
        -kernel "$1" -initrd "$2" -append "$3 iomem=relaxed" \
        -device "edu,dma_mask=$HW_ARCH_EDU_DMA_MASK" \
        -object "memory-backend-file,id=m,size=1M,share=on,mem-path=$4" \
        -device ivshmem-plain,memdev=m
    if [ "$(hw_arch_exit_channel)" = status-code ]; then
        printf '%s\n' -semihosting-config enable=on,target=native,userspace=on
    fi
}
