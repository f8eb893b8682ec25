// aborts.S: a bare-metal guest for QEMU's virt board (and Vitrine's) that touches physical
// addresses where nothing is mapped and reports how the machine answered.
//
// Each case arms a probe (x21 = case name, x19 = address of the instruction expected to fault),
// runs one access, and disarms. The synchronous exception handler prints one line per abort:
//
//     case <name>: ec=0x<EC> esr=0x<ESR_EL1> [far=0x<FAR_EL1>] elr=<ELR - x19, signed>
//
// FAR is printed for instruction and data aborts whose ESR does not set FnV (bit 10). The handler
// then resumes past the faulting instruction (data aborts: ELR + 4) or at the saved link register
// (instruction aborts: the cases reach the hole with BLR), so the guest carries on. At the end it
// prints how many aborts it took against how many cases it ran and powers off with PSCI
// SYSTEM_OFF (HVC; x1 = 0 when every case aborted exactly once, a Vitrine exit status).
//
// Holes used (nothing is mapped there on QEMU 7.2's virt nor on Vitrine's board, checked with
// QEMU's `info mtree -f` and VirtBoard): 0x0a00_4000 (just past the 32nd virtio-mmio transport),
// 0x0c00_0000-0x0fff_ffff (the empty platform bus and the absent secure memory), and
// 0x6000_0000, the first byte after 512 MiB of RAM.
//
// Built by org.vitrine.tests.GuestImage with guest.ld (linked at 0x4010_0000 like rost, so QEMU
// puts its device tree at the start of RAM) and guest.inc.

        .equ PSCI_SYSTEM_OFF,   0x84000008

        // physical holes
        .equ HOLE_DATA,         0x0c000000      // EL1 data accesses (MMU off, and behind VA_EL1)
        .equ HOLE_CODE,         0x0c200000      // EL1 instruction fetches, exclusives, SIMD
        .equ HOLE_L1_TABLE,     0x0d000000      // a level-2 table that is not there (walk level 2)
        .equ HOLE_L3_TABLE,     0x0d200000      // a level-3 table that is not there (walk level 3)
        .equ HOLE_TTBR1,        0x0d400000      // TTBR1_EL1 pointing at nothing (walk level 0)
        .equ HOLE_L1_UPPER,     0x0d600000      // a level-1 table that is not there (walk level 1)
        .equ HOLE_EL0_DATA,     0x0e000000      // device memory a kernel maps for an EL0 program
        .equ HOLE_EL0_CODE,     0x0e200000      // ... and code memory it maps for it
        .equ VIRTIO_END,        0x0a004000      // first byte after the last virtio-mmio transport
        .equ RAM_END,           0x60000000      // -m 512

        // virtual addresses (TTBR0: 39-bit, 4 KiB granule, start level 1; TTBR1: 48-bit, level 0)
        .equ VA_EL1,            0x2000000000    // L1[128]: HOLE_DATA (device), HOLE_CODE (normal)
        .equ VA_EL0,            0x3000000000    // L1[192]: HOLE_EL0_DATA (device), HOLE_EL0_CODE
        .equ VA_WALK_L2,        0x80000000      // L1[2] is a table descriptor to HOLE_L1_TABLE
        .equ VA_WALK_L3,        0x0ca00000      // L2_low[101] is a table descriptor to HOLE_L3_TABLE
        .equ VA_UPPER,          0xffff000000000000  // TTBR1, L0[0]

        // descriptor bits
        .equ VALID_BLOCK,       1
        .equ VALID_TABLE,       3               // also a level-3 page
        .equ ATTR_DEVICE,       (0 << 2)        // MAIR attr0: Device-nGnRE
        .equ ATTR_NORMAL,       (1 << 2)        // MAIR attr1: Normal write-back
        .equ AP_EL1_RW,         (0 << 6)
        .equ AP_EL0_RW,         (1 << 6)
        .equ AP_ALL_RO,         (3 << 6)
        .equ SH_INNER,          (3 << 8)
        .equ AF,                (1 << 10)
        .equ PXN,               (1 << 53)
        .equ UXN,               (1 << 54)
        .equ NORMAL_EL1,        AF | SH_INNER | ATTR_NORMAL | AP_EL1_RW | UXN
        .equ DEVICE_EL1,        AF | ATTR_DEVICE | AP_EL1_RW | PXN | UXN
        .equ DEVICE_EL0,        AF | ATTR_DEVICE | AP_EL0_RW | PXN | UXN
        .equ CODE_EL0,          AF | SH_INNER | ATTR_NORMAL | AP_ALL_RO | PXN

        .equ MAIR_VALUE,        0xff04
        // T0SZ 25, IRGN0/ORGN0 WB, SH0 inner, TG0 4K, T1SZ 16, IRGN1/ORGN1 WB, SH1 inner, TG1 4K, IPS 40 bits
        .equ TCR_VALUE,         25 | (1 << 8) | (1 << 10) | (3 << 12) | (16 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | (2 << 32)

        .set NCASES, 0

        .include "guest.inc"

// ---- case macros -----------------------------------------------------------------------------

// A data-side case: \setup loads x1 (and whatever else), then \insn is the access expected to abort.
        .macro data_case name, setup, insn:vararg
        .pushsection .rodata
name_\@: .asciz "\name"
        .popsection
        \setup
        adr     x21, name_\@
        adr     x19, fault_\@
fault_\@:
        \insn
        mov     x21, xzr
        .set NCASES, NCASES + 1
        .endm

// An instruction-fetch case: branch with link to \target; the handler returns to the link register.
        .macro fetch_case name, target
        .pushsection .rodata
name_\@: .asciz "\name"
        .popsection
        ldr     x1, =\target
        adr     x21, name_\@
        mov     x19, x1
        blr     x1
        mov     x21, xzr
        .set NCASES, NCASES + 1
        .endm

// Reads and writes of 1, 4 and 8 bytes and of pairs, at distinct offsets from \base.
        .macro sized_cases prefix, base
        data_case \prefix-read8,   "ldr x1, =\base + 0x001", ldrb w0, [x1]
        data_case \prefix-read32,  "ldr x1, =\base + 0x124", ldr w0, [x1]
        data_case \prefix-read64,  "ldr x1, =\base + 0x008", ldr x0, [x1]
        data_case \prefix-ldp,     "ldr x1, =\base + 0xff0", ldp x2, x3, [x1]
        data_case \prefix-write8,  "ldr x1, =\base + 0x203", strb w0, [x1]
        data_case \prefix-write32, "ldr x1, =\base + 0x344", str w0, [x1]
        data_case \prefix-write64, "ldr x1, =\base + 0x458", str x0, [x1]
        data_case \prefix-stp,     "ldr x1, =\base + 0x560", stp x2, x3, [x1]
        .endm


        .macro tlb_sync
        tlbi    vmalle1
        dsb     sy
        isb
        .endm

// ---- EL0: what a program does with device memory its kernel mapped for it --------------------

        .section .el0, "ax"
        .balign 4096
el0_main:
        data_case el0-read32,  "ldr x1, =VA_EL0 + 0x010", ldr w0, [x1]
        data_case el0-write64, "ldr x1, =VA_EL0 + 0x020", str x0, [x1]
        data_case el0-ldp,     "ldr x1, =VA_EL0 + 0x030", ldp x2, x3, [x1]
        data_case el0-stp,     "ldr x1, =VA_EL0 + 0x040", stp x2, x3, [x1]
        fetch_case el0-fetch, VA_EL0 + 0x200000
        data_case el0-walk-l2-read, "ldr x1, =VA_WALK_L2 + 0x30", ldr x0, [x1]
        svc     #0
        .ltorg
        .balign 4096
el0_end:

// ---- EL1 ------------------------------------------------------------------------------------

        .section .text.boot, "ax"
        .global _start
_start:
        boot
        mov     x0, #(3 << 20)                  // CPACR_EL1.FPEN: SIMD loads at EL1
        msr     cpacr_el1, x0
        isb
        mov     x21, xzr
        print   "aborts: accesses to unmapped physical addresses\n"

        // MMU off: every data access is Device-nGnRnE, VA = PA
        sized_cases el1-mmuoff, HOLE_DATA
        data_case el1-mmuoff-read32-after-virtio, "ldr x1, =VIRTIO_END", ldr w0, [x1]
        data_case el1-mmuoff-ldxp, "ldr x1, =HOLE_DATA + 0x700", ldxp x2, x3, [x1]
        // an unaligned load whose second half is past RAM: FAR is the first byte past RAM
        data_case el1-mmuoff-read64-crossing-ram-end, "ldr x1, =RAM_END - 4", ldr x0, [x1]
        // a pair whose first half is the last RAM doubleword: the second access aborts
        data_case el1-mmuoff-ldp-ram-end, "ldr x1, =RAM_END - 8", ldp x2, x3, [x1]
        ldr     x2, =0x1111111111111111
        ldr     x3, =0x2222222222222222
        ldr     x1, =RAM_END - 8
        str     xzr, [x1]
        data_case el1-mmuoff-stp-ram-end, "ldr x1, =RAM_END - 8", stp x2, x3, [x1]
        print   "  last RAM doubleword after the stp: 0x"
        ldr     x1, =RAM_END - 8
        ldr     x0, [x1]
        mov     x1, #16
        bl      puthex
        print   "\n"
        fetch_case el1-mmuoff-fetch, HOLE_CODE

        bl      mmu_on
        print   "MMU on\n"
        sized_cases el1-mmuon, VA_EL1
        data_case el1-mmuon-ldxr,    "ldr x1, =VA_EL1 + 0x200100", ldxr x0, [x1]
        data_case el1-mmuon-read128, "ldr x1, =VA_EL1 + 0x200200", ldr q0, [x1]
        data_case el1-mmuon-read32-postindex, "ldr x1, =VA_EL1 + 0x300", ldr w0, [x1], #16
        fetch_case el1-mmuon-fetch, VA_EL1 + 0x200000

        print   "page-table walks into holes\n"
        ldr     x0, =HOLE_TTBR1
        msr     ttbr1_el1, x0
        isb
        tlb_sync
        data_case el1-walk-l0-read,  "ldr x1, =VA_UPPER", ldr x0, [x1]
        ldr     x0, =l0_upper
        msr     ttbr1_el1, x0
        isb
        tlb_sync
        data_case el1-walk-l1-read,  "ldr x1, =VA_UPPER + 0x10", ldr x0, [x1]
        data_case el1-walk-l2-read,  "ldr x1, =VA_WALK_L2 + 0x18", ldr x0, [x1]
        data_case el1-walk-l2-write, "ldr x1, =VA_WALK_L2 + 0x20", str x0, [x1]
        data_case el1-walk-l3-read,  "ldr x1, =VA_WALK_L3 + 0x28", ldr w0, [x1]
        fetch_case el1-walk-l2-fetch, VA_WALK_L2 + 0x1000

        print   "EL0\n"
        adr     x0, el0_main
        msr     elr_el1, x0
        msr     spsr_el1, xzr                   // EL0t
        msr     sp_el0, xzr                     // the EL0 cases use no stack
        eret
el1_after_el0:                                  // EL0 comes back with SVC #0

        print   "summary: "
        ldr     x0, =aborts
        ldr     x0, [x0]
        bl      putdec
        print   " aborts in "
        mov     x0, #NCASES
        bl      putdec
        print   " cases\n"
        ldr     x0, =aborts
        ldr     x0, [x0]
        cmp     x0, #NCASES
        cset    x1, ne
        b       power_off
        .ltorg

// ---- exceptions --------------------------------------------------------------------------------

        .text
        .balign 2048
vectors:
        .irp    off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
        .balign 128
        .if     \off == 0x200 || \off == 0x400
        b       sync_exception
        .else
        mov     x0, #\off
        b       bad_vector
        .endif
        .endr

        .equ FRAME, 176
sync_exception:
        sub     sp, sp, #FRAME
        stp     x0, x1, [sp, #0]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x29, [sp, #144]
        str     x30, [sp, #160]

        mrs     x0, esr_el1
        lsr     x1, x0, #26
        cmp     x1, #0x15                       // SVC: EL0 is done
        b.eq    back_from_el0
        cbz     x21, unexpected

        print   "case "
        mov     x0, x21
        bl      puts
        print   ": ec=0x"
        mrs     x0, esr_el1
        lsr     x0, x0, #26
        mov     x1, #2
        bl      puthex
        print   " esr=0x"
        mrs     x0, esr_el1
        mov     x1, #8
        bl      puthex
        mrs     x0, esr_el1
        bl      far_is_valid
        cbz     x0, 1f
        print   " far=0x"
        mrs     x0, far_el1
        mov     x1, #0
        bl      puthex
1:      print   " elr="
        mrs     x0, elr_el1
        sub     x0, x0, x19
        bl      putsdec
        print   "\n"

        ldr     x0, =aborts
        ldr     x1, [x0]
        add     x1, x1, #1
        str     x1, [x0]

        // resume: instruction aborts at the link register, data aborts after the access
        mrs     x0, esr_el1
        lsr     x0, x0, #26
        and     x0, x0, #0x3e
        cmp     x0, #0x20
        b.ne    2f
        ldr     x1, [sp, #160]
        msr     elr_el1, x1
        b       exception_return
2:      mrs     x1, elr_el1
        add     x1, x1, #4
        msr     elr_el1, x1

exception_return:
        ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldp     x18, x29, [sp, #144]
        ldr     x30, [sp, #160]
        add     sp, sp, #FRAME
        eret

back_from_el0:
        adr     x0, el1_after_el0
        msr     elr_el1, x0
        mov     x0, #0x3c5                      // EL1h, DAIF masked
        msr     spsr_el1, x0
        b       exception_return

// x0 = ESR; returns x0 = 1 when FAR_EL1 holds the faulting address (instruction or data abort
// without FnV), else 0
far_is_valid:
        lsr     x1, x0, #26
        and     x1, x1, #0x3e                   // 0x20, 0x21 -> 0x20; 0x24, 0x25 -> 0x24
        cmp     x1, #0x20
        b.eq    2f
        cmp     x1, #0x24
        b.ne    1f
2:        ubfx    x0, x0, #10, #1                 // FnV
        eor     x0, x0, #1
        ret
1:      mov     x0, #0
        ret

unexpected:
        print   "unexpected exception: esr=0x"
        mrs     x0, esr_el1
        mov     x1, #8
        bl      puthex
        print   " elr=0x"
        mrs     x0, elr_el1
        mov     x1, #0
        bl      puthex
        print   " far=0x"
        mrs     x0, far_el1
        mov     x1, #0
        bl      puthex
        print   "\n"
        mov     x1, #2
        b       power_off

bad_vector:
        mov     x19, x0
        print   "unexpected exception vector 0x"
        mov     x0, x19
        mov     x1, #0
        bl      puthex
        print   "\n"
        mov     x1, #3
        b       power_off

// x1 = status (Vitrine reports it as the exit status; QEMU ignores it)
power_off:
        ldr     x0, =PSCI_SYSTEM_OFF
        hvc     #0
        b       .

// ---- MMU ---------------------------------------------------------------------------------------

mmu_on:
        // the EL0 code page: readable and executable at EL0
        adr     x0, el0_main
        ldr     x1, =CODE_EL0 + VALID_TABLE
        orr     x1, x1, x0
        ldr     x2, =l3_image
        ubfx    x3, x0, #12, #9
        str     x1, [x2, x3, lsl #3]
        ldr     x0, =MAIR_VALUE
        msr     mair_el1, x0
        ldr     x0, =TCR_VALUE
        msr     tcr_el1, x0
        ldr     x0, =l1_lower
        msr     ttbr0_el1, x0
        ldr     x0, =l0_upper
        msr     ttbr1_el1, x0
        isb
        tlbi    vmalle1
        dsb     sy
        isb
        mrs     x0, sctlr_el1
        orr     x0, x0, #1
        msr     sctlr_el1, x0
        isb
        ret

        .ltorg

// ---- data --------------------------------------------------------------------------------------

        .data
        .balign 8
aborts: .quad 0

// Translation tables (TTBR0: level 1 covers 512 GiB in 1 GiB entries)
        .balign 4096
l1_lower:
        .quad   l2_low + VALID_TABLE            // [0] 0-1 GiB: devices and the level-3 walk hole
        .quad   l2_ram + VALID_TABLE            // [1] 1-2 GiB: RAM, identity
        .quad   HOLE_L1_TABLE + VALID_TABLE     // [2] 2-3 GiB: a table in a hole
        .fill   125, 8, 0
        .quad   l2_el1 + VALID_TABLE            // [128] VA_EL1
        .fill   63, 8, 0
        .quad   l2_el0 + VALID_TABLE            // [192] VA_EL0
        .fill   319, 8, 0

        .balign 4096
l2_low:
        .fill   72, 8, 0
        .quad   UART + DEVICE_EL1 + VALID_BLOCK // [72] 0x0900_0000: PL011, PL031
        .fill   28, 8, 0
        .quad   HOLE_L3_TABLE + VALID_TABLE     // [101] VA_WALK_L3: a table in a hole
        .fill   410, 8, 0

        .balign 4096
l2_ram:
        .quad   l3_image + VALID_TABLE          // [0] 0x4000_0000: the image, page by page
        .set    block, 0x40200000
        .rept   255
        .quad   block + NORMAL_EL1 + VALID_BLOCK
        .set    block, block + 0x200000
        .endr
        .fill   256, 8, 0

        .balign 4096
l3_image:
        .set    page, 0x40000000
        .rept   512
        .quad   page + (NORMAL_EL1 & ~UXN) + VALID_TABLE
        .set    page, page + 0x1000
        .endr

        .balign 4096
l2_el1:
        .quad   HOLE_DATA + DEVICE_EL1 + VALID_BLOCK
        .quad   HOLE_CODE + (NORMAL_EL1 & ~UXN) + VALID_BLOCK
        .fill   510, 8, 0

        .balign 4096
l2_el0:
        .quad   HOLE_EL0_DATA + DEVICE_EL0 + VALID_BLOCK
        .quad   HOLE_EL0_CODE + CODE_EL0 + VALID_BLOCK
        .fill   510, 8, 0

// TTBR1: level 0 (48-bit VA); its only entry leads to a level-1 table in a hole
        .balign 4096
l0_upper:
        .quad   HOLE_L1_UPPER + VALID_TABLE
        .fill   511, 8, 0

        .bss
        .balign 16
        .space  16384
stack_top:
