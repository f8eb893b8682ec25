/*
 * The a53 timing model's state (struct vitrine_a53) and the constants it is sized by, shared by
 * the model itself (vitrine_a53.c) and its snapshot save and restore (vitrine_a53_state.c).
 * Private to those two files: Java sees the state only as bytes (NativeA53Model).
 */
#ifndef VITRINE_A53_MODEL_H
#define VITRINE_A53_MODEL_H
#include "vitrine_clock.h"

/* uc_vmem_read(uc, address, prot, bytes, size), passed in by Java (no libunicorn headers or link). */
typedef int (*uc_vmem_read_fn)(void *uc, uint64_t address, int prot, void *bytes, size_t size);
#define UC_PROT_EXEC 4
/* uc_hook_add, uc_hook_del and uc_ctl, for the detailed windows' read hook (passed in by Java too). */
typedef int (*uc_hook_add_fn)(void *uc, size_t *hh, int type, void *callback, void *user_data, uint64_t begin,
                              uint64_t end, ...);
typedef int (*uc_hook_del_fn)(void *uc, size_t hh);
typedef int (*uc_ctl_fn)(void *uc, int control, ...);
#define UC_HOOK_MEM_READ (1 << 10)
#define UC_CTL_TB_FLUSH_WRITE (10 | (1 << 30))
/* The read hook of vitrine_hooks.c, installed for each detailed window. */
void vitrine_read_hook(void *uc, int type, uint64_t address, int size, int64_t value, void *user_data);

/* ---- figures (cycles) ---------------------------------------------------------------------- */
enum {
    LAT_ALU = 1, LAT_ALU_SHIFTED = 2, LAT_MUL = 3, LAT_DIV = 8, LAT_LOAD = 3, LAT_FP = 4,
    LAT_FMA = 8, LAT_FMA_ACC = 4, LAT_FDIV = 33, BUSY_FDIV = 29, LAT_SYS = 1,
    MISPREDICT = 9, L2_HIT = 13, DRAM = 150, UTLB_MISS = 2, TLB_MISS = 20, PAGE_WALK = 39,
    BARRIER = 8
};

/* ---- the sampling schedule (instructions) --------------------------------------------------- */
enum {
    WINDOW = 30000, WARM = 10000, /* a detailed window, and its first part that only warms the caches */
    PERIOD_SHIFT = 15,            /* code not run for two periods of 32,768 instructions is idle */
    HOT_LOADS = 128,              /* loads a stale block executes (in one phase) before it asks for a window */
    WINDOW_COST = 100000,         /* what a window costs, in instructions of budget (below) ... */
    RETRANSLATION_COST = 13000,   /* ... plus this for each block translated again after its flushes */
};
#define TOKENS_MAX 64000000       /* instructions of credit at most (bursts of windows after quiet stretches) */
#define TOUCHED 8192              /* blocks a window measures at most */
enum want { WANT_NONE, WANT_DETAILED, WANT_FLUSH };
#define D_COUNTS 5                /* reads, L1 D misses, L2 misses, micro-TLB misses, L2 TLB misses */

/* ---- set-associative LRU arrays (caches and TLBs) ----------------------------------------- */
struct lru {
    uint32_t sets, ways;
    uint64_t *tags; /* tag + 1, 0 = empty; most recently used first in each set */
};

/* ---- the per-block cost table --------------------------------------------------------------- */
enum branch { BR_NONE, BR_COND, BR_DIRECT, BR_CALL, BR_INDIRECT, BR_INDIRECT_CALL, BR_RETURN, BR_OTHER };

