# shellcheck shell=sh
# Issue 13's sample and binding side, in the guest (sourced by payload/run.sh after the tool's scenarios and before
# section 3 unbinds edu; uses its pass/fail/describe_rc/run_cli and $IOSYS):
#   edudemo.uio           edu-demo (samples/EduDriver, NativeAOT) runs every scenario UIO supports on edu;
#   cli.list-driver       `iosys list --json` shows edu held by uio_pci_generic, with an iommuGroup key;
#   cli.config-ids        `iosys read pci:ADDR/config 0 --width 16` reads edu's vendor 0x1234, 32 bits 0x11e81234;
#   cli.bind-no-driver    binding to a driver that is not loaded is refused, naming it, and edu keeps its driver;
#   cli.bind-round-trip   unbind (none remembered: no driver), bind uio_pci_generic (driver_override + drivers_probe
#                         on the real kernel), unbind again (back to none), then bound to uio_pci_generic once more.
# edu-demo's own PASS/FAIL/SKIP lines are indented, so the guest's totals count each scenario above once.

if [ ! -x ./edu-demo ]; then
    fail edudemo.present "no edu-demo binary in the payload"
elif [ -z "$IOSYS_EDU_UIO" ]; then
    echo "SKIP edudemo.uio: edu is not bound to uio_pci_generic"
else
    DEMO=$(./edu-demo "uio:$IOSYS_EDU_UIO" 2>&1)
    rc=$?
    echo "  \$ edu-demo uio:$IOSYS_EDU_UIO -> exit $rc"
    printf '%s\n' "$DEMO" | sed 's/^/  | /'
    case "$rc" in
        0) if printf '%s\n' "$DEMO" | grep -q '^PASS factorial-interrupt$'; then pass edudemo.uio
           else fail edudemo.uio "exit 0 but no PASS factorial-interrupt line"; fi ;;
        1) fail edudemo.uio "$(printf '%s\n' "$DEMO" | grep '^FAIL' | head -n 1)" ;;
        *) fail edudemo.uio "edu-demo ended abnormally ($(describe_rc "$rc"))" ;;
    esac
fi

[ -n "$IOSYS_EDU_PCI" ] || { echo "SKIP cli.binding: edu not found"; return 0 2>/dev/null || exit 0; }
EDU_SYS=/sys/bus/pci/devices/$IOSYS_EDU_PCI
edu_driver() { d=$(readlink "$EDU_SYS/driver" 2>/dev/null) && echo "${d##*/}"; }
BIND_STATE=/tmp/iosys-bindings

if run_cli cli.list-driver list --json; then
    drv=$(printf '%s\n' "$OUT" | awk -v a="\"address\": \"$IOSYS_EDU_PCI\"" 'index($0, a) { f = 1 } f && /"driver":/ { print; exit }')
    if [ "$RC" -eq 0 ] && printf '%s' "$drv" | grep -q '"uio_pci_generic"' && printf '%s\n' "$OUT" | grep -q '"iommuGroup":'; then pass cli.list-driver
    else fail cli.list-driver "expected edu with driver uio_pci_generic and an iommuGroup key, got exit $RC, driver line '$drv'"; fi
fi

if run_cli cli.config-ids read "pci:$IOSYS_EDU_PCI/config" 0 --width 16; then
    v16=$OUT
    if run_cli cli.config-ids read "pci:$IOSYS_EDU_PCI/config" 0; then
        if [ "$v16" = "0x1234" ] && [ "$OUT" = "0x11e81234" ]; then pass cli.config-ids
        else fail cli.config-ids "expected 0x1234 and 0x11e81234, got '$v16' and '$OUT'"; fi
    fi
fi

if run_cli cli.bind-no-driver bind "$IOSYS_EDU_PCI" no-such-driver --state-dir "$BIND_STATE"; then
    if [ "$RC" -eq 1 ] && printf '%s' "$OUT" | grep -q 'no such driver is loaded' && [ "$(edu_driver)" = uio_pci_generic ]; then pass cli.bind-no-driver
    else fail cli.bind-no-driver "expected exit 1 naming the missing driver and edu still on uio_pci_generic, got exit $RC, driver '$(edu_driver)'"; fi
fi

step() { # step WHAT EXPECTED-DRIVER ARGS...: one iosys call of the round trip
    what=$1 want=$2; shift 2
    run_cli cli.bind-round-trip "$@" --state-dir "$BIND_STATE" || return 1
    [ "$RC" -eq 0 ] && [ "$(edu_driver)" = "$want" ] && return 0
    fail cli.bind-round-trip "$what: expected exit 0 and driver '${want:-none}', got exit $RC and '$(edu_driver)'"
    return 1
}
if step "unbind with nothing remembered" "" unbind "$IOSYS_EDU_PCI" &&
    step "bind to uio_pci_generic" uio_pci_generic bind "$IOSYS_EDU_PCI" uio_pci_generic &&
    step "unbind back to no driver" "" unbind "$IOSYS_EDU_PCI" &&
    step "bind again" uio_pci_generic bind "$IOSYS_EDU_PCI" uio_pci_generic; then
    pass cli.bind-round-trip
fi
