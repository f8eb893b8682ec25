// el0traps.S: every EL0 trap that SCTLR_EL1 and CNTKCTL_EL1 (and PMUSERENR_EL0) control, run once
// trapped and once allowed, printing what EL1 sees: the syndrome (ESR_EL1: EC, IL, ISS) and where
// the exception came from, or "no trap" when the instruction ran and EL0 went on to its SVC. The
// output must be the same on QEMU and on Vitrine, line for line (tests/El0TrapReferenceTest).
//
// Each case: EL1 sets SCTLR_EL1's EL0 controls (UMA 9, DZE 14, UCT 15, nTWI 16, nTWE 18, UCI 26),
// CNTKCTL_EL1 and PMUSERENR_EL0 from the case's table entry, x1 to a 64-byte aligned buffer, and
// ERETs to the case's two EL0 instructions: the one under test, then SVC #0. The MMU stays off
// (EL0 runs on the flat mapping). Ends with PSCI SYSTEM_OFF, x1 = 0.

        .include "guest.inc"

        .equ PSCI_SYSTEM_OFF,   0x84000008
        .equ UMA,               (1 << 9)
        .equ DZE,               (1 << 14)
        .equ UCT,               (1 << 15)
        .equ NTWI,              (1 << 16)
        .equ NTWE,              (1 << 18)
        .equ UCI,               (1 << 26)
        .equ EL0_CONTROLS,      UMA | DZE | UCT | NTWI | NTWE | UCI
        .equ EL0PCTEN,          1
        .equ EL0VCTEN,          2
        .equ EL0VTEN,           (1 << 8)
        .equ EL0PTEN,           (1 << 9)
        .equ PMU_EN,            1
        .equ PMU_CR,            4

// A case: its name, the SCTLR_EL1 controls set, CNTKCTL_EL1, PMUSERENR_EL0, and the EL0 code.
        .macro case name, sctlr, cntkctl, pmuserenr, insn:vararg
        .pushsection .rodata
name_\@: .asciz "\name"
        .popsection
        .pushsection .cases, "a"
        .quad   name_\@, \sctlr, \cntkctl, \pmuserenr, code_\@
        .popsection
        .pushsection .el0, "ax"
        .balign 8
code_\@:
        \insn
        svc     #0
        .popsection
        .endm

        .section .cases, "a"
        .balign 8
cases:
        .section .el0, "ax"
        .balign 8
el0_code:

        .text
        .global _start
_start:
        boot
        mrs     x0, sctlr_el1
        ldr     x1, =EL0_CONTROLS
        bic     x19, x0, x1                      // x19: SCTLR_EL1 without the EL0 controls
        ldr     x20, =cases                      // x20: the current case
        print   "EL0 traps\n"

