// abort-timing.S: how much virtual time aborts cost, on QEMU with -icount and on Vitrine's cycle
// clock (one instruction per nanosecond on both; the generic counter ticks at 62.5 MHz, every 16
// instructions).
//
// Each loop runs 10,000 iterations of one access and `subs`/`b.ne`, between two reads of
// CNTVCT_EL0; the synchronous exception handler skips the faulting instruction (data aborts) or
// returns to the link register (instruction aborts). The guest prints the ticks each loop took and
// powers off. Fifteen NOPs after the first counter read make the instructions between the two
// reads a multiple of 16 when the aborting instruction is not counted and taking the exception
// costs nothing (QEMU's rules), so the tick counts do not depend on where in a tick the loop
// starts: with 10 instructions per data abort (the handler's 8, `subs`, `b.ne`) 6251 ticks, with 9
// per instruction abort (`blr`, the handler's 6, `subs`, `b.ne`) 5626, and 1876 for the loop of
// plain RAM loads (3 instructions).
//
// Built by org.vitrine.tests.GuestImage with guest.ld and guest.inc.

        .equ PSCI_SYSTEM_OFF,   0x84000008
        .equ HOLE,              0x0c000000      // nothing mapped (QEMU 7.2 virt and Vitrine)
        .equ ITERATIONS,        10000

        .include "guest.inc"

// Prints "\name: <ticks> ticks" for ITERATIONS runs of \insn (x1 = \address, x2 the counter).
        .macro timed_loop name, address, insn:vararg
        print   "\name: "
        ldr     x1, =\address
        ldr     x2, =ITERATIONS
        isb
        mrs     x20, cntvct_el0
        .rept   15
        nop
        .endr
1:      \insn
        subs    x2, x2, #1
        b.ne    1b
        mrs     x0, cntvct_el0
        sub     x0, x0, x20
        bl      putdec
        print   " ticks\n"
        .endm

        .section .text.boot, "ax"
        .global _start
_start:
        boot

        timed_loop "ram load", ram_word, ldr w0, [x1]
        timed_loop "external abort, read", HOLE, ldr w0, [x1]
        timed_loop "external abort, write", HOLE + 0x40, str w0, [x1]
        timed_loop "external abort, fetch", HOLE + 0x200000, blr x1
        timed_loop "alignment fault", ram_word + 1, ldxr w0, [x1]

        ldr     x0, =PSCI_SYSTEM_OFF
        mov     x1, #0
        hvc     #0
        b       .
        .ltorg

        .text
        .balign 2048
vectors:
        .balign 128
        .rept   4                               // current EL with SP_EL0: not used
        b       .
        .balign 128
        .endr
        // current EL with SP_ELx, synchronous
        mrs     x9, esr_el1
        lsr     x9, x9, #26
        cmp     x9, #0x21                       // instruction abort: back to the caller
        b.eq    1f
        mrs     x9, elr_el1
        add     x9, x9, #4
        msr     elr_el1, x9
        eret
1:      msr     elr_el1, x30
        eret

        .data
        .balign 8
ram_word: .quad 0

        .bss
        .balign 16
        .space  4096
stack_top:
