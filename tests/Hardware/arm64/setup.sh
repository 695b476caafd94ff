#!/usr/bin/env bash
# Prepare everything the arm64 hardware tests need, without installing foreign packages system-wide.
#
#   tests/Hardware/arm64/setup.sh [--quiet]
#
# stdout: only shell assignments (VAR='value'), also written to $CACHE/arm64/arm64.env, so both
#   eval "$(tests/Hardware/arm64/setup.sh)"   and   . "$CACHE/arm64/arm64.env"   work.
# stderr: progress log ("[arm64-setup] ...").
#
# Idempotent: every step is skipped when its output is already in the cache
# (${IOSYS_HW_CACHE:-$HOME/.cache/iosys-hw}/arm64). Delete that folder to start over.
#
# What it does:
#   * apt-get install (system, amd64 only): gcc-aarch64-linux-gnu libc6-dev-arm64-cross
#     binutils-aarch64-linux-gnu cpio  (the cross toolchain for NativeAOT and the initramfs packer)
#   * two PRIVATE apt configurations (own sources.list, lists, cache, status; nothing under /etc/apt
#     or /var/lib/apt changes, no dpkg --add-architecture):
#       bpo:   <the machine's Debian mirror> <codename>-backports main, amd64 -> qemu-system-arm (QEMU 10)
#       arm64: <mirror> <codename>, <codename>-updates, <security mirror> <codename>-security, arm64
#              -> linux-image-6.1.*-arm64, busybox-static, libc6, libstdc++6 and libgcc-s1 (the JIT payload)
#     The .debs are fetched with `apt-get download` and unpacked with dpkg-deb, never installed.
#   * checks the QEMU binary's libraries with ldd; missing ones are installed from the system's own
#     suites (the package names come from the backports package's Depends), and what is still
#     missing after that is taken from backports privately and put on LD_LIBRARY_PATH.
#   * writes a compiler wrapper for the NativeAOT cross link (drops clang-only --target=...).
set -euo pipefail

QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1

CACHE_ROOT=${IOSYS_HW_CACHE:-$HOME/.cache/iosys-hw}
C=$CACHE_ROOT/arm64
mkdir -p "$C"
C=$(cd "$C" && pwd)
CODENAME=${IOSYS_HW_DEBIAN_SUITE:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")}
CODENAME=${CODENAME:-bookworm}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_ETC=${IOSYS_HW_APT_ETC:-/etc/apt}   # where the machine's apt sources are read from

log() { [ "$QUIET" = 1 ] || echo "[arm64-setup] $*" >&2; }
die() { echo "[arm64-setup] ERROR: $*" >&2; exit 1; }
T0=$(date +%s)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# ---------------------------------------------------------------- system packages (amd64)
# apt's own lock wait covers dpkg; `apt-get update` has no lock timeout, so retry it a few times.
sys_apt_update() {
    local i
    for i in 1 2 3 4 5 6; do
        if timeout 300 $SUDO apt-get update -qq >&2; then return 0; fi
        log "apt-get update failed (lock held by another apt?), retry $i in 10 s"
        sleep 10
    done
    return 1
}
SYS_UPDATED=0
sys_apt_install() {   # install missing system packages; $@ = package names
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] && return 0
    log "apt-get install ${missing[*]}"
    if [ "$SYS_UPDATED" = 0 ] && ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
        sys_apt_update; SYS_UPDATED=1
    fi
    if ! timeout 600 env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2; then
        [ "$SYS_UPDATED" = 1 ] && return 1
        sys_apt_update; SYS_UPDATED=1
        timeout 600 env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
    fi
}

sys_apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu cpio xz-utils