next_case:
        ldr     x0, [x20]
        cbz     x0, done
        ldr     x1, [x20, #8]
        orr     x1, x19, x1
        msr     sctlr_el1, x1
        ldr     x1, [x20, #16]
        msr     cntkctl_el1, x1
        ldr     x1, [x20, #24]
        msr     pmuserenr_el0, x1
        isb
        ldr     x0, [x20, #32]
        msr     elr_el1, x0
        msr     spsr_el1, xzr                    // EL0t, interrupts unmasked (none is enabled)
        ldr     x1, =zva_buffer
        eret

// ---- the cases ---------------------------------------------------------------------------------

        // SCTLR_EL1.UMA: EL0 access to the interrupt masks
        case    msr-daifset-trapped, 0, 0, 0, msr daifset, #2
        case    msr-daifset-allowed, UMA, 0, 0, msr daifset, #2
        case    msr-daifclr-trapped, 0, 0, 0, msr daifclr, #2
        case    mrs-daif-trapped, 0, 0, 0, mrs x2, daif
        case    mrs-daif-allowed, UMA, 0, 0, mrs x2, daif
        case    msr-daif-trapped, 0, 0, 0, msr daif, xzr
        // SCTLR_EL1.DZE: DC ZVA (and DCZID_EL0.DZP reports it)
        case    dc-zva-trapped, 0, 0, 0, dc zva, x1
        case    mrs-dczid-dze-clear, 0, 0, 0, mrs x2, dczid_el0
        // SCTLR_EL1.UCT: CTR_EL0
        case    mrs-ctr-trapped, 0, 0, 0, mrs x2, ctr_el0
        case    mrs-ctr-allowed, UCT, 0, 0, mrs x2, ctr_el0
        // SCTLR_EL1.UCI: cache maintenance by VA to the point of unification / coherency
        case    dc-cvau-trapped, 0, 0, 0, dc cvau, x1
        case    dc-cvau-allowed, UCI, 0, 0, dc cvau, x1
        case    dc-cvac-trapped, 0, 0, 0, dc cvac, x1
        case    dc-civac-trapped, 0, 0, 0, dc civac, x1
        case    dc-cvac-allowed, UCI, 0, 0, dc cvac, x1
        case    ic-ivau-trapped, 0, 0, 0, ic ivau, x1
        case    ic-ivau-allowed, UCI, 0, 0, ic ivau, x1
        // SCTLR_EL1.nTWI / nTWE: WFI and WFE
        case    wfi-trapped, 0, 0, 0, wfi
        case    wfe-trapped, 0, 0, 0, wfe
        case    wfe-allowed, NTWE, 0, 0, wfe
        // CNTKCTL_EL1: the counters, CNTFRQ, and the two timers' registers
        case    mrs-cntvct-trapped, 0, 0, 0, mrs x2, cntvct_el0
        case    mrs-cntvct-allowed, 0, EL0VCTEN, 0, mrs x2, cntvct_el0
        case    mrs-cntpct-trapped, 0, EL0VCTEN, 0, mrs x2, cntpct_el0
        case    mrs-cntpct-allowed, 0, EL0PCTEN, 0, mrs x2, cntpct_el0
        case    mrs-cntfrq-trapped, 0, 0, 0, mrs x2, cntfrq_el0
        case    mrs-cntfrq-allowed, 0, EL0PCTEN, 0, mrs x2, cntfrq_el0
        case    mrs-cntv-ctl-trapped, 0, EL0VCTEN, 0, mrs x2, cntv_ctl_el0
        case    mrs-cntv-ctl-allowed, 0, EL0VTEN, 0, mrs x2, cntv_ctl_el0
        case    msr-cntv-cval-trapped, 0, 0, 0, msr cntv_cval_el0, xzr
        case    mrs-cntp-ctl-trapped, 0, EL0VTEN, 0, mrs x2, cntp_ctl_el0
        case    mrs-cntp-ctl-allowed, 0, EL0PTEN, 0, mrs x2, cntp_ctl_el0
        case    msr-cntp-tval-trapped, 0, 0, 0, msr cntp_tval_el0, xzr
        // PMUSERENR_EL0: the PMU from EL0
        case    mrs-pmccntr-trapped, 0, 0, 0, mrs x2, pmccntr_el0
        case    mrs-pmccntr-allowed, 0, 0, PMU_CR, mrs x2, pmccntr_el0
        case    msr-pmcr-trapped, 0, 0, PMU_CR, msr pmcr_el0, xzr
        case    mrs-pmcr-allowed, 0, 0, PMU_EN, mrs x2, pmcr_el0
        // Always EL1-only: an EL1 register from EL0 is UNDEFINED (EC 0)
        case    mrs-sctlr-el1, UMA | UCT | UCI, EL0PCTEN | EL0VCTEN, PMU_EN, mrs x2, sctlr_el1

        .section .cases, "a"
        .quad   0
        .text

done:
        print   "done\n"
        mov     x1, #0
        ldr     x0, =PSCI_SYSTEM_OFF
        hvc     #0
1:      b       1b
        .ltorg

// ---- exceptions --------------------------------------------------------------------------------

        .balign 2048
vectors:
        .irp    off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
        .balign 128
        .if     \off == 0x400
        b       from_el0
        .else
        mov     x22, #\off
        b       bad_vector
        .endif
        .endr

// A synchronous exception from EL0: print the case and what was taken, then the next case.
from_el0:
        ldr     x0, [x20]
        bl      puts
        print   ": "
        mrs     x21, esr_el1
        mrs     x23, elr_el1
        ldr     x24, [x20, #32]
        lsr     x0, x21, #26
        cmp     x0, #0x15
        b.ne    1f
        sub     x0, x23, x24
        cmp     x0, #8                           // SVC #0 after the instruction: it ran
        b.ne    1f
        print   "no trap\n"
        b       2f
1:      print   "ec=0x"
        lsr     x0, x21, #26
        mov     x1, #2
        bl      puthex
        print   " il="
        ubfx    x0, x21, #25, #1
        mov     x1, #1
        bl      puthex
        print   " iss=0x"
        and     x0, x21, #0x1ffffff
        mov     x1, #7
        bl      puthex
        print   " at +"
        sub     x0, x23, x24
        bl      putdec
        print   "\n"
2:      ldr     x0, =stack_top
        mov     sp, x0
        add     x20, x20, #40
        b       next_case

bad_vector:
        print   "unexpected exception at vector offset 0x"
        mov     x0, x22
        mov     x1, #3
        bl      puthex
        print   ", esr=0x"
        mrs     x0, esr_el1
        mov     x1, #8
        bl      puthex
        print   "\n"
        mov     x1, #1
        ldr     x0, =PSCI_SYSTEM_OFF
        hvc     #0
        b       .
        .ltorg

        .bss
        .balign 64
zva_buffer:
        .skip   256
        .balign 16
        .space  4096
stack_top:
