#!/usr/bin/env bash
# Prepare an x86-64 host (Debian 12) to boot the IoSys QEMU guest:
#   - installs qemu-system-x86, busybox-static, cpio (skipped when present);
#   - downloads (never installs) the Debian kernel package that linux-image-amd64 depends on
#     and extracts vmlinuz, uio.ko and uio_pci_generic.ko into the cache.
# Idempotent: a second run with everything cached does nothing and needs no network.
# Options: --refresh   re-resolve the kernel package even if one is cached.
# Env:     IOSYS_HW_CACHE (default ~/.cache/iosys-hw).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REFRESH=0
while [ $# -gt 0 ]; do
    case "$1" in
        --refresh) REFRESH=1 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) hw_die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

T0=$(date +%s)
KDIR=$HW_CACHE/x86_64
mkdir -p "$KDIR"

[ "$(uname -m)" = x86_64 ] || hw_die "setup-x86_64.sh must run on an x86-64 host (this is $(uname -m))"
command -v apt-get >/dev/null || hw_die "apt-get not found: this setup needs a Debian 12 host"
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else hw_need sudo; SUDO=(sudo -n); fi

APT_UPDATED=0
apt_update_once() {
    [ "$APT_UPDATED" -eq 1 ] && return 0
    hw_log "apt-get update"
    hw_timeout 300 "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq || hw_die "apt-get update failed"
    APT_UPDATED=1
}

