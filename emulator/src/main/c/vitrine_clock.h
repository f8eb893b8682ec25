/*
 * The native block clock's state block, shared by the block hook (vitrine_hooks.c) and the a53
 * timing model (vitrine_a53.c). Layout mirrored by org.vitrine.emulator.cpu.NativeBlockClock.
 */
#ifndef VITRINE_CLOCK_H
#define VITRINE_CLOCK_H
#include <stddef.h>
#include <stdint.h>

struct vitrine_a53;

struct vitrine_clock {
    volatile uint64_t committed;     /*  0: cycles charged, including the whole current block */
    volatile uint64_t deadline;      /*  8: stop before a block starting at or after this cycle */
    volatile uint64_t block_address; /* 16: current block */
    volatile uint64_t block_start;   /* 24: cycle at which the current block began */
    volatile uint64_t retired;       /* 32: instructions */
    volatile uint64_t cycles_per_insn; /* 40 */
    int (*emu_stop)(void *uc);       /* 48 */
    volatile uint32_t block_size;    /* 56 */
    volatile uint32_t stop;          /* 60: nonzero = stop before the next block */
    volatile uint64_t stops;         /* 64: how many times the hook stopped the CPU */
    volatile uint32_t defer_stop;    /* 72: nonzero = leave the stop to the per-instruction hook */
    volatile uint32_t continuation_size; /* 76: the bytes of the cut block left to run */
    volatile uint64_t block_cycles;  /* 80: the current block's own cost (its instructions) */
    volatile uint64_t block_extra;   /* 88: cycles charged during the current block (cache misses) */
    struct vitrine_a53 *model;       /* 96: NULL = a fixed cost per instruction */
    volatile uint64_t continuation;  /* 104: a block starting here resumes one the debugger cut short */
    volatile uint64_t continuation_cycles; /* 112: what the cut gave back (the a53 hook charges it again) */
};

/* Called only from vitrine_hooks.c: hidden, so the calls are direct (no PLT) and the build's
 * link-time optimisation can inline them into the hooks. */
#define VITRINE_INTERNAL __attribute__((visibility("hidden")))

/* The a53 model's per-block cost (static pipeline cost plus the branch and I-side dynamic costs). */
VITRINE_INTERNAL uint64_t vitrine_a53_block(struct vitrine_a53 *m, void *uc, uint64_t address, uint32_t size);
/* A data read of the guest at physical address `pa`: the cycles it costs beyond an L1 hit. */
VITRINE_INTERNAL uint64_t vitrine_a53_read(struct vitrine_a53 *m, uint64_t pa);
/* 1 when the model asked for a window to open or close (it needs a stop between runs). */
VITRINE_INTERNAL int vitrine_a53_pending(const struct vitrine_a53 *m);
/* The guest wrote TTBR0_EL1: the lower half of the address space changed. */
VITRINE_INTERNAL void vitrine_a53_context(struct vitrine_a53 *m, uint64_t ttbr0);

#endif
