/*
 * Vitrine's native block hook: the one per-block callback of the CPU run loop, kept out of Java
 * because an FFM upcall costs ~30 ns per translated block (a tight loop ran at ~110 guest MIPS
 * with the Java hook). It charges each block's cycles at a fixed cost per instruction and stops
 * the CPU before a block once the next event is due or the host asked for a stop. With the a53
 * timing model (vitrine_a53.c) the cost of a block comes from the model instead.
 *
 * No libunicorn headers or link: Java passes uc_emu_stop's address in the state block.
 * The layout of `struct vitrine_clock` is mirrored by org.vitrine.emulator.cpu.NativeBlockClock.
 */
#include "vitrine_clock.h"

/* Stops the CPU before the block about to run. Out of line, so the hooks' common path needs no
 * register saves. */
static __attribute__((noinline, cold)) void stop_before_block(void *uc, struct vitrine_clock *c) {
    c->stop = 1;
    c->stops++;
    /* With a code hook installed (a debugger), libunicorn 2.1.1 lets the block run after a stop
     * from here and then resumes at its start: the block would run twice. The Java
     * per-instruction hook stops exactly before the block's first instruction instead. */
    if (c->defer_stop) c->block_size = 0; /* the previous block ran whole: nothing to give back */
    else c->emu_stop(uc);
}

/* At every block boundary: 1 when the CPU must stop before this block (the next event is due, or
 * the host asked for a stop). */
static inline int stop_due(struct vitrine_clock *c, uint64_t address) {
    /* The rest of a block a debugger stopped in the middle of: the undebugged run would not have
     * checked for a stop here, so neither does this (stepping must not move interrupts). */
    if (__builtin_expect(address == c->continuation, 0)) {
        c->continuation = 1;
        return 0;
    }
    return __builtin_expect(c->stop || c->committed >= c->deadline, 0);
}

/* Makes the block at `address` the current one and charges its `cost` cycles. */
static inline void charge_block(struct vitrine_clock *c, uint64_t address, uint32_t size, uint64_t cost) {
    uint64_t start = c->committed;
    c->block_address = address;
    c->block_size = size;
    c->block_start = start;
    c->block_cycles = cost;
    c->block_extra = 0;
    c->committed = start + cost;
    c->retired += size >> 2;
}

/*
 * The rest of a block a debugger cut short, with the a53 model: the model costed the whole block
 * (and updated its predictor, caches and schedule) when it started, so the rest is charged what
 * the cut gave back, without asking the model again: a debugged run's cycles stay those of an
 * undebugged one. A window the model asked for meanwhile still waits for the next block.
 */
static __attribute__((noinline, cold)) void resume_block(struct vitrine_clock *c, uint64_t address, uint32_t size) {
    c->continuation = 1;
    charge_block(c, address, size, c->continuation_cycles);
    if (vitrine_a53_pending(c->model)) c->stop = 1;
}

void vitrine_block_hook(void *uc, uint64_t address, uint32_t size, void *user_data) {
    struct vitrine_clock *c = (struct vitrine_clock *) user_data;
    if (__builtin_expect(address == c->continuation, 0) && size == c->continuation_size && c->model) {
        resume_block(c, address, size);
        return;
    }
    if (stop_due(c, address)) {
        stop_before_block(uc, c);
        return;
    }
    uint64_t cost = c->model ? vitrine_a53_block(c->model, uc, address, size) : (size >> 2) * c->cycles_per_insn;
    charge_block(c, address, size, cost);
}

/*
 * The block hook of the fixed model (model == NULL): the same bookkeeping without the model's
 * branch, a separate function so the compiler gives it no register saves or stack frame (the a53
 * path inlined into vitrine_block_hook needs both). It runs once per executed block: on a
 * 4-instruction loop it was a third of the host time.
 */
void vitrine_block_hook_fixed(void *uc, uint64_t address, uint32_t size, void *user_data) {
    struct vitrine_clock *c = (struct vitrine_clock *) user_data;
    if (stop_due(c, address)) {
        stop_before_block(uc, c);
        return;
    }
    charge_block(c, address, size, (size >> 2) * c->cycles_per_insn);
}

/* UC_HOOK_MEM_READ with the a53 model: a load's cache and TLB misses, charged at once. */
void vitrine_read_hook(void *uc, int type, uint64_t address, int size, int64_t value, void *user_data) {
    struct vitrine_clock *c = (struct vitrine_clock *) user_data;
    uint64_t extra = vitrine_a53_read(c->model, address);
    c->committed += extra;
    c->block_extra += extra;
}

/*
 * The MRS / MSR / SYS filter: libunicorn calls the instruction hook for every system-register
 * access and cache-maintenance instruction, and Linux makes millions of them (MRS SP_EL0 for
 * `current`, DC ZVA for zeroing pages) that the host does not emulate. Only the encodings listed in
 * the filter (the generic timer, CNTKCTL_EL1, IC IVAU / IALLU) reach the Java hook; everything else
 * returns "not handled" here and the CPU executes it. Layout mirrored by
 * org.vitrine.emulator.cpu.NativeSysInsnFilter.
 */
struct vitrine_cp_reg {             /* uc_arm64_cp_reg */
    uint32_t crn, crm, op0, op1, op2;
    uint64_t val;
};

#define VITRINE_FILTER_KEYS 64    /* the generic timer, CNTKCTL_EL1 and the PMU (PmuV3.keys) */

struct vitrine_sys_filter {
    int (*java)(void *uc, int reg, const struct vitrine_cp_reg *cp, void *user_data); /* 0 */
    uint32_t count;                                 /* 8 */
    uint32_t keys[VITRINE_FILTER_KEYS];             /* 12: SysReg.key encodings */
    volatile uint64_t filtered;                     /* 272: accesses answered here */
    /* The system counter, answered here for MRS (clock != NULL): a busy-wait on CNTPCT (U-Boot's
     * countdown, udelay) reads it ~100 million times per virtual second, and a Java upcall each
     * time made U-Boot several times slower than QEMU. Same figure as GenericTimer.counter():
     * floor(precise cycle * num / den), saturated at INT64_MAX. */
    struct vitrine_clock *clock;                    /* 280 */
    uint64_t counter_num;                           /* 288: counter frequency (Hz) */
    uint64_t counter_den;                           /* 296: cycles per second */
    int (*reg_read)(void *uc, int id, void *value); /* 304: uc_reg_read */
    int (*reg_write)(void *uc, int id, const void *value); /* 312: uc_reg_write */
    volatile uint64_t cntkctl;                      /* 320: CNTKCTL_EL1 as the guest last wrote it */
    uint32_t key_pct, key_vct;                      /* 328, 332: CNTPCT_EL0, CNTVCT_EL0 */
    int32_t id_pc, id_pstate, id_w0, id_wzr, id_xzr; /* 336..352: Unicorn register ids */
    volatile uint64_t counter_reads;                /* 360 */
    struct vitrine_a53 *model;                      /* 368: the a53 model, told of TTBR0_EL1 writes (MSR filter) */
    uint32_t key_ttbr0;                             /* 376 */
};

/*
 * The cycle now, counting the instructions of the running block executed so far (Cpu.preciseCycle):
 * the block's cost shared out evenly over its instructions (exact for a fixed cost per
 * instruction), plus what the block was charged while running.
 */
static uint64_t precise_cycle(const struct vitrine_clock *c, uint64_t pc) {
    if (c->block_size && pc >= c->block_address && pc < c->block_address + c->block_size) {
        uint64_t insns = c->block_size >> 2, done = (pc - c->block_address) >> 2;
        return c->block_start + c->block_extra + c->block_cycles * done / insns;
    }
    return c->committed;
}

/* MRS CNTPCT/CNTVCT: 1 when answered, 0 when left to the CPU (an EL0 access CNTKCTL_EL1 forbids traps). */
static int read_counter(void *uc, int reg, uint32_t key, struct vitrine_sys_filter *f) {
    uint64_t pstate = 0, pc = 0;
    f->reg_read(uc, f->id_pstate, &pstate);
    if (((pstate >> 2) & 3) == 0) {
        uint64_t enable = key == f->key_pct ? 1 : 2;  /* EL0PCTEN, EL0VCTEN */
        if (!(f->cntkctl & enable)) return 0;
    }
    f->reg_read(uc, f->id_pc, &pc);
    unsigned __int128 q = (unsigned __int128) precise_cycle(f->clock, pc) * f->counter_num / f->counter_den;
    uint64_t count = q > (unsigned __int128) INT64_MAX ? (uint64_t) INT64_MAX : (uint64_t) q;
    f->counter_reads++;
    if (reg == f->id_xzr || reg == f->id_wzr) return 1;
    if (reg >= f->id_w0 && reg <= f->id_w0 + 30) count &= 0xffffffffu;
    f->reg_write(uc, reg, &count);
    return 1;
}

int vitrine_sys_hook(void *uc, int reg, const struct vitrine_cp_reg *cp, void *user_data) {
    struct vitrine_sys_filter *f = (struct vitrine_sys_filter *) user_data;
    uint32_t key = (cp->op0 << 16) | (cp->op1 << 12) | (cp->crn << 8) | (cp->crm << 4) | cp->op2;
    if (f->clock && (key == f->key_pct || key == f->key_vct)) return read_counter(uc, reg, key, f);
    if (f->model && key == f->key_ttbr0) vitrine_a53_context(f->model, cp->val); /* and the CPU writes it */
    for (uint32_t i = 0; i < f->count; i++) {
        if (f->keys[i] == key) return f->java(uc, reg, cp, 0);
    }
    f->filtered++;
    return 0;
}

_Static_assert(offsetof(struct vitrine_sys_filter, keys) == 12, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_sys_filter, filtered) == 272, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_sys_filter, clock) == 280, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_sys_filter, id_pc) == 336, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_sys_filter, counter_reads) == 360, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_sys_filter, model) == 368, "layout mirrored in NativeSysInsnFilter");
_Static_assert(sizeof(struct vitrine_sys_filter) == 384, "layout mirrored in NativeSysInsnFilter");
_Static_assert(offsetof(struct vitrine_clock, block_cycles) == 80, "layout mirrored in NativeBlockClock");
_Static_assert(offsetof(struct vitrine_clock, model) == 96, "layout mirrored in NativeBlockClock");
_Static_assert(offsetof(struct vitrine_clock, continuation_size) == 76, "layout mirrored in NativeBlockClock");
_Static_assert(offsetof(struct vitrine_clock, continuation) == 104, "layout mirrored in NativeBlockClock");
_Static_assert(offsetof(struct vitrine_clock, continuation_cycles) == 112, "layout mirrored in NativeBlockClock");
_Static_assert(sizeof(struct vitrine_clock) == 120, "layout mirrored in NativeBlockClock");
