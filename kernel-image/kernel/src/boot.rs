//! The assembly the kernel cannot do without: the entry point `_start`, the exception vector
//! table, and the code that saves a trapped context into a `Frame` (arch.rs) and restores one.
//!
//! Context switching works by swapping frames: every exception saves the complete CPU state
//! (general registers, SP_EL0, ELR, SPSR and, eagerly, all FP/SIMD state, because Unicorn never
//! traps FP use) into a `Frame` just below the current SP_EL1, calls `rost_trap`, and restores
//! whatever frame `rost_trap` returns. A task's frame always sits at the top of its own kernel
//! stack, so after the restore SP_EL1 is exactly that stack's top again, ready for the task's
//! next exception. The idle loop (an EL1h context with interrupts unmasked) works the same way.

use crate::arch::{FP_OFF, FRAME_SIZE, Frame};
use core::mem::offset_of;

core::arch::global_asm!(
    r#"
    .section .text.boot, "ax"
    .global _start
_start:
    // Only CPU 0 boots; any other one parks (the virt board starts just one by default).
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, 9f
    // FP/SIMD on before any Rust code: the prebuilt core library uses NEON registers.
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    adrp    x0, __boot_stack_top
    add     x0, x0, :lo12:__boot_stack_top
    mov     sp, x0
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  adrp    x0, vectors
    add     x0, x0, :lo12:vectors
    msr     vbar_el1, x0
    isb
    bl      kmain
9:  wfi
    b       9b

    .section .bss.boot_stack, "aw", %nobits
    .balign 16
    .space  16384
__boot_stack_top:

    // `pairs op, r, size, first, count, base, offset`: `op` (stp or ldp) on `count` pairs of
    // `size`-byte registers r<first> and r<first+1>, r<first+2> and r<first+3>, ..., stored
    // one after the other from [base, #offset]: the unrolled save or restore, written once.
    .altmacro
    .macro  pair op, r, a, b, base, off
    \op     \r\a, \r\b, [\base, #\off]
    .endm
    .macro  pairs op, r, size, first, count, base, off
    .set    i, 0
    .rept   \count
    pair    \op, \r, %(\first + 2 * i), %(\first + 2 * i + 1), \base, %(\off + 2 * \size * i)
    .set    i, i + 1
    .endr
    .endm

    // The vector table: 16 entries of 0x80 bytes. Each saves x0/x1, puts its index (0-15) in x1
    // and joins trap_save; rost_trap decides what the index means.
    .section .text.vectors, "ax"
    .balign 0x800
    .global vectors
vectors:
    .irp    kind, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 0x80
    sub     sp, sp, #{size}
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       trap_save
    .endr

trap_save:
    pairs   stp, x, 8, 2, 14, sp, 16
    mrs     x2, sp_el0
    stp     x30, x2, [sp, #240]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x2, x3, [sp, #{elr}]
    add     x2, sp, #{fp}
    pairs   stp, q, 16, 0, 16, x2, 0
    mrs     x3, fpcr
    mrs     x4, fpsr
    str     x3, [sp, #{fpcr}]
    str     x4, [sp, #{fpsr}]
    mov     x0, sp
    bl      rost_trap
    // fall through: x0 is the frame to resume.

    // trap_restore(frame) -> !: resumes the context saved in `frame`.
    .global trap_restore
trap_restore:
    mov     sp, x0
    add     x2, sp, #{fp}
    pairs   ldp, q, 16, 0, 16, x2, 0
    ldr     x3, [sp, #{fpcr}]
    ldr     x4, [sp, #{fpsr}]
    msr     fpcr, x3
    msr     fpsr, x4
    ldp     x2, x3, [sp, #{elr}]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x30, x2, [sp, #240]
    msr     sp_el0, x2
    pairs   ldp, x, 8, 2, 14, sp, 16
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #{size}
    eret

    // The idle context: runs at EL1h with IRQs unmasked and touches no memory, so its frame,
    // saved by the IRQ that ends each WFI, always lands at the same place on its stack.
    .global idle_loop
idle_loop:
    wfi
    b       idle_loop
"#,
    size = const FRAME_SIZE,
    elr = const offset_of!(Frame, elr),
    fp = const FP_OFF,
    fpcr = const offset_of!(Frame, fpcr),
    fpsr = const offset_of!(Frame, fpsr),
);

// The assembly above hard-codes the general-register part of the layout.
const _: () = {
    assert!(offset_of!(Frame, x) == 0);
    assert!(offset_of!(Frame, sp_el0) == 248);
    assert!(offset_of!(Frame, spsr) == offset_of!(Frame, elr) + 8);
    assert!(offset_of!(Frame, fpcr) == FP_OFF + 512);
    assert!(offset_of!(Frame, fpsr) == FP_OFF + 520);
    assert!(FRAME_SIZE % 16 == 0);
};
