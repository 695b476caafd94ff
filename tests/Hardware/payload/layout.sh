# shellcheck shell=sh
# Where each scenario reads or writes in ivshmem's BAR2 (the 1 MiB host file). Sourced by the host
# (tests/Hardware/run.sh: prepares the file, checks it after the guest powers off) and by the guest
# (payload/run.sh: passes the offsets to iosys-hwtests and the iosys CLI). Offsets are hex.

IOSYS_HW_FW_SEED=20261123          # firmware image: deterministic bytes from this seed
IOSYS_HW_FW_LEN=12345              # odd and not a multiple of 8: every width leaves a tail
IOSYS_HW_HOSTDATA_SEED=4242        # data the host writes before boot, read by the guest
IOSYS_HW_HOSTDATA_OFF=0x0
IOSYS_HW_HOSTDATA_LEN=0x10000
IOSYS_HW_GUARD_OFF=0x10000         # [GUARD_OFF, GUARD_END) is pre-filled with GUARD_VALUE by the host,
IOSYS_HW_GUARD_END=0x90000         # so the host can tell exactly which bytes the guest wrote
IOSYS_HW_GUARD_VALUE=0xcc
IOSYS_HW_SLOT_LEN=0x10000          # each scenario below owns one slot of this size
IOSYS_HW_FW_U8_OFF=0x10000         # ivshmem.firmware.u8: Write8 at 0, 1, 2, ... n-1 (the seed's pattern)
IOSYS_HW_FW_U16_OFF=0x20000        # ivshmem.firmware.u16
IOSYS_HW_FW_U32_OFF=0x30000        # ivshmem.firmware.u32
IOSYS_HW_FW_U64_OFF=0x40000        # ivshmem.firmware.u64
IOSYS_HW_BULK_OFF=0x50003          # ivshmem.bulk.write-bytes (odd start)
IOSYS_HW_FILL_OFF=0x60001          # ivshmem.bulk.fill: FILL_LEN bytes of FILL_VALUE
IOSYS_HW_FILL_LEN=0x1001
IOSYS_HW_FILL_VALUE=0xa5
IOSYS_HW_CLI_LOAD8_OFF=0x70000     # cli.load-u8: iosys load FW pci:1af4:1110/bar2 OFF --width 8 --verify (8-bit stores)
IOSYS_HW_CLI_LOAD64_OFF=0x80000    # cli.load-u64: the same with --width 64

export IOSYS_HW_FW_SEED IOSYS_HW_FW_LEN IOSYS_HW_HOSTDATA_SEED IOSYS_HW_HOSTDATA_OFF IOSYS_HW_HOSTDATA_LEN \
    IOSYS_HW_GUARD_OFF IOSYS_HW_GUARD_END IOSYS_HW_GUARD_VALUE IOSYS_HW_SLOT_LEN IOSYS_HW_FW_U8_OFF \
    IOSYS_HW_FW_U16_OFF IOSYS_HW_FW_U32_OFF IOSYS_HW_FW_U64_OFF IOSYS_HW_BULK_OFF IOSYS_HW_FILL_OFF \
    IOSYS_HW_FILL_LEN IOSYS_HW_FILL_VALUE IOSYS_HW_CLI_LOAD8_OFF IOSYS_HW_CLI_LOAD64_OFF
