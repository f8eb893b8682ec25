// Memory-bound loops with the MMU on (identity map: the first 2 MiB of RAM executable, the rest
// data, never executable, so stores stay on Unicorn's fast path). mode 0: pointer chase over a
// 64 MiB ring of 64-byte nodes (each node points 4099 nodes further, so consecutive loads land
// on different pages), `iterations` dependent loads; mode 1: streaming copy of 32 MiB into the
// next 32 MiB, `iterations` times. Powers off through PSCI. Parameters at _start+8 (BenchGuest).
    .include "bench.inc"
    .equ RAM, 0x40000000
    .equ BUF, 0x44000000           // 64 MiB of data at RAM + 64 MiB
    .equ BUF_SIZE, 64 << 20
    .equ NODES, BUF_SIZE / 64
    .equ STRIDE, 4099              // odd: the ring visits every node
    bench_start
    // translation tables: L1[0] devices, L1[1] -> L2 (2 MiB blocks over the first GiB of RAM)
    adr     x0, l1
    adr     x1, l2
    mov     x2, #0x401             // block, AF, attr 0 (device)
    mov     x3, #(1 << 54)         // UXN
    orr     x3, x3, #(1 << 53)     // PXN
    orr     x2, x2, x3
    str     x2, [x0]
    orr     x2, x1, #3             // table
    str     x2, [x0, #8]
    ldr     x4, =RAM | 0x705       // block, AF, inner shareable, attr 1 (normal WB)
    str     x4, [x1]               // the program's 2 MiB: executable
    orr     x4, x4, x3             // the rest: data, never executable
    mov     x5, #1
2:  add     x6, x4, x5, lsl #21
    str     x6, [x1, x5, lsl #3]
    add     x5, x5, #1
    cmp     x5, #512
    b.ne    2b
    dsb     sy
    ldr     x0, =0xff00            // attr 0 device nGnRnE, attr 1 normal write-back
    msr     mair_el1, x0
    ldr     x0, =(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))  // T0SZ 25, WB, ISH, EPD1, 40-bit PA
    msr     tcr_el1, x0
    adr     x0, l1
    msr     ttbr0_el1, x0
    isb
    mrs     x0, sctlr_el1
    orr     x0, x0, #1             // M
    orr     x0, x0, #(1 << 2)      // C
    orr     x0, x0, #(1 << 12)     // I
    msr     sctlr_el1, x0
    isb
    ldr     x19, iterations
    ldr     x0, mode
    cbnz    x0, copy

    // the ring: node i -> node (i + STRIDE) mod NODES
    ldr     x1, =BUF
    ldr     x2, =NODES
    mov     x3, #0
    mov     x8, #STRIDE
3:  add     x4, x3, x8
    cmp     x4, x2
    csel    x5, x2, xzr, hs
    sub     x4, x4, x5
    add     x6, x1, x4, lsl #6
    add     x7, x1, x3, lsl #6
    str     x6, [x7]
    add     x3, x3, #1
    cmp     x3, x2
    b.ne    3b
    mov     x0, x1
chase:
    ldr     x0, [x0]
    subs    x19, x19, #1
    b.ne    chase
    b       off

copy:
    ldr     x1, =BUF
    mov     x2, #(BUF_SIZE / 2)
4:  mov     x3, x1                 // source
    add     x4, x1, x2             // destination
    mov     x5, #(BUF_SIZE / 2 / 64)
5:  ldp     x6, x7, [x3]
    ldp     x8, x9, [x3, #16]
    ldp     x10, x11, [x3, #32]
    ldp     x12, x13, [x3, #48]
    stp     x6, x7, [x4]
    stp     x8, x9, [x4, #16]
    stp     x10, x11, [x4, #32]
    stp     x12, x13, [x4, #48]
    add     x3, x3, #64
    add     x4, x4, #64
    subs    x5, x5, #1
    b.ne    5b
    subs    x19, x19, #1
    b.ne    4b

off:
    power_off
    .ltorg

    .balign 4096
l1: .space 4096
l2: .space 4096
