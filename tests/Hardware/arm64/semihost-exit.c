/* semihost-exit N: make QEMU exit with status N (0..255) from an arm64 guest's user space.
 *
 * arm64 has no isa-debug-exit; Arm semihosting's SYS_EXIT (0x18) with reason
 * ADP_Stopped_ApplicationExit (0x20026) does the same job when QEMU runs with
 *   -semihosting-config enable=on,target=native,userspace=on
 * Without userspace=on the HLT traps and the kernel kills this process with SIGILL (exit 132),
 * so a guest that falls back to `poweroff -f` still ends the run (QEMU then exits 0).
 * Freestanding (no libc): built by setup.sh with
 *   aarch64-linux-gnu-gcc -static -nostdlib -Os -fno-stack-protector -o semihost-exit semihost-exit.c
 */
static long parse(const char *s)
{
    long v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

__attribute__((noreturn, used)) void semihost_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    volatile long block[2] = { 0x20026, argc > 1 ? parse(argv[1]) : 0 };
    register long x0 __asm__("x0") = 0x18;
    register long x1 __asm__("x1") = (long)block;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    /* Semihosting returned (should not happen): exit(99) through the Linux exit_group syscall. */
    register long a0 __asm__("x0") = 99;
    register long nr __asm__("x8") = 94;
    __asm__ volatile("svc #0" : : "r"(a0), "r"(nr) : "memory");
    for (;;) { }
}

__asm__(".text\n.global _start\n_start:\n  mov x0, sp\n  bl semihost_main\n");
