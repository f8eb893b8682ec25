/*
 * The fixed model's block clock compiled into the translated code, for a libunicorn built with
 * Vitrine's patch 0005 (scripts/unicorn/: uc_vitrine_block_counter). Each translated block then
 * charges itself inline, exactly as vitrine_block_hook_fixed would (the same fields of
 * `struct vitrine_clock`, the same figures), while the clock's `committed` is below this
 * counter's `limit`; at or past it the block calls vitrine_counter_slow, which is that hook.
 *
 * `limit` folds the hook's three reasons to do more than charge into one word: it is the
 * deadline, or 0 while a stop is asked for or a continuation (the rest of a block a debugger cut
 * short) is pending. Whoever changes one of those refreshes it: this file after the hook ran,
 * org.vitrine.emulator.cpu.NativeBlockClock for the writes from Java. Layout mirrored by
 * org.vitrine.emulator.cpu.NativeBlockClock.
 */
#include "vitrine_clock.h"

struct vitrine_counter {
    volatile uint64_t limit;       /* 0: blocks charge themselves while committed < limit */
    struct vitrine_clock *clock;   /* 8 */
};

/* vitrine_hooks.c: the fixed model's block hook, which the slow path is. */
void vitrine_block_hook_fixed(void *uc, uint64_t address, uint32_t size, void *user_data);

/* The limit after the hook may have set `stop` or consumed the continuation. The limit is
 * written before the flags are read (with a fence between), so a stop another thread asks for
 * meanwhile (it sets `stop`, then the limit to 0) is never lost. */
static void refresh_limit(struct vitrine_counter *k) {
    struct vitrine_clock *c = k->clock;
    k->limit = c->deadline;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (c->stop || c->continuation != 1) k->limit = 0;
}

/* Called by the translated block instead of charging itself: committed >= limit. */
void vitrine_counter_slow(void *uc, uint64_t address, uint32_t size, void *user_data) {
    struct vitrine_counter *k = (struct vitrine_counter *) user_data;
    vitrine_block_hook_fixed(uc, address, size, k->clock);
    refresh_limit(k);
}

_Static_assert(offsetof(struct vitrine_counter, clock) == 8, "layout mirrored in NativeBlockClock");
_Static_assert(sizeof(struct vitrine_counter) == 16, "layout mirrored in NativeBlockClock");
