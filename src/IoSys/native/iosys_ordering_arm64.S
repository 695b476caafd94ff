// IoSys native ordering stub for Linux arm64: the kernel's ordered MMIO accessors and barriers
// (arch/arm64/include/asm/io.h, barrier.h), for the managed code that has no outer-shareable barrier.
// Called from DeviceOrdering/IoBarriers through P/Invoke without a GC transition: every function is a leaf,
// touches no stack, never blocks and never calls back, which is what [SuppressGCTransition] requires.
//
// readX  = the load, then dma_rmb() (dmb oshld), then a dummy control dependency on the loaded value
//          (eor + cbnz, as the kernel's __io_ar) so that later instructions, e.g. a delay loop, wait for the load.
// writeX = dma_wmb() (dmb oshst), then the store.
// dma_wmb/dma_rmb = dmb oshst/dmb oshld; wmb/rmb/mb = dsb st/dsb ld/dsb sy.
// Cache maintenance by virtual address (dc cvac / dc civac) for non-coherent DMA; EL0 may issue both on Linux
// (SCTLR_EL1.UCI is set), and CTR_EL0 is readable (or emulated) at EL0.

    .text

.macro IOSYS_FUNC name
    .global \name
    .type \name, %function
    .p2align 4
\name:
.endm

.macro IOSYS_END name
    .size \name, . - \name
.endm

// uint8_t iosys_read8_ordered(const volatile void *addr)
IOSYS_FUNC iosys_read8_ordered
    ldrb    w0, [x0]
    dmb     oshld
    eor     x16, x0, x0
    cbnz    x16, .
    ret
IOSYS_END iosys_read8_ordered

IOSYS_FUNC iosys_read16_ordered
    ldrh    w0, [x0]
    dmb     oshld
    eor     x16, x0, x0
    cbnz    x16, .
    ret
IOSYS_END iosys_read16_ordered

IOSYS_FUNC iosys_read32_ordered
    ldr     w0, [x0]
    dmb     oshld
    eor     x16, x0, x0
    cbnz    x16, .
    ret
IOSYS_END iosys_read32_ordered

IOSYS_FUNC iosys_read64_ordered
    ldr     x0, [x0]
    dmb     oshld
    eor     x16, x0, x0
    cbnz    x16, .
    ret
IOSYS_END iosys_read64_ordered

// void iosys_write8_ordered(volatile void *addr, uint8_t value)
IOSYS_FUNC iosys_write8_ordered
    dmb     oshst
    strb    w1, [x0]
    ret
IOSYS_END iosys_write8_ordered

IOSYS_FUNC iosys_write16_ordered
    dmb     oshst
    strh    w1, [x0]
    ret
IOSYS_END iosys_write16_ordered

IOSYS_FUNC iosys_write32_ordered
    dmb     oshst
    str     w1, [x0]
    ret
IOSYS_END iosys_write32_ordered

IOSYS_FUNC iosys_write64_ordered
    dmb     oshst
    str     x1, [x0]
    ret
IOSYS_END iosys_write64_ordered

IOSYS_FUNC iosys_dma_wmb
    dmb     oshst
    ret
IOSYS_END iosys_dma_wmb

IOSYS_FUNC iosys_dma_rmb
    dmb     oshld
    ret
IOSYS_END iosys_dma_rmb

IOSYS_FUNC iosys_wmb
    dsb     st
    ret
IOSYS_END iosys_wmb

IOSYS_FUNC iosys_rmb
    dsb     ld
    ret
IOSYS_END iosys_rmb

IOSYS_FUNC iosys_mb
    dsb     sy
    ret
IOSYS_END iosys_mb

// uint32_t iosys_dcache_line_size(void): the smallest data cache line in bytes, 4 << CTR_EL0.DminLine.
IOSYS_FUNC iosys_dcache_line_size
    mrs     x1, ctr_el0
    ubfx    x1, x1, #16, #4
    mov     w0, #4
    lsl     w0, w0, w1
    ret
IOSYS_END iosys_dcache_line_size

// void iosys_dcache_clean(const void *addr, size_t length): dc cvac over every line that [addr, addr+length)
// touches, then dsb sy so the cleaning completes before a later doorbell write (the kernel's dcache_clean_poc).
IOSYS_FUNC iosys_dcache_clean
    cbz     x1, 2f
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4
    mov     x2, #4
    lsl     x2, x2, x3              // x2 = line size
    add     x1, x0, x1              // x1 = end
    sub     x3, x2, #1
    bic     x0, x0, x3              // x0 = first line
1:  dc      cvac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    1b
2:  dsb     sy
    ret
IOSYS_END iosys_dcache_clean

// void iosys_dcache_clean_invalidate(void *addr, size_t length): dc civac over the lines, then dsb sy
// (the kernel's dcache_clean_inval_poc).
IOSYS_FUNC iosys_dcache_clean_invalidate
    cbz     x1, 2f
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4
    mov     x2, #4
    lsl     x2, x2, x3
    add     x1, x0, x1
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  dc      civac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    1b
2:  dsb     sy
    ret
IOSYS_END iosys_dcache_clean_invalidate

    .section .note.GNU-stack, "", %progbits