struct block_cost {
    uint64_t key, target;
    uint32_t size, generation, cost;
    uint8_t branch;
    uint16_t loads;        /* instructions that read memory */
    /* sampling: D-side cycles per execution beyond L1 hits, in 1/256 cycle, measured in the window
     * of epoch est_epoch (0: never measured); the accumulators of the window it last ran in */
    uint32_t est, est_epoch, stale_runs, stale_epoch, window, acc_n, last_period;
    uint32_t flush_id;     /* the flush of translations after which it last ran (see retranslated) */
    uint64_t acc_sum;
    /* the same for the D side's counts (reads, L1 D misses, L2 misses, micro-TLB and L2 TLB misses),
     * so that the profile's per-process cache figures are estimated between windows too */
    uint32_t est_count[D_COUNTS], acc_count[D_COUNTS];
    /* The block that last followed this one: tried before the table's hash (a loop or a chain
     * of blocks finds its next entry without hashing); checked like a table hit, since an entry
     * only ever lives in its own hash set. */
    struct block_cost *successor;
};

#define TABLE_BITS 16
#define MAX_BLOCK_BYTES 4096

struct vitrine_a53 {
    uc_vmem_read_fn vmem_read;
    uint64_t context;       /* hash of TTBR0_EL1, mixed into lower-half addresses */
    uint32_t generation;
    struct block_cost table[1 << TABLE_BITS];
    /* branch prediction */
    uint8_t counters[2048];
    uint32_t history;
    uint64_t targets[256];
    uint64_t returns[8];
    uint32_t return_top;
    struct block_cost *previous; /* the last block (its branch is checked against the next block), or NULL */
    uint64_t previous_address;
    uint64_t last_iline;        /* the I-side's most recent line: a block within it changes nothing */
    uint64_t last_dline;        /* the D-side's: another read of it changes nothing either */
    uint64_t last_dpage;        /* the D-side's most recent page: the micro-TLB's MRU entry */
    /* memory */
    /* 32 KiB L1 I (2-way) and D (4-way), 512 KiB 16-way L2, 64-byte lines; 10-entry micro-TLBs,
     * a 512-entry 4-way L2 TLB, 4 KiB pages */
    struct lru l1i, l1d, l2, itlb, dtlb, tlb;
    uint64_t l1i_tags[256 * 2], l1d_tags[128 * 4], l2_tags[512 * 16], itlb_tags[10], dtlb_tags[10], tlb_tags[128 * 4];
    /* counts, for the profile and the tests (vitrine_a53_counts: NativeA53Model.Counts, in this order);
     * an access the same-line or same-page filters skip is counted as the hit it would be */
    uint64_t decoded, mispredicts, l1d_misses, l2_misses, tlb_misses, reads;
    uint64_t ifetches;      /* L1 I line fetches: each block's lines */
    uint64_t l1i_misses;
    uint64_t utlb_misses;   /* micro-TLB misses, I and D (the L2 TLB's accesses) */
    uint64_t windows;       /* detailed windows entered */
    uint64_t detailed_insns; /* instructions executed in them */
    /* sampling (see the top of the file) */
    uc_hook_add_fn hook_add;
    uc_hook_del_fn hook_del;
    uc_ctl_fn ctl;
    struct vitrine_clock *clock; /* the block clock: its stop flag ends a run before a mode change */
    void *uc;               /* the engine, as the block hook last saw it */
    struct block_cost *current; /* the block running now (its reads add to its accumulators) */
    size_t hook;            /* the read hook while detailed, else 0 */
    int detailed;           /* reads reach the model: the hook is on and every translation has it */
    int measuring;          /* the current block's reads count towards its estimate */
    int want;               /* what the next vitrine_a53_apply does */
    uint64_t insns;         /* instructions executed: the schedule's clock */
    uint64_t window_end, measure_from;
    int64_t tokens;         /* the window budget at tokens_at: instructions executed minus what windows cost */
    uint64_t tokens_at;     /* (a window needs a budget >= 0; see tokens()) */
    uint32_t flush_id;      /* flushes of translations so far (two per window) */
    uint64_t retranslated;  /* blocks run again after a flush, not paid for yet */
    uint32_t window_id, epoch, window_blocks, touched_count;
    uint32_t frac;          /* estimated cycles not charged yet, in 1/256 */
    uint32_t per_read;      /* the last window's D-side cycles per read, in 1/256 */
    uint32_t count_frac[D_COUNTS]; /* estimated counts not added yet, in 1/256 */
    uint64_t win_extra, win_reads;
    struct block_cost *touched[TOUCHED];
};

#endif