# 1. Host packages.
MISSING=()
dpkg-query -W -f='${Status}\n' qemu-system-x86 2>/dev/null | grep -q '^install ok installed' || MISSING+=(qemu-system-x86)
dpkg-query -W -f='${Status}\n' busybox-static 2>/dev/null | grep -q '^install ok installed' || MISSING+=(busybox-static)
dpkg-query -W -f='${Status}\n' cpio 2>/dev/null | grep -q '^install ok installed' || MISSING+=(cpio)
command -v xz >/dev/null || MISSING+=(xz-utils)
if [ ${#MISSING[@]} -gt 0 ]; then
    apt_update_once
    hw_log "apt-get install ${MISSING[*]}"
    # One retry: a concurrent apt/dpkg run (e.g. another setup script) can break the first try.
    for try in 1 2; do
        if hw_timeout 600 env DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" \
            apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${MISSING[@]}"; then
            break
        fi
        [ "$try" -eq 1 ] || hw_die "apt-get install ${MISSING[*]} failed"
        hw_log "apt-get install failed; retrying once"
        sleep 5
    done
else
    hw_log "host packages present (qemu-system-x86, busybox-static, cpio)"
fi
hw_need qemu-system-x86_64 qemu-system-x86
hw_need cpio cpio
[ -x /bin/busybox ] || hw_die "/bin/busybox missing after installing busybox-static"
if ! file -b /bin/busybox 2>/dev/null | grep -q 'statically linked' && ldd /bin/busybox >/dev/null 2>&1; then
    hw_die "/bin/busybox is dynamically linked: install busybox-static (it replaces busybox)"
fi

# 2. Kernel + UIO modules, extracted from the .deb without installing it.
kernel_ready() {
    [ -s "$KDIR/vmlinuz" ] && [ -s "$KDIR/modules/uio.ko" ] &&
        [ -s "$KDIR/modules/uio_pci_generic.ko" ] && [ -s "$KDIR/kernel-release" ]
}

if kernel_ready && [ "$REFRESH" -eq 0 ]; then
    hw_log "kernel cached: $(cat "$KDIR/kernel-release") ($KDIR)"
else
    resolve_pkg() {
        LC_ALL=C apt-cache depends linux-image-amd64 2>/dev/null |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\..*-amd64$/ { print $2; exit }'
    }
    PKG=$(resolve_pkg || true)
    if [ -z "$PKG" ] || [ "$REFRESH" -eq 1 ]; then
        apt_update_once
        PKG=$(resolve_pkg || true)
    fi
    [ -n "$PKG" ] || hw_die "could not resolve the linux-image-6.1.*-amd64 package that linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
    hw_log "kernel package: $PKG"

    DEBDIR=$KDIR/debs
    mkdir -p "$DEBDIR"
    # The .deb apt would fetch now (same ABI name can get a newer Debian revision).
    deb_path() {
        local ver
        ver=$(LC_ALL=C apt-cache show --no-all-versions "$PKG" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }')
        [ -n "$ver" ] || hw_die "apt-cache show $PKG gave no version"
        echo "$DEBDIR/${PKG}_${ver//:/%3a}_amd64.deb"
    }
    DEB=$(deb_path)
    if [ ! -s "$DEB" ]; then
        # apt-get download writes to the current directory. A stale index (the revision was
        # superseded on the mirror) fails the first try: update, re-resolve, try again.
        for try in 1 2; do
            hw_log "apt-get download $PKG ($(basename "$DEB"), ~70 MB)"
            if (cd "$DEBDIR" && timeout --kill-after=10 600 apt-get download -q "$PKG" >"$DEBDIR/download.log" 2>&1) &&
                [ -s "$DEB" ]; then
                break
            fi
            if [ "$try" -eq 2 ] || [ "$APT_UPDATED" -eq 1 ]; then
                hw_die "apt-get download $PKG failed: $(tail -n 3 "$DEBDIR/download.log" 2>/dev/null)"
            fi
            apt_update_once
            PKG=$(resolve_pkg || true)
            [ -n "$PKG" ] || hw_die "linux-image-amd64 has no linux-image-6.1.*-amd64 dependency after apt-get update"
            DEB=$(deb_path)
        done
        rm -f "$DEBDIR/download.log"
    fi

    STAGE=$KDIR/extract.tmp
    rm -rf "$STAGE"; mkdir -p "$STAGE"
    hw_log "extracting vmlinuz and UIO modules from $(basename "$DEB")"
    # Patterns match both ./lib/modules and ./usr/lib/modules layouts, .ko and .ko.{xz,zst,gz}.
    hw_timeout 300 bash -c 'set -o pipefail; dpkg-deb --fsys-tarfile "$1" |
        tar -x -C "$2" --wildcards "*/boot/vmlinuz-*" \
            "*/kernel/drivers/uio/uio.ko*" "*/kernel/drivers/uio/uio_pci_generic.ko*"' \
        _ "$DEB" "$STAGE" || hw_die "extracting from $DEB failed (is it a kernel image package?)"

    VMLINUZ=$(find "$STAGE" -path '*/boot/vmlinuz-*' -type f | head -n1)
    [ -n "$VMLINUZ" ] || hw_die "no boot/vmlinuz-* in $DEB"
    KREL=${VMLINUZ##*/vmlinuz-}
    mkdir -p "$STAGE/out/modules"
    for m in uio uio_pci_generic; do
        src=$(find "$STAGE" -path "*/kernel/drivers/uio/$m.ko*" -type f | head -n1)
        [ -n "$src" ] || hw_die "$m.ko not found in $DEB (kernel built without CONFIG_UIO/CONFIG_UIO_PCI_GENERIC as modules?)"
        hw_unpack_module "$src" "$STAGE/out/modules/$m.ko"
    done
    cp "$VMLINUZ" "$STAGE/out/vmlinuz"
    echo "$KREL" > "$STAGE/out/kernel-release"
    basename "$DEB" > "$STAGE/out/kernel-deb"
    # Replace atomically-ish: a half-finished extraction never looks ready.
    rm -rf "$KDIR/modules"
    mv "$STAGE/out/modules" "$KDIR/modules"
    mv "$STAGE/out/vmlinuz" "$STAGE/out/kernel-deb" "$KDIR/"
    mv "$STAGE/out/kernel-release" "$KDIR/kernel-release"
    rm -rf "$STAGE"
    # Keep only the .deb in use.
    find "$DEBDIR" -name '*.deb' ! -name "$(basename "$DEB")" -delete
    kernel_ready || hw_die "kernel extraction incomplete in $KDIR"
    hw_log "kernel $KREL ready in $KDIR"
fi

# 3. VFIO modules for the VFIO boot (payload/vfio.sh), from the same cached .deb, in their own folder.
VFIO_MODULES="irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci"
vfio_ready() { for m in $VFIO_MODULES; do [ -s "$KDIR/vfio-modules/$m.ko" ] || return 1; done; }
if ! vfio_ready || [ "$REFRESH" -eq 1 ]; then
    DEB=$KDIR/debs/$(cat "$KDIR/kernel-deb")
    [ -s "$DEB" ] || hw_die "the kernel .deb $DEB is gone: run with --refresh"
    STAGE=$KDIR/vfio.tmp
    rm -rf "$STAGE"; mkdir -p "$STAGE/out"
    hw_log "extracting the VFIO modules from $(basename "$DEB")"
    hw_timeout 300 bash -c 'set -o pipefail; dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "*/kernel/drivers/vfio/*" "*/kernel/virt/lib/irqbypass.ko*"' \
        _ "$DEB" "$STAGE" || hw_die "extracting the VFIO modules from $DEB failed"
    for m in $VFIO_MODULES; do
        src=$(find "$STAGE" -name "$m.ko*" -type f | head -n1)
        [ -n "$src" ] || hw_die "$m.ko not found in $DEB (kernel built without VFIO as modules?)"
        hw_unpack_module "$src" "$STAGE/out/$m.ko"
    done
    rm -rf "$KDIR/vfio-modules"; mv "$STAGE/out" "$KDIR/vfio-modules"; rm -rf "$STAGE"
    vfio_ready || hw_die "VFIO module extraction incomplete in $KDIR/vfio-modules"
fi

hw_log "setup-x86_64 done in $(( $(date +%s) - T0 ))s (cache: $KDIR)"