# ---------------------------------------------------------------- mirrors from the machine's apt sources
# Prints the first URI of an enabled `deb` source carrying suite $1 (one-line .list and deb822 .sources).
find_mirror() {
    local suite=$1 f
    {
        for f in "$APT_ETC/sources.list" "$APT_ETC/sources.list.d/"*.list; do
            if [ -f "$f" ]; then
                sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk -v s="$suite" '$1=="deb" && $3==s {print $2}'
            fi
        done
        for f in "$APT_ETC/sources.list.d/"*.sources; do
            if [ -f "$f" ]; then
                awk -v s="$suite" '
                BEGIN { RS=""; FS="\n" }
                {
                    types=""; uris=""; suites=""; en="yes"; key=""
                    for (i = 1; i <= NF; i++) {
                        l = $i
                        if (l ~ /^[ \t]*#/) continue
                        if (match(l, /^[A-Za-z-]+:/)) { key = tolower(substr(l, 1, RLENGTH - 1)); val = substr(l, RLENGTH + 1) }
                        else val = l
                        if (key == "types") types = types " " val
                        else if (key == "uris") uris = uris " " val
                        else if (key == "suites") suites = suites " " val
                        else if (key == "enabled") en = val
                    }
                    if (types !~ /(^|[ \t])deb([ \t]|$)/ || tolower(en) ~ /no/) next
                    n = split(suites, S, /[ \t]+/); ok = 0
                    for (j = 1; j <= n; j++) if (S[j] == s) ok = 1
                    if (!ok) next
                    m = split(uris, U, /[ \t]+/)
                    for (j = 1; j <= m; j++) if (U[j] != "") { print U[j]; exit }
                }' "$f"
            fi
        done
    } | sed 's:/*$::' | head -n1
}

MIRROR=${IOSYS_HW_DEBIAN_MIRROR:-$(find_mirror "$CODENAME")}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SEC_MIRROR=${IOSYS_HW_DEBIAN_SECURITY_MIRROR:-$(find_mirror "$CODENAME-security")}
SEC_MIRROR=${SEC_MIRROR:-http://deb.debian.org/debian-security}
log "mirror: $MIRROR ($CODENAME, $CODENAME-updates, $CODENAME-backports); security: $SEC_MIRROR"

# ---------------------------------------------------------------- private apt configurations
# papt NAME apt-get|apt-cache ARGS...: run apt with everything under $C/apt/NAME.
papt() {
    local name=$1 tool=$2; shift 2
    local d=$C/apt/$name arch
    arch=$(cat "$d/arch")
    timeout "${PAPT_TIMEOUT:-600}" "$tool" -q \
        -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/empty" \
        -o Dir::Etc::Preferences="$d/preferences" -o Dir::Etc::PreferencesParts="$d/empty" \
        -o Dir::State="$d/state" -o Dir::State::Lists="$d/lists" -o Dir::State::Status="$d/status" \
        -o Dir::Cache="$d/cache" -o Dir::Cache::Archives="$d/cache/archives" \
        -o APT::Architecture="$arch" -o APT::Architectures="$arch" \
        -o Acquire::Languages=none -o APT::Sandbox::User=root \
        -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false \
        -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false \
        -o Acquire::Retries=3 -o Acquire::http::Timeout=30 \
        "$@"
}
papt_init() {   # papt_init NAME ARCH < sources lines
    local name=$1 arch=$2 d=$C/apt/$1
    mkdir -p "$d/empty" "$d/state" "$d/lists/partial" "$d/cache/archives/partial"
    echo "$arch" > "$d/arch"
    : > "$d/preferences"
    [ -f "$d/status" ] || : > "$d/status"
    cat > "$d/sources.list.new"
    if ! cmp -s "$d/sources.list.new" "$d/sources.list" || ! ls "$d/lists/"*_Packages* >/dev/null 2>&1; then
        mv "$d/sources.list.new" "$d/sources.list"
        log "private apt '$name' ($arch): update"
        PAPT_TIMEOUT=300 papt "$name" apt-get update >&2 || die "private apt-get update ($name) failed"
    else
        rm -f "$d/sources.list.new"
    fi
}
# papt_fetch NAME PACKAGE DESTDIR: apt-get download PACKAGE (candidate version) unless that exact .deb is there;
# prints the .deb path.
papt_fetch() {
    local name=$1 pkg=$2 dest=$3 ver arch f
    mkdir -p "$dest"
    ver=$(papt "$name" apt-cache policy "$pkg" | awk '/Candidate:/ {print $2; exit}')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate for $pkg in private apt '$name'"
    arch=$(cat "$C/apt/$name/arch")
    f=$(ls "$dest/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$f" ]; then
        log "download $pkg $ver ($name)"
        if ! (cd "$dest" && papt "$name" apt-get download "$pkg=$ver" >&2); then
            # Cached lists may name a version the archive has dropped (security updates): refresh, retry.
            log "download failed; refreshing private apt '$name' lists"
            PAPT_TIMEOUT=300 papt "$name" apt-get update >&2 || die "private apt-get update ($name) failed"
            ver=$(papt "$name" apt-cache policy "$pkg" | awk '/Candidate:/ {print $2; exit}')
            (cd "$dest" && papt "$name" apt-get download "$pkg=$ver" >&2) || die "download of $pkg failed"
        fi
        f=$(ls "$dest/${pkg}_${ver//:/%3a}_"*.deb | head -n1)
    fi
    echo "$f"
}
# unpack DEB DIR [TAR-PATTERNS...]: extract the package's files (or only those matching the patterns)
# into DIR (fresh) unless DIR/.from already names this .deb.
unpack() {
    local deb=$1 dir=$2; shift 2
    if [ "$(cat "$dir/.from" 2>/dev/null || true)" != "$(basename "$deb")" ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        if [ $# -gt 0 ]; then
            timeout 300 dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"
        else
            timeout 300 dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir"
        fi
        basename "$deb" > "$dir/.from"
    fi
}

papt_init bpo amd64 <<EOF
deb [arch=amd64 signed-by=$KEYRING] $MIRROR $CODENAME-backports main
EOF
papt_init arm64 arm64 <<EOF
deb [arch=arm64 signed-by=$KEYRING] $MIRROR $CODENAME main
deb [arch=arm64 signed-by=$KEYRING] $MIRROR $CODENAME-updates main
deb [arch=arm64 signed-by=$KEYRING] $SEC_MIRROR $CODENAME-security main
EOF

# ---------------------------------------------------------------- QEMU 10 from backports
DEBS=$C/debs
QDEB=$(papt_fetch bpo qemu-system-arm "$DEBS")
unpack "$QDEB" "$C/qemu"
QEMU_REAL=$C/qemu/usr/bin/qemu-system-aarch64
[ -x "$QEMU_REAL" ] || die "no qemu-system-aarch64 in $QDEB"

missing_libs() { ldd "$QEMU_REAL" 2>&1 | awk '/not found/ {print $1}' | sort -u; }
QLIBDIR=$C/qemu-libs
LDPATH=
[ -d "$QLIBDIR/lib" ] && LDPATH=$QLIBDIR/lib
ldd_env() { if [ -n "$LDPATH" ]; then LD_LIBRARY_PATH=$LDPATH missing_libs; else missing_libs; fi; }
MISSING=$(ldd_env)
if [ -n "$MISSING" ]; then
    log "QEMU 10 lacks: $(echo $MISSING)"
    # The backports package's library dependencies, by name (versions dropped, first alternative).
    DEPS=$(dpkg-deb -f "$QDEB" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/ //g' \
        | grep -E '^lib' || true)
    AVAIL=()
    for p in $DEPS; do
        c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
        if [ -z "$c" ] && [ "$SYS_UPDATED" = 0 ]; then sys_apt_update; SYS_UPDATED=1
            c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'); fi
        [ -n "$c" ] && [ "$c" != "(none)" ] && AVAIL+=("$p")
    done
    [ ${#AVAIL[@]} = 0 ] || sys_apt_install "${AVAIL[@]}"
    MISSING=$(ldd_env)
fi
if [ -n "$MISSING" ]; then
    # Still missing (too new for the base suite): take those libraries from backports, privately.
    log "still missing after system install: $(echo $MISSING); fetching backports libraries"
    mkdir -p "$QLIBDIR/lib"
    for p in $DEPS; do
        c=$(papt bpo apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
        [ -n "$c" ] && [ "$c" != "(none)" ] || continue
        d=$(papt_fetch bpo "$p" "$DEBS")
        unpack "$d" "$QLIBDIR/pkg/$p"
        find "$QLIBDIR/pkg/$p" -name '*.so*' \( -type f -o -type l \) -exec cp -a {} "$QLIBDIR/lib/" \;
    done
    LDPATH=$QLIBDIR/lib
    MISSING=$(ldd_env)
    [ -z "$MISSING" ] || die "QEMU still lacks libraries: $(echo $MISSING)"
fi

# ROM/firmware data dir: only needed for devices with option ROMs (virtio-net etc.); -M virt -kernel needs none.
QDATA=$C/qemu/usr/share/qemu
QEMU_WRAPPER=$C/bin/qemu-system-aarch64
mkdir -p "$C/bin" "$QDATA"
{
    echo '#!/bin/sh'
    echo "# QEMU from $(basename "$QDEB"), unpacked in $C/qemu (not installed)."
    [ -z "$LDPATH" ] || echo "LD_LIBRARY_PATH='$LDPATH'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH"
    echo "# -audio none: keeps QEMU 10 from loading the system QEMU's (other build's) audio/ui modules."
    echo "exec '$QEMU_REAL' -L '$QDATA' -audio none \"\$@\""
} > "$QEMU_WRAPPER.new"
chmod +x "$QEMU_WRAPPER.new"; mv "$QEMU_WRAPPER.new" "$QEMU_WRAPPER"
QEMU_VERSION=$(timeout 30 "$QEMU_WRAPPER" --version | head -n1) || die "QEMU 10 does not run"
case "$QEMU_VERSION" in *"version "[1-9][0-9].*) ;; *) die "expected QEMU >= 10, got: $QEMU_VERSION";; esac
log "$QEMU_VERSION"

# ---------------------------------------------------------------- arm64 kernel + uio modules
KPKG=$(papt arm64 apt-cache depends linux-image-arm64 | awk '/Depends: linux-image-[0-9.]+-[0-9]+-arm64$/ {print $2; exit}')
[ -n "$KPKG" ] || die "cannot resolve linux-image-arm64 to a linux-image-6.1.*-arm64 package"
KDEB=$(papt_fetch arm64 "$KPKG" "$DEBS")
KX=$C/kernel-pkg
# Only the kernel image and the UIO modules (the whole package unpacks to ~400 MB of modules).
unpack "$KDEB" "$KX" './boot/vmlinuz-*' '*/kernel/drivers/uio/uio.ko*' '*/kernel/drivers/uio/uio_pci_generic.ko*' '*/modules.builtin' \
    '*/kernel/drivers/vfio/*'

KVER=$(ls "$KX/lib/modules" | head -n1)
KSRC=$(ls "$KX/boot/vmlinuz-"* | head -n1)
KDIR=$C/kernel
mkdir -p "$KDIR/modules"
KERNEL_ARM64=$KDIR/Image-$KVER
if [ ! -s "$KERNEL_ARM64" ]; then
    # Debian's arm64 vmlinuz is normally a raw Image (EFI stub, "ARM\x64" magic at 0x38); gunzip if not.
    if [ "$(head -c2 "$KSRC" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
        gzip -dc "$KSRC" > "$KERNEL_ARM64.tmp"
    else
        cp "$KSRC" "$KERNEL_ARM64.tmp"
    fi
    mv "$KERNEL_ARM64.tmp" "$KERNEL_ARM64"
fi
[ "$(dd if="$KERNEL_ARM64" bs=1 skip=56 count=4 2>/dev/null | od -An -c | tr -d ' ')" = 'ARMd' ] \
    || die "$KERNEL_ARM64 is not an arm64 Image"
MODULES_ARM64_DIR=$KDIR/modules
for m in uio uio_pci_generic; do
    src=$(find "$KX/lib/modules/$KVER" -name "$m.ko*" | head -n1)
    [ -n "$src" ] || die "$m.ko not in $KPKG"
    case "$src" in
        *.xz) xz -dc "$src" > "$MODULES_ARM64_DIR/$m.ko" ;;
        *.zst) zstd -dc "$src" > "$MODULES_ARM64_DIR/$m.ko" ;;
        *.gz) gzip -dc "$src" > "$MODULES_ARM64_DIR/$m.ko" ;;
        *) cp "$src" "$MODULES_ARM64_DIR/$m.ko" ;;
    esac
done
echo "$KVER" > "$MODULES_ARM64_DIR/VERSION"

# VFIO modules for the VFIO boot (payload/vfio.sh), from the same cached .deb, in their own folder. Debian's arm64
# 6.1 config: CONFIG_VFIO, _IOMMU_TYPE1, _VIRQFD, _PCI_CORE, _PCI =m; CONFIG_IRQ_BYPASS_MANAGER, CONFIG_ARM_SMMU_V3
# and CONFIG_ARM_GIC_V3_ITS =y (built in: no irqbypass.ko or arm_smmu_v3.ko to load, unlike x86-64's irqbypass).
VFIO_MODULES_ARM64="vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci"
VFIO_MODULES_ARM64_DIR=$KDIR/vfio-modules
vfio_ready() {
    [ "$(cat "$VFIO_MODULES_ARM64_DIR/.from" 2>/dev/null || true)" = "$(basename "$KDEB")" ] || return 1
    for m in $VFIO_MODULES_ARM64; do [ -s "$VFIO_MODULES_ARM64_DIR/$m.ko" ] || return 1; done
}
if ! vfio_ready; then
    STAGE=$KDIR/vfio.tmp
    rm -rf "$STAGE"; mkdir -p "$STAGE/out"
    # A fresh unpack above brought them along; a kernel folder unpacked before the VFIO boot existed did not.
    FROM=$KX/lib/modules/$KVER/kernel/drivers/vfio
    if [ ! -d "$FROM" ]; then
        log "extracting the VFIO modules from $(basename "$KDEB")"
        timeout 300 dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$STAGE" --wildcards '*/kernel/drivers/vfio/*' \
            || die "extracting the VFIO modules from $KDEB failed"
        FROM=$STAGE
    fi
    for m in $VFIO_MODULES_ARM64; do
        src=$(find "$FROM" -name "$m.ko*" -type f | head -n1)
        [ -n "$src" ] || die "$m.ko not in $KPKG (kernel built without VFIO as modules?)"
        case "$src" in
            *.xz) xz -dc "$src" > "$STAGE/out/$m.ko" ;;
            *.zst) zstd -dc "$src" > "$STAGE/out/$m.ko" ;;
            *.gz) gzip -dc "$src" > "$STAGE/out/$m.ko" ;;
            *) cp "$src" "$STAGE/out/$m.ko" ;;
        esac
        [ "$(head -c4 "$STAGE/out/$m.ko" | od -An -c | tr -d ' ')" = '177ELF' ] || die "$m.ko from $KPKG is not an ELF object"
    done
    basename "$KDEB" > "$STAGE/out/.from"
    rm -rf "$VFIO_MODULES_ARM64_DIR"; mv "$STAGE/out" "$VFIO_MODULES_ARM64_DIR"; rm -rf "$STAGE"
    vfio_ready || die "VFIO module extraction incomplete in $VFIO_MODULES_ARM64_DIR"
