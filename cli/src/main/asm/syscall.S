// Null system call loop: EL0 makes `iterations` SVCs to an EL1 handler that only returns, then
// powers off through PSCI. Measures the round trip of a system call (entry, vector, ERET).
// The parameter block at _start+8 is patched by the benchmark (BenchGuest).
    .include "bench.inc"
    bench_start
    adr     x0, vectors
    msr     vbar_el1, x0
    ldr     x19, iterations
    adr     x0, el0_loop
    msr     elr_el1, x0
    msr     spsr_el1, xzr          // EL0t, interrupts unmasked (none are enabled)
    isb
    eret
el0_loop:
    svc     #0
    subs    x19, x19, #1
    b.ne    el0_loop
    svc     #1                     // done
    b       .

    .balign 2048
vectors:
    .balign 0x400, 0
    .org vectors + 0x400           // synchronous exception from EL0 (AArch64)
    mrs     x9, esr_el1
    tst     x9, #0xffff
    b.ne    off
    eret
off:
    power_off
    .ltorg
