#!/usr/bin/env bash
# Build the guest initramfs (gzip'd newc cpio) for the IoSys hardware harness.
#
# usage: build-initramfs.sh --arch x86_64|arm64 --payload DIR --output FILE
#                           [--env KEY=VALUE]... [--init FILE]
#
# Contents: static busybox + applet symlinks, /init (guest/init), /modules/{uio,uio_pci_generic}.ko,
# /payload (a copy of DIR; must contain run.sh), the shared libraries that the ELF files in
# DIR need (plus libc, libm and the dynamic loader) at their real paths, /etc/iosys-env
# (the --env lines), and /dev/console.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARCH=x86_64 PAYLOAD="" OUTPUT="" INIT=$HW_DIR/guest/init
ENVS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCH=${2:?--arch needs a value}; shift ;;
        --payload) PAYLOAD=${2:?--payload needs a directory}; shift ;;
        --output) OUTPUT=${2:?--output needs a file}; shift ;;
        --env) ENVS+=("${2:?--env needs KEY=VALUE}"); shift ;;
        --init) INIT=${2:?--init needs a file}; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) hw_die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done
[ -n "$PAYLOAD" ] || hw_die "--payload DIR is required"
[ -n "$OUTPUT" ] || hw_die "--output FILE is required"
[ -d "$PAYLOAD" ] || hw_die "payload directory '$PAYLOAD' does not exist"
[ -f "$PAYLOAD/run.sh" ] || hw_die "payload directory '$PAYLOAD' has no run.sh (the guest runs /payload/run.sh)"
[ -f "$INIT" ] || hw_die "init script '$INIT' not found"
for kv in "${ENVS[@]+"${ENVS[@]}"}"; do
    [[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || hw_die "--env '$kv' is not KEY=VALUE"
    [[ "$kv" != *$'\n'* ]] || hw_die "--env values cannot contain newlines"
done
hw_need cpio cpio
hw_need gzip gzip
hw_load_arch "$ARCH"
hw_arch_check

T0=$(date +%s)
mkdir -p "$(dirname "$OUTPUT")"
OUTPUT=$(cd "$(dirname "$OUTPUT")" && pwd)/$(basename "$OUTPUT")
STAGE=$(mktemp -d "${OUTPUT}.stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,modules,payload}

# busybox + applet links (the list comes from the guest busybox when it runs on this host,
# else from the host's busybox; init also runs `busybox --install -s` if /bin/sh is missing).
BB=$(hw_arch_busybox)
[ -x "$BB" ] || hw_die "busybox '$BB' not found or not executable"
cp "$BB" "$STAGE/bin/busybox"
APPLETS=$("$BB" --list-full 2>/dev/null || /bin/busybox --list-full 2>/dev/null || true)
[ -n "$APPLETS" ] || hw_die "cannot list busybox applets (neither $BB nor /bin/busybox runs here)"
# One perl process (perl-base is Essential on Debian): forks are slow under some sandboxes.
hw_need perl perl-base
printf '%s\n' "$APPLETS" | perl -e '
    my $root = shift;
    while (my $a = <STDIN>) {
        chomp $a;
        next if $a eq "" || $a eq "bin/busybox" || $a !~ m{/};   # skip top-level /linuxrc
        my @parts = split m{/}, $a;
        my $dir = join "/", @parts[0 .. $#parts - 1];
        my $path = "$root";
        for my $p (split m{/}, $dir) { $path .= "/$p"; mkdir $path unless -d $path; }
        my $target = ("../" x (scalar(@parts) - 1)) . "bin/busybox";
        unlink "$root/$a";
        symlink($target, "$root/$a") or die "symlink $a: $!\n";
    }' "$STAGE" || hw_die "creating busybox applet links failed"
[ -L "$STAGE/bin/sh" ] || hw_die "busybox applet list has no bin/sh"

install -m 0755 "$INIT" "$STAGE/init"

# Kernel modules, in load order. (Plug-in output is captured first: a failure inside a
# process substitution would go unnoticed.)
MODS=$(hw_arch_modules) || hw_die "arch plug-in: cannot list kernel modules"
while read -r m; do
    [ -s "$m" ] || hw_die "kernel module '$m' missing: run the setup script for $HW_ARCH"
    hw_is_elf "$m" || hw_die "kernel module '$m' is not an uncompressed ELF .ko"
    cp "$m" "$STAGE/modules/"
done <<< "$MODS"

# Payload, verbatim (symlinks kept as symlinks).
cp -a "$PAYLOAD/." "$STAGE/payload/"
chmod 0755 "$STAGE/payload/run.sh"

# Shared libraries for every dynamic ELF file in the payload.
ELFS=()
while IFS= read -r -d '' f; do
    hw_is_elf "$f" && ELFS+=("$f")
done < <(find "$PAYLOAD" -type f -print0)
LIBS=$(hw_arch_libs "${ELFS[@]+"${ELFS[@]}"}") || hw_die "cannot resolve the payload's shared libraries"
NLIBS=0
while read -r src dest; do
    [ -n "$src" ] || continue
    [ -f "$src" ] || hw_die "library '$src' (for $dest) not found"
    case "$dest" in /*) ;; *) hw_die "library destination '$dest' is not absolute" ;; esac
    mkdir -p "$STAGE$(dirname "$dest")"
    cp -L "$src" "$STAGE$dest"
    NLIBS=$((NLIBS + 1))
done <<< "$LIBS"

# Arch extras (e.g. /bin/semihost-exit on arm64).
EXTRAS=$(hw_arch_extra_files) || hw_die "arch plug-in: cannot list extra files"
while read -r src dest; do
    [ -n "$src" ] || continue
    [ -f "$src" ] || hw_die "extra file '$src' (for $dest) not found"
    mkdir -p "$STAGE$(dirname "$dest")"
    cp -L "$src" "$STAGE$dest"
done <<< "$EXTRAS"

# Extra environment for the payload.
: > "$STAGE/etc/iosys-env"
for kv in "${ENVS[@]+"${ENVS[@]}"}"; do printf '%s\n' "$kv" >> "$STAGE/etc/iosys-env"; done

# /dev/console, so that the kernel can give init its stdio (init copes without it).
if [ "$(id -u)" -eq 0 ]; then
    mknod -m 0600 "$STAGE/dev/console" c 5 1
    mknod -m 0666 "$STAGE/dev/null" c 1 3
fi

hw_timeout 300 bash -c 'set -o pipefail; cd "$1" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc -R 0:0 --quiet | gzip -6 > "$2.tmp"' _ "$STAGE" "$OUTPUT" ||
    hw_die "creating the cpio archive failed"
mv "$OUTPUT.tmp" "$OUTPUT"
hw_log "initramfs $OUTPUT: $(du -h "$OUTPUT" | cut -f1), ${#ELFS[@]} payload ELF file(s), $NLIBS librar(y/ies), built in $(( $(date +%s) - T0 ))s"