fi

# ---------------------------------------------------------------- arm64 userland: busybox + libc
BBDEB=$(papt_fetch arm64 busybox-static "$DEBS")
LCDEB=$(papt_fetch arm64 libc6 "$DEBS")
# The .NET runtime of the JIT payload (run.sh, publish_jit) needs the C++ runtime too.
CXXDEB=$(papt_fetch arm64 libstdc++6 "$DEBS")
GCCDEB=$(papt_fetch arm64 libgcc-s1 "$DEBS")
unpack "$BBDEB" "$C/pkg-busybox"
unpack "$LCDEB" "$C/pkg-libc6"
unpack "$CXXDEB" "$C/pkg-libstdcxx6"
unpack "$GCCDEB" "$C/pkg-libgcc-s1"
ROOTFS_ARM64_DIR=$C/rootfs
STAMP="$(basename "$BBDEB") $(basename "$LCDEB") $(basename "$CXXDEB") $(basename "$GCCDEB")"
if [ "$(cat "$ROOTFS_ARM64_DIR/.from" 2>/dev/null || true)" != "$STAMP" ]; then
    rm -rf "$ROOTFS_ARM64_DIR"
    mkdir -p "$ROOTFS_ARM64_DIR/bin" "$ROOTFS_ARM64_DIR/lib/aarch64-linux-gnu"
    cp "$C/pkg-busybox/bin/busybox" "$ROOTFS_ARM64_DIR/bin/busybox"
    # PKG:SONAME pairs: libc's (libdl, libpthread and librt are glibc's compatibility stubs the runtime still names).
    for pair in libc6:libc.so.6 libc6:libm.so.6 libc6:ld-linux-aarch64.so.1 libc6:libdl.so.2 libc6:libpthread.so.0 \
                libc6:librt.so.1 libstdcxx6:libstdc++.so.6 libgcc-s1:libgcc_s.so.1; do
        so=${pair#*:}
        f=$(find "$C/pkg-${pair%%:*}" -name "$so" | head -n1)
        [ -n "$f" ] || die "$so not in the arm64 package ${pair%%:*}"
        cp -L "$f" "$ROOTFS_ARM64_DIR/lib/aarch64-linux-gnu/$so"
    done
    # The ELF interpreter path that aarch64 binaries ask for.
    ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$ROOTFS_ARM64_DIR/lib/ld-linux-aarch64.so.1"
    echo "$STAMP" > "$ROOTFS_ARM64_DIR/.from"
fi

# ---------------------------------------------------------------- NativeAOT cross toolchain
AARCH64_CC=$C/bin/aarch64-aot-cc
cat > "$AARCH64_CC.new" <<'EOF'
#!/usr/bin/env bash
# NativeAOT's link step speaks clang (--target=aarch64-linux-gnu ...); gcc's cross driver already
# targets aarch64, so drop the clang-only target arguments and hand the rest to aarch64-linux-gnu-gcc.
args=()
skip=0
for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$a" in
        --target=*|-target=*) ;;
        --target|-target) skip=1 ;;
        *) args+=("$a") ;;
    esac
done
exec aarch64-linux-gnu-gcc "${args[@]}"
EOF
chmod +x "$AARCH64_CC.new"; mv "$AARCH64_CC.new" "$AARCH64_CC"
command -v aarch64-linux-gnu-objcopy >/dev/null || die "aarch64-linux-gnu-objcopy missing"

# ---------------------------------------------------------------- guest -> host exit status helper
# arm64 has no isa-debug-exit; semihost-exit N makes QEMU exit with N when QEMU runs with
# -semihosting-config enable=on,target=native,userspace=on (see semihost-exit.c).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SEMIHOST_EXIT_ARM64=$C/bin/semihost-exit
if [ ! -x "$SEMIHOST_EXIT_ARM64" ] || [ "$HERE/semihost-exit.c" -nt "$SEMIHOST_EXIT_ARM64" ]; then
    timeout 120 aarch64-linux-gnu-gcc -static -nostdlib -Os -fno-stack-protector -s \
        -o "$SEMIHOST_EXIT_ARM64" "$HERE/semihost-exit.c" || die "cannot build semihost-exit"
fi

# ---------------------------------------------------------------- result
ENVF=$C/arm64.env
{
    printf 'QEMU_AARCH64=%q\n' "$QEMU_WRAPPER"
    printf 'QEMU_AARCH64_REAL=%q\n' "$QEMU_REAL"
    printf 'QEMU_AARCH64_LD_LIBRARY_PATH=%q\n' "$LDPATH"
    printf 'QEMU_AARCH64_DATADIR=%q\n' "$QDATA"
    printf 'QEMU_AARCH64_VERSION=%q\n' "$QEMU_VERSION"
    printf 'KERNEL_ARM64=%q\n' "$KERNEL_ARM64"
    printf 'KERNEL_ARM64_VERSION=%q\n' "$KVER"
    printf 'MODULES_ARM64_DIR=%q\n' "$MODULES_ARM64_DIR"
    printf 'VFIO_MODULES_ARM64_DIR=%q\n' "$VFIO_MODULES_ARM64_DIR"
    printf 'ROOTFS_ARM64_DIR=%q\n' "$ROOTFS_ARM64_DIR"
    printf 'AARCH64_CC=%q\n' "$AARCH64_CC"
    printf 'AARCH64_OBJCOPY=%q\n' "$(command -v aarch64-linux-gnu-objcopy)"
    printf 'AARCH64_SYSROOT=%q\n' ""
    printf 'SEMIHOST_EXIT_ARM64=%q\n' "$SEMIHOST_EXIT_ARM64"
    printf 'IOSYS_HW_ARM64_CACHE=%q\n' "$C"
} > "$ENVF.new"
mv "$ENVF.new" "$ENVF"
log "done in $(( $(date +%s) - T0 )) s; env in $ENVF"
cat "$ENVF"
