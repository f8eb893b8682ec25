// guest-errors.S: a bare-metal guest for Vitrine's virt board that makes half a million guest
// errors and two unimplemented-feature notes, the way a driver stuck in a bad loop would, then
// powers off (status 0). Every access is architecturally valid (mapped device registers, aligned,
// 32-bit); each is one the device models refuse and report to the machine's guest log.
//
//   phase 1   200000 reads of PL011 offset 0x050 (reserved): one message, identical every time
//   phase 2   100000 writes of 0, 1, 2, ... to UARTFR (read-only): one message, other values
//   phase 3   100000 times a read of PL011 offset 0x050 then a write of 0 to the first empty
//             virtio-mmio transport's NoDevice word 0x010: two devices taking turns
//   phase 4   2 reads of UARTITCR (the PL011 integration test register, not modelled): unimplemented
//
// The console prints one line per phase and "guest-errors: done". Assembled with --defsym STAY=1
// the guest spins after "done" instead of powering off (a window stays open to be looked at).
//
// Built by org.vitrine.tests.GuestImage with guest.ld (linked at 0x4010_0000).

        .equ UART,              0x09000000
        .equ UARTFR,            0x018
        .equ UART_RESERVED,     0x050
        .equ UARTITCR,          0x080
        .equ VIRTIO_SLOT0,      0x0a000000      // empty when the board has no virtio device
        .equ NO_DEVICE_WORD,    0x010
        .equ PSCI_SYSTEM_OFF,   0x84000008

        .equ PHASE1,            200000
        .equ PHASE2,            100000
        .equ PHASE3,            100000

        .macro print text
        .pushsection .rodata
str_\@: .asciz "\text"
        .popsection
        adr     x0, str_\@
        bl      puts
        .endm

        .section .text.boot, "ax"
        .global _start
_start:
        ldr     x0, =stack_top
        mov     sp, x0
        ldr     x20, =UART
        mov     w1, #0x301                      // UARTCR: UARTEN, TXE, RXE
        str     w1, [x20, #0x30]
        print   "guest-errors: a driver stuck in bad loops\n"

        print   "phase 1: reads of a reserved PL011 offset\n"
        ldr     x2, =PHASE1
1:      ldr     w0, [x20, #UART_RESERVED]
        subs    x2, x2, #1
        b.ne    1b

        print   "phase 2: writes of a counter to the read-only UARTFR\n"
        mov     x1, #0
        ldr     x2, =PHASE2
2:      str     w1, [x20, #UARTFR]
        add     x1, x1, #1
        cmp     x1, x2
        b.ne    2b

        print   "phase 3: a reserved PL011 read and an empty virtio-mmio write, in turn\n"
        ldr     x21, =VIRTIO_SLOT0
        ldr     x2, =PHASE3
3:      ldr     w0, [x20, #UART_RESERVED]
        str     wzr, [x21, #NO_DEVICE_WORD]
        subs    x2, x2, #1
        b.ne    3b

        print   "phase 4: the unimplemented UARTITCR, twice\n"
        ldr     w0, [x20, #UARTITCR]
        ldr     w0, [x20, #UARTITCR]

        print   "guest-errors: done\n"
.ifdef STAY
4:      b       4b
.endif
        ldr     x0, =PSCI_SYSTEM_OFF
        mov     x1, #0
        hvc     #0
        b       .

// x0 = NUL-terminated string, to the PL011 data register
puts:
        ldrb    w10, [x0], #1
        cbz     w10, 1f
        str     w10, [x20]
        b       puts
1:      ret

        .ltorg

        .bss
        .balign 16
        .space  4096
stack_top:
