# shellcheck shell=bash
# Common helpers for the IoSys hardware (QEMU guest) harness. Sourced, not run.
#
# Arch plug-in contract: tests/Hardware/arch-<arch>.sh (or tests/Hardware/<arch>/arch.sh) is
# sourced by build-initramfs.sh and run-guest.sh and defines:
#   hw_arch_setup_script          print the path of the arch's setup script (run-guest --setup)
#   hw_arch_check                 fail (hw_die) unless setup has been run for this arch
#   hw_arch_kernel                print the kernel image path
#   hw_arch_modules               print the .ko paths to insmod, in load order (uncompressed)
#   hw_arch_busybox               print the static busybox path (guest arch)
#   hw_arch_libs FILE...          print "SRC DEST" lines: the shared libraries (and the dynamic
#                                 loader) that the given guest ELF files need, plus libc, libm
#                                 and the loader always; DEST is the absolute path in the guest
#   hw_arch_extra_files           print "SRC DEST" lines: other files for the guest (may print
#                                 nothing), e.g. /bin/semihost-exit on arm64
#   hw_arch_console               print the kernel console device (ttyS0, ttyAMA0)
#   hw_arch_qemu_cmd KERNEL INITRD APPEND SHMFILE
#                                 print the qemu argv, one argument per line
#   hw_arch_exit_channel          print "status-code" if QEMU's exit code carries the guest's
#                                 status s as (s<<1)|1 (isa-debug-exit, semihosting), else "console"
# and may set HW_ARCH_BOOT_MARGIN (seconds allowed for boot + poweroff; default 60) and HW_ARCH_EDU_DMA_MASK (edu's
# dma_mask property, when the default 28 bits cannot reach guest RAM; passed to the payload as IOSYS_EDU_DMA_MASK).

HW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HW_REPO=$(cd "$HW_DIR/../.." && pwd)
# shellcheck disable=SC2034  # used by the scripts and plug-ins that source this file
HW_CACHE=${IOSYS_HW_CACHE:-$HOME/.cache/iosys-hw}
# shellcheck disable=SC2034
HW_BUILD=${IOSYS_HW_BUILD:-$HW_REPO/artifacts/hardware}

# Command substitutions keep set -e (bash clears it there otherwise).
shopt -s inherit_errexit

hw_log() { printf '[hw %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
hw_die() { printf '[hw] ERROR: %s\n' "$*" >&2; exit 1; }

# hw_need CMD [PACKAGE]: fail clearly if a command is missing.
hw_need() {
    command -v "$1" >/dev/null 2>&1 ||
        hw_die "required command '$1' not found${2:+ (install package '$2', or run tests/Hardware/setup-x86_64.sh)}"
}

# hw_timeout SECONDS CMD...: run CMD bounded in time; a timeout is a clear failure.
hw_timeout() {
    local secs=$1; shift
    local rc=0
    timeout --kill-after=10 "$secs" "$@" || rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        hw_die "timed out after ${secs}s: $*"
    fi
    return "$rc"
}

# hw_load_arch ARCH: normalise the arch name and source its plug-in file.
hw_load_arch() {
    case "$1" in
        x86_64|amd64|x64) HW_ARCH=x86_64 ;;
        arm64|aarch64) HW_ARCH=arm64 ;;
        *) hw_die "unknown --arch '$1' (expected x86_64 or arm64)" ;;
    esac
    local f
    for f in "$HW_DIR/arch-$HW_ARCH.sh" "$HW_DIR/$HW_ARCH/arch.sh"; do
        if [ -f "$f" ]; then
            # shellcheck source=/dev/null
            . "$f"
            return 0
        fi
    done
    hw_die "no arch plug-in for '$HW_ARCH' (looked for $HW_DIR/arch-$HW_ARCH.sh and $HW_DIR/$HW_ARCH/arch.sh)"
}

# hw_is_elf FILE: true if FILE starts with the ELF magic.
hw_is_elf() {
    [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]
}

# hw_unpack_module SRC DEST: copy a kernel module out of a package tree, decompressing .ko.xz/.zst/.gz, and check
# that what comes out is an ELF object (setup-x86_64.sh's UIO and VFIO modules).
hw_unpack_module() {
    case "$1" in
        *.ko) cp "$1" "$2" ;;
        *.ko.xz) hw_need xz xz-utils; xz -dc "$1" > "$2" ;;
        *.ko.zst) hw_need zstd zstd; zstd -qdc "$1" > "$2" ;;
        *.ko.gz) gzip -dc "$1" > "$2" ;;
        *) hw_die "unknown module compression: $1" ;;
    esac || hw_die "decompressing $1 failed"
    hw_is_elf "$2" || hw_die "$(basename "$2") is not an ELF object after decompression"
}

# hw_elf_machine FILE: print the ELF e_machine (62 = x86-64, 183 = AArch64; little-endian ELF).
hw_elf_machine() {
    od -An -tu2 -j18 -N2 "$1" | tr -d ' \n'
}

# hw_check_elf_machine NUMBER NAME FILE...: fail unless every file is built for that machine.
hw_check_elf_machine() {
    local want=$1 name=$2 f m; shift 2
    for f in "$@"; do
        m=$(hw_elf_machine "$f")
        [ "$m" = "$want" ] || hw_die "payload ELF file $f is not a $name binary (e_machine $m, want $want): built for the wrong arch?"
    done
}

# hw_ldd_libs FILE...: "SRC DEST" lines for the libraries host ldd resolves (native arch).
# SRC is the real file (symlinks followed); DEST is the path the loader asks for.
hw_ldd_libs() {
    local f out list
    list=$(for f in "$@"; do
        # ldd on a static binary prints "not a dynamic executable" and exits 1.
        out=$(LC_ALL=C ldd "$f" 2>&1) || { case "$out" in *"not a dynamic"*|*"statically linked"*) continue ;; *) hw_die "ldd $f failed: $out" ;; esac; }
        if printf '%s\n' "$out" | grep -q 'not found'; then
            hw_die "ldd: $f needs libraries not found on this host:"$'\n'"$(printf '%s\n' "$out" | grep 'not found')"
        fi
        printf '%s\n' "$out" | awk '
            $2 == "=>" && $3 ~ /^\// { print $3 }
            $1 ~ /^\// { print $1 }'
    done) || return 1
    printf '%s\n' "$list" | sort -u | while read -r p; do
        [ -n "$p" ] || continue
        printf '%s %s\n' "$(readlink -f "$p")" "$p"
    done
}
