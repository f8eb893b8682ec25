/*
 * The a53 timing model (issue 15; figures and their sources in docs/timing-a53.md): what a
 * translated block costs on a Cortex-A53-like core, in cycles.
 *
 * Interface (called from vitrine_hooks.c; state created by vitrine_a53_new, owned by Java's
 * A53Model):
 *   vitrine_a53_block(m, uc, address, size)  per executed block: static cost + branch + I-side
 *   vitrine_a53_read(m, pa)                  per guest data read (physical address): D-side miss cycles
 *   vitrine_a53_context(m, ttbr0)            the guest switched its lower address space
 *   vitrine_a53_invalidate(m)                code changed (IC IVAU/IALLU, host writes, reset)
 *   vitrine_a53_apply(m)                     between runs: enter or leave a detailed window (below)
 *   vitrine_a53_save / _check / _restore     the whole state in a snapshot (vitrine_a53_state.c)
 *
 * Static part, computed once per translated block and kept in a direct-mapped table keyed by the
 * block's virtual address (tagged with the TTBR0 context for lower-half addresses), its size and a
 * generation bumped on every code invalidation: each instruction is classified by a small A64
 * decoder and issued on an in-order, dual-issue pipeline model (per-unit pairing rules, per-class
 * result latencies with the A53's forwarding, non-pipelined dividers). A block that branches back
 * to itself (a loop) is costed in its steady state: the pipeline is run over it twice and the
 * second pass counts, so a dependency carried around the loop is charged.
 *
 * Dynamic part, all deterministic (it only sees the guest's own sequence of blocks and reads):
 * a branch predictor driven by the block sequence (the previous block's last branch against the
 * block that follows it): gshare over 2,048 2-bit counters (8 bits of global history), a 256-entry indirect target table and
 * an 8-entry return stack, 9 cycles per mispredict; L1 I (from each block's lines) and L1 D (from
 * every read), a unified L2, DRAM; micro-TLBs and the L2 TLB with a fixed page-walk cost.
 *
 * Sampled D side. A data-read hook makes libunicorn translate every load and store into its slow
 * path (about ten times slower on a streaming copy), so the hook is installed only for detailed
 * windows of WINDOW instructions: the first WARM of them warm the caches (each block is charged
 * its estimate, the caches having started the window cold), the rest charge each read what it
 * costs and measure, for each block executed, the D-side cycles of its executions. Between
 * windows the hook is gone (and the translations made with it flushed) and each block is charged
 * its measured average (a block never measured: its loads times the last window's average per
 * read). The schedule is driven by the guest alone (instruction counts and the block sequence),
 * so it is deterministic: when code that was idle for two PERIODs runs again (a phase change is
 * likely: another program, another working set), every estimate becomes stale, and a stale block
 * that executes HOT_LOADS loads in that phase asks for a window. Windows are paid for from a
 * budget of instructions (TOKENS_MAX at start; each one executed adds one, up to TOKENS_MAX; a
 * window costs WINDOW_COST, and every block run again after one of its flushes, i.e. translated
 * again, RETRANSLATION_COST), so that their cost stays a bounded share of any workload: the Linux
 * boot, with thousands of blocks in its working set, gets few windows; a loop gets as many as it
 * needs.
 */
#include <string.h>
#include "vitrine_a53_model.h"

/* ---- set-associative LRU arrays (caches and TLBs; struct lru in vitrine_a53_model.h) -------- */
static void lru_init(struct lru *a, uint64_t *tags, uint32_t sets, uint32_t ways) {
    a->sets = sets;
    a->ways = ways;
    a->tags = tags;
}

/* 1 on a hit; either way `tag` is the most recently used entry of its set afterwards. */
static int lru_access(struct lru *a, uint64_t tag) {
    uint64_t *w = a->tags + (size_t) (tag & (a->sets - 1)) * a->ways; /* sets: a power of two */
    uint64_t t = tag + 1;
    if (w[0] == t) return 1; /* the most recent already: nothing moves */
    uint32_t i = 1;
    while (i < a->ways && w[i] != t) i++;
    int hit = i < a->ways;
    if (!hit) i = a->ways - 1;
    for (; i > 0; i--) w[i] = w[i - 1]; /* a few words: cheaper inline than a call to memmove */
    w[0] = t;
    return hit;
}

static void lru_clear(struct lru *a) {
    memset(a->tags, 0, (size_t) a->sets * a->ways * sizeof(uint64_t));
}

/* ---- decoding: an A64 word to its class, registers and latency ----------------------------- */
enum unit { U_ALU, U_MAC, U_DIV, U_LDST, U_BRANCH, U_FPALU, U_FPMDS, U_ALONE };

#define FLAGS 64 /* register index of NZCV; X0-X30 and SP are 0-31, V0-V31 32-63 */
#define NONE 255

struct insn {
    uint8_t unit, latency, busy;   /* busy: cycles a non-pipelined unit stays taken */
    uint8_t dst[2], src[3];
    uint8_t acc;                   /* source read late (MADD/FMA accumulator), or NONE */
    uint8_t branch;
    uint8_t reads;                 /* 1: reads memory */
};

static void set(struct insn *d, int unit, int latency) {
    d->unit = (uint8_t) unit;
    d->latency = (uint8_t) latency;
}

static void decode(uint32_t w, struct insn *d) {
    memset(d, NONE, sizeof *d);
    d->busy = 0;
    d->branch = BR_NONE;
    d->reads = 0;
    uint32_t rd = w & 31, rn = (w >> 5) & 31, rm = (w >> 16) & 31, ra = (w >> 10) & 31;
    uint32_t op0 = (w >> 25) & 15;
    if ((op0 & 14) == 8) {                       /* data processing, immediate */
        uint32_t op = (w >> 23) & 7;
        set(d, U_ALU, LAT_ALU);
        d->dst[0] = (uint8_t) rd;
        if (op >= 2 && op != 5) d->src[0] = (uint8_t) rn;
        if (op == 5 && ((w >> 29) & 3) == 3) d->src[0] = (uint8_t) rd;           /* MOVK */
        if ((op == 2 || op == 3) && (w >> 29) & 1) d->dst[1] = FLAGS;            /* ADDS/SUBS */
        if (op == 4 && ((w >> 29) & 3) == 3) d->dst[1] = FLAGS;                  /* ANDS */
    } else if ((op0 & 14) == 10) {               /* branches, exceptions, system */
        set(d, U_BRANCH, 1);
        if ((w & 0x7C000000) == 0x14000000) d->branch = (w >> 31) ? BR_CALL : BR_DIRECT;
        else if ((w & 0xFF000010) == 0x54000000) { d->branch = BR_COND; d->src[0] = FLAGS; }
        else if ((w & 0x7C000000) == 0x34000000) { d->branch = BR_COND; d->src[0] = (uint8_t) rd; }
        else if ((w & 0xFE000000) == 0xD6000000) {
            uint32_t opc = (w >> 21) & 15;
            d->src[0] = (uint8_t) rn;
            d->branch = opc == 0 ? BR_INDIRECT : opc == 1 ? BR_INDIRECT_CALL : opc == 2 ? BR_RETURN : BR_OTHER;
            if (d->branch == BR_OTHER) set(d, U_ALONE, BARRIER);                  /* ERET */
        } else if ((w & 0xFF000000) == 0xD4000000) { d->branch = BR_OTHER; set(d, U_ALONE, 1); }
        else if ((w & 0xFFFFF01F) == 0xD503301F) set(d, U_ALONE, BARRIER);      /* DSB, DMB, ISB */
        else if ((w & 0xFFC00000) == 0xD5000000) {                               /* MSR, MRS, SYS, hints */
            set(d, U_ALONE, LAT_SYS);
            if ((w >> 21) & 1) d->dst[0] = (uint8_t) rd;                          /* MRS, SYSL */
            else if ((w >> 19) & 3) d->src[0] = (uint8_t) rd;                     /* MSR, SYS */
        }
    } else if ((op0 & 5) == 4) {                 /* loads and stores */
        int vector = (w >> 26) & 1;
        uint8_t base = vector ? 32 : 0;
        int load;
        set(d, U_LDST, LAT_LOAD);
        d->src[0] = (uint8_t) rn;
        if ((w & 0x3B000000) == 0x18000000) {                                    /* literal */
            load = 1;
            d->src[0] = NONE;
        } else if ((w & 0x3A000000) == 0x28000000) {                             /* pair */
            load = (w >> 22) & 1;
            if (load) { d->dst[0] = (uint8_t) (base + rd); d->dst[1] = (uint8_t) (base + ra); }
            else { d->src[1] = (uint8_t) (base + rd); d->src[2] = (uint8_t) (base + ra); }
        } else if ((w & 0x3F000000) == 0x08000000) {                             /* exclusive, acquire/release */
            load = (w >> 22) & 1;
            if (load) d->dst[0] = (uint8_t) rd;
            else { d->src[1] = (uint8_t) rd; d->dst[0] = (uint8_t) rm; }
        } else if ((w & 0x3A000000) == 0x38000000) {                             /* single register */
            uint32_t opc = (w >> 22) & 3;
            load = opc != 0;
            if ((w & 0x3B200C00) == 0x38200800) d->src[1] = (uint8_t) rm;       /* register offset */
            if ((w & 0x3B200C00) == 0x38200000 && !vector) {                     /* atomic: a load too */
                load = 1;
                d->src[1] = (uint8_t) rm;
            }
            if (load) d->dst[0] = (uint8_t) (base + rd);
            else d->src[2] = (uint8_t) (base + rd);
        } else {                                                                 /* SIMD structures */
            load = (w >> 22) & 1;
            if (load) d->dst[0] = (uint8_t) (base + rd);
            else d->src[1] = (uint8_t) (base + rd);
            d->latency = LAT_LOAD + 1;
        }
        if (!load) d->latency = 1;
        d->reads = (uint8_t) load;
    } else if ((op0 & 7) == 5) {                 /* data processing, register */
        set(d, U_ALU, LAT_ALU);
        d->dst[0] = (uint8_t) rd;
        d->src[0] = (uint8_t) rn;
        d->src[1] = (uint8_t) rm;
        if (((w >> 28) & 1) == 0) {                                              /* logical / add-sub, shifted or extended */
            int addsub = (w >> 24) & 1;
            if ((w >> 10) & 63) d->latency = LAT_ALU_SHIFTED;
            if ((addsub && ((w >> 29) & 1)) || (!addsub && ((w >> 29) & 3) == 3)) d->dst[1] = FLAGS;
        } else {
            uint32_t op = (w >> 21) & 15;
            if (op == 0) { d->src[2] = FLAGS; if ((w >> 29) & 1) d->dst[1] = FLAGS; } /* ADC, SBC */
            else if (op == 2) { d->src[2] = FLAGS; d->dst[0] = FLAGS; }           /* CCMP, CCMN */
            else if (op == 4) d->src[2] = FLAGS;                                  /* CSEL and friends */
            else if (op == 6 && !((w >> 30) & 1)) {                               /* 2-source */
                uint32_t opcode = (w >> 10) & 63;
                if (opcode == 2 || opcode == 3) { set(d, U_DIV, LAT_DIV); d->busy = LAT_DIV; }
            } else if (op >= 8) {                                                 /* MADD, MSUB, SMULH, ... */
                set(d, U_MAC, LAT_MUL);
                if (ra != 31) d->acc = (uint8_t) ra;
            }
        }
    } else {                                     /* SIMD and floating point */
        uint8_t vd = (uint8_t) (32 + rd), vn = (uint8_t) (32 + rn), vm = (uint8_t) (32 + rm);
        set(d, U_FPALU, LAT_FP);
        d->dst[0] = vd;
        d->src[0] = vn;
        d->src[1] = vm;
        if ((w & 0x5F200C00) == 0x1E200800) {                                    /* FP 2-source */
            uint32_t opcode = (w >> 12) & 15;
            if (opcode == 0 || opcode == 8) set(d, U_FPMDS, LAT_FP);
            else if (opcode == 1) { set(d, U_FPMDS, LAT_FDIV); d->busy = BUSY_FDIV; }
        } else if ((w & 0x5F000000) == 0x1F000000) {                             /* FMADD and friends */
            set(d, U_FPMDS, LAT_FMA);
            d->acc = (uint8_t) (32 + ra);
        } else if ((w & 0x5F207C00) == 0x1E204000) {                             /* FP 1-source */
            d->src[1] = NONE;
            if (((w >> 15) & 63) == 3) { set(d, U_FPMDS, LAT_FDIV); d->busy = BUSY_FDIV; } /* FSQRT */
        } else if ((w & 0x5F203C00) == 0x1E202000) {                             /* FCMP */
            d->dst[0] = FLAGS;
        } else if ((w & 0x5F200C00) == 0x1E200C00 || (w & 0x5F200C00) == 0x1E200400) { /* FCSEL, FCCMP */
            d->src[2] = FLAGS;
        } else if ((w & 0x5F20FC00) == 0x1E200000) {                             /* FP <-> integer */
            uint32_t opcode = (w >> 16) & 7;
            int to_int = opcode == 0 || opcode == 1 || opcode == 4 || opcode == 5 || opcode == 6;
            d->src[1] = NONE;
            d->dst[0] = to_int ? (uint8_t) rd : vd;
            d->src[0] = to_int ? vn : (uint8_t) rn;
        } else if ((w & 0x9F200400) == 0x0E200400) {                             /* SIMD three same */
            uint32_t opcode = (w >> 11) & 31, u = (w >> 29) & 1;
            if (opcode == 0x19) { set(d, U_FPMDS, LAT_FMA); d->acc = vd; }
            else if (opcode == 0x1B && u) set(d, U_FPMDS, LAT_FP);
            else if (opcode == 0x1F && u) { set(d, U_FPMDS, LAT_FDIV); d->busy = BUSY_FDIV; }
        }
        if (((w >> 28) & 1) == 0 && ((w >> 30) & 1) && d->busy == 0) d->busy = 2; /* Q form: 64-bit datapath twice */
    }
}

/* ---- the in-order dual-issue pipeline ------------------------------------------------------- */
struct pipeline {
    uint64_t ready[FLAGS + 1];  /* cycle each register's value can be used */
    uint64_t unit_free[U_ALONE + 1];
    uint64_t cycle;             /* issue cycle of the last instruction */
    int slot;                   /* instructions issued in `cycle` so far */
    uint32_t units_used;        /* units taken in `cycle` */
    int last_dst[2];
};

static void pipeline_reset(struct pipeline *p) {
    memset(p, 0, sizeof *p);
    p->last_dst[0] = p->last_dst[1] = NONE;
}

/* Issues one instruction; returns its issue cycle. */
static uint64_t issue(struct pipeline *p, const struct insn *d) {
    uint64_t t = p->cycle;
    for (int i = 0; i < 3; i++) {
        if (d->src[i] != NONE && p->ready[d->src[i]] > t) t = p->ready[d->src[i]];
    }
    if (d->acc != NONE && p->ready[d->acc] > t + (d->unit == U_FPMDS ? LAT_FMA - LAT_FMA_ACC : 1)) {
        t = p->ready[d->acc] - (d->unit == U_FPMDS ? LAT_FMA - LAT_FMA_ACC : 1);
    }
    if (p->unit_free[d->unit] > t) t = p->unit_free[d->unit];
    /* Dual issue: a second instruction in the same cycle needs a free slot, a unit not used yet in
     * that cycle (the two ALUs excepted), and may not stand alone (system, barriers). */
    if (t == p->cycle && p->slot > 0) {
        int pairs = p->slot < 2 && d->unit != U_ALONE && !(p->units_used & (1u << U_ALONE))
                && (d->unit == U_ALU || !(p->units_used & (1u << d->unit)));
        if (!pairs) t++;
    }
    if (t != p->cycle) {
        p->cycle = t;
        p->slot = 0;
        p->units_used = 0;
    }
    p->slot++;
    p->units_used |= 1u << d->unit;
    if (d->busy) p->unit_free[d->unit] = t + d->busy;
    for (int i = 0; i < 2; i++) {
        /* register 31 is SP or XZR: neither is worth a dependency */
        if (d->dst[i] != NONE && d->dst[i] != 31) p->ready[d->dst[i]] = t + d->latency + (i == 1 && d->unit == U_LDST);
    }
    return t;
}

/* The cost of `n` instructions issued in order (twice over for a loop: its steady state). */
static uint32_t block_static_cost(const uint32_t *words, uint32_t n, int loop) {
    struct pipeline p;
    struct insn d;
    pipeline_reset(&p);
    uint64_t first_end = 0;
    for (int pass = 0; pass < (loop ? 2 : 1); pass++) {
        for (uint32_t i = 0; i < n; i++) {
            decode(words[i], &d);
            issue(&p, &d);
        }
        if (pass == 0) first_end = p.cycle;
    }
    uint64_t cost = loop ? p.cycle - first_end : p.cycle + 1;
    return cost == 0 ? 1 : (uint32_t) cost;
}

/* ---- the model --------------------------------------------------------------------------- */
/* The model's state lives in memory the caller owns (Java's arena): this many bytes, 64-aligned. */
size_t vitrine_a53_size(void) {
    return sizeof(struct vitrine_a53);
}

void vitrine_a53_reset(struct vitrine_a53 *m);

void vitrine_a53_init(struct vitrine_a53 *m, uc_vmem_read_fn vmem_read, uc_hook_add_fn hook_add, uc_hook_del_fn hook_del,
                      uc_ctl_fn ctl) {
    memset(m, 0, sizeof *m);
    m->vmem_read = vmem_read;
    m->hook_add = hook_add;
    m->hook_del = hook_del;
    m->ctl = ctl;
    lru_init(&m->l1i, m->l1i_tags, 256, 2);
    lru_init(&m->l1d, m->l1d_tags, 128, 4);
    lru_init(&m->l2, m->l2_tags, 512, 16);
    lru_init(&m->itlb, m->itlb_tags, 1, 10);
    lru_init(&m->dtlb, m->dtlb_tags, 1, 10);
    lru_init(&m->tlb, m->tlb_tags, 128, 4);
    vitrine_a53_reset(m);
}

/* For the host's unit tests: the static cost of `n` instruction words (`loop`: in steady state). */
uint32_t vitrine_a53_static_cost(const uint32_t *words, uint32_t n, int loop) {
    return block_static_cost(words, n, loop);
}

/* Back to the state after reset: caches, TLBs, predictors and the block table empty. */
void vitrine_a53_reset(struct vitrine_a53 *m) {
    memset(m->table, 0, sizeof m->table);
    memset(m->counters, 1, sizeof m->counters); /* weakly not taken */
    memset(m->targets, 0, sizeof m->targets);
    memset(m->returns, 0, sizeof m->returns);
    m->history = m->return_top = 0;
    m->previous = NULL;
    m->last_iline = m->last_dline = m->last_dpage = ~0ull;
    m->context = 0;
    m->generation = 1;
    lru_clear(&m->l1i); lru_clear(&m->l1d); lru_clear(&m->l2);
    lru_clear(&m->itlb); lru_clear(&m->dtlb); lru_clear(&m->tlb);
    m->decoded = m->mispredicts = m->l1d_misses = m->l2_misses = m->tlb_misses = m->reads = 0;
    m->ifetches = m->l1i_misses = m->utlb_misses = 0;
    /* Back to estimating, every estimate unmeasured. A hook deleted between runs stops calling at
     * once; libunicorn drops it at the end of the next run (translations until then keep the slow
     * path: speed only, the model no longer sees their reads either way). */
    if (m->hook && m->uc) m->hook_del(m->uc, m->hook);
    m->hook = 0;
    m->want = m->detailed ? WANT_FLUSH : WANT_NONE;
    m->detailed = m->measuring = 0;
    m->windows = m->detailed_insns = m->insns = 0;
    m->window_end = m->measure_from = 0;
    m->tokens = TOKENS_MAX; /* a start-up credit: a short run gets the windows its phases need */
    m->tokens_at = 0;
    m->retranslated = 0;
    m->window_id = m->window_blocks = m->touched_count = 0;
    m->epoch = 1;
    m->frac = m->per_read = 0;
    memset(m->count_frac, 0, sizeof m->count_frac);
    m->win_extra = m->win_reads = 0;
}

/* The block clock whose stop flag ends a run when the model wants to enter or leave a window. */
void vitrine_a53_attach(struct vitrine_a53 *m, struct vitrine_clock *clock) {
    m->clock = clock;
}

static void flush_translations(struct vitrine_a53 *m) {
    m->ctl(m->uc, UC_CTL_TB_FLUSH_WRITE);
    m->flush_id++;
}

/*
 * Between runs (the CPU stopped): enters the window the model asked for (installs the read hook and
 * drops every translation, so that all code is translated again with it), or drops the translations
 * made with the hook after a window (the model deleted it as the window ended). Returns what it did
 * (enum want); -1 when the hook could not be installed (the model stays estimating).
 */
int vitrine_a53_apply(struct vitrine_a53 *m) {
    int w = m->want;
    m->want = WANT_NONE;
    if (w == WANT_DETAILED) {
        size_t hh = 0;
        if (m->hook_add(m->uc, &hh, UC_HOOK_MEM_READ, (void *) vitrine_read_hook, m->clock, 1, 0) != 0) return -1;
        m->hook = hh;
        m->detailed = 1;
        m->windows++;
        if (++m->window_id == 0) m->window_id = 1; /* 0: a block's "no window" */
        m->window_blocks = m->touched_count = 0;
        m->window_end = m->insns + WINDOW;
        m->measure_from = m->insns + WARM;
        m->win_extra = m->win_reads = 0;
        flush_translations(m);
    } else if (w == WANT_FLUSH) {
        flush_translations(m);
    }
    return w;
}

int vitrine_a53_pending(const struct vitrine_a53 *m) {
    return m->want != WANT_NONE;
}

void vitrine_a53_invalidate(struct vitrine_a53 *m) {
    m->generation++;
}

/* Not a block boundary the predictor sees (a run ended, an exception was taken). */
void vitrine_a53_forget_previous(struct vitrine_a53 *m) {
    m->previous = NULL;
}

void vitrine_a53_context(struct vitrine_a53 *m, uint64_t ttbr0) {
    m->context = (ttbr0 | 1) * 0x9E3779B97F4A7C15ull;
}

const uint64_t *vitrine_a53_counts(const struct vitrine_a53 *m) {
    return &m->decoded;
}

static uint64_t tagged(const struct vitrine_a53 *m, uint64_t va) {
    return (va >> 63) ? va : va ^ m->context;
}

/* A line fetched from beyond L1: L2 hit or DRAM. */
static uint64_t beyond_l1(struct vitrine_a53 *m, uint64_t line) {
    if (lru_access(&m->l2, line)) return L2_HIT;
    m->l2_misses++;
    return L2_HIT + DRAM;
}

static uint64_t translate(struct vitrine_a53 *m, struct lru *micro, uint64_t page) {
    if (lru_access(micro, page)) return 0;
    m->utlb_misses++;
    if (lru_access(&m->tlb, page)) return UTLB_MISS;
    m->tlb_misses++;
    return UTLB_MISS + TLB_MISS + PAGE_WALK;
}

uint64_t vitrine_a53_read(struct vitrine_a53 *m, uint64_t pa) {
    /* libunicorn 2.1.4's memory hooks report the physical address (docs/unicorn-notes.md): the
     * D side is physically tagged, as the A53's PIPT L1 D is, and needs no address-space tag
     * (the kernel's data is the same lines whichever process entered it). */
    uint64_t t = pa;
    uint64_t before[D_COUNTS] = { m->reads, m->l1d_misses, m->l2_misses, m->utlb_misses, m->tlb_misses };
    m->reads++;
    if (t >> 6 == m->last_dline) { /* most recent page and line: hits that move nothing */
        m->win_reads += (uint64_t) m->measuring;
        m->current->acc_count[0] += (uint32_t) m->measuring;
        return 0;
    }
    m->last_dline = t >> 6;
    /* Another line of the most recent page: the micro-TLB would hit its MRU entry (only reads
     * use it), which changes nothing; pointer chases and streams go to the caches directly. */
    uint64_t extra = 0;
    if (t >> 12 != m->last_dpage) {
        extra = translate(m, &m->dtlb, t >> 12);
        m->last_dpage = t >> 12;
    }
    if (!lru_access(&m->l1d, t >> 6)) {
        m->l1d_misses++;
        extra += beyond_l1(m, t >> 6);
    }
    /* A window's warming part: a block measured before is charged its estimate instead (the
     * caches start the window cold, which would charge misses a continuous model would not
     * have); one never measured is charged what its reads cost (cold, but closer than a guess). */
    if (!m->measuring) return m->current->est_epoch ? 0 : extra;
    m->current->acc_sum += extra;
    uint64_t after[D_COUNTS] = { m->reads, m->l1d_misses, m->l2_misses, m->utlb_misses, m->tlb_misses };
    for (int i = 0; i < D_COUNTS; i++) m->current->acc_count[i] += (uint32_t) (after[i] - before[i]);
    m->win_extra += extra;
    m->win_reads++;
    return extra;
}

static struct block_cost *lookup(struct vitrine_a53 *m, void *uc, uint64_t address, uint64_t key, uint32_t size) {
    /* Two ways per set (the slot and its neighbour): a few hundred blocks in 65,536 slots still
     * collide (pingpong had two pairs evicting each other every round trip, each time a "new"
     * block to the sampling schedule). A miss replaces the way run less recently. */
    uint64_t h = (key ^ ((uint64_t) size << 40)) * 0x9E3779B97F4A7C15ull;
    uint32_t i = (uint32_t) (h >> (64 - TABLE_BITS));
    struct block_cost *e = &m->table[i], *other = &m->table[i ^ 1];
    if (e->key == key && e->size == size && e->generation == m->generation) return e;
    if (other->key == key && other->size == size && other->generation == m->generation) return other;
    if (e->generation == m->generation && (other->generation != m->generation || other->last_period < e->last_period)) e = other;
    static __thread uint32_t words[MAX_BLOCK_BYTES / 4];
    uint32_t bytes = size > MAX_BLOCK_BYTES ? MAX_BLOCK_BYTES : size, n = bytes / 4;
    e->key = key;
    e->size = size;
    e->generation = m->generation;
    e->branch = BR_NONE;
    e->target = 0;
    e->successor = NULL;
    e->loads = 0;
    e->est = e->est_epoch = e->stale_runs = e->stale_epoch = e->window = e->acc_n = e->last_period = 0;
    e->acc_sum = 0;
    e->flush_id = m->flush_id; /* translated for the first time: no cost of the windows' */
    memset(e->est_count, 0, sizeof e->est_count);
    memset(e->acc_count, 0, sizeof e->acc_count); /* unused until a window resets it, but a snapshot saves it */
    if (n == 0 || m->vmem_read(uc, address, UC_PROT_EXEC, words, bytes) != 0) {
        e->cost = size / 4 ? size / 4 : 1; /* unreadable: one cycle per instruction */
        return e;
    }
    m->decoded++;
    struct insn last;
    uint32_t w = words[n - 1];
    decode(w, &last);
    e->branch = last.branch;
    uint64_t pc = address + 4ull * (n - 1);
    if ((w & 0x7C000000) == 0x14000000) e->target = pc + ((int64_t) ((uint64_t) (w & 0x03FFFFFF) << 38) >> 36);
    else if ((w & 0xFF000010) == 0x54000000 || (w & 0x7E000000) == 0x34000000) {
        e->target = pc + ((int64_t) ((uint64_t) ((w >> 5) & 0x7FFFF) << 45) >> 43);
    } else if ((w & 0x7E000000) == 0x36000000) {
        e->target = pc + ((int64_t) ((uint64_t) ((w >> 5) & 0x3FFF) << 50) >> 48);
    }
    struct insn d;
    for (uint32_t i = 0; i < n; i++) {
        decode(words[i], &d);
        e->loads = (uint16_t) (e->loads + d.reads);
    }
    int loop = (e->branch == BR_COND || e->branch == BR_DIRECT) && e->target == address;
    e->cost = block_static_cost(words, n, loop) + (size - bytes) / 4;
    return e;
}

/* The previous block's branch, resolved now that the next block is known: mispredict cycles. */
static inline uint64_t resolve(struct vitrine_a53 *m, const struct block_cost *b, uint64_t pc, uint64_t next) {
    if (b->branch == BR_COND) { /* the usual case first: no jump table on the way */
        int taken = next == b->target && b->target != pc + b->size; /* a branch to the next block is not taken */
        /* gshare, the history in the upper bits: branches a few instructions apart never share a counter */
        uint32_t i = (uint32_t) (((pc >> 2) ^ (m->history << 3)) & 2047);
        int predicted = m->counters[i] >= 2;
        if (taken && m->counters[i] < 3) m->counters[i]++;
        if (!taken && m->counters[i] > 0) m->counters[i]--;
        m->history = ((m->history << 1) | (uint32_t) taken) & 255;
        if (predicted != taken) { m->mispredicts++; return MISPREDICT; }
        return 0;
    }
    switch (b->branch) {
    case BR_CALL:
        m->returns[m->return_top++ & 7] = pc + b->size;
        return 0;
    case BR_INDIRECT_CALL:
        m->returns[m->return_top++ & 7] = pc + b->size;
        /* fall through */
    case BR_INDIRECT: {
        uint64_t *t = &m->targets[(pc >> 2) & 255];
        int hit = *t == next;
        *t = next;
        if (!hit) { m->mispredicts++; return MISPREDICT; }
        return 0;
    }
    case BR_RETURN: {
        uint64_t predicted = m->returns[--m->return_top & 7];
        if (predicted != next) { m->mispredicts++; return MISPREDICT; }
        return 0;
    }
    default:
        return 0;
    }
}

/* The window budget now: what it was at tokens_at plus the instructions since, at most TOKENS_MAX
 * (kept lazily: the block path only counts instructions). */
static int64_t tokens(struct vitrine_a53 *m) {
    uint64_t since = m->insns - m->tokens_at;
    int64_t t = since >= TOKENS_MAX || m->tokens + (int64_t) since > TOKENS_MAX ? TOKENS_MAX : m->tokens + (int64_t) since;
    t -= (int64_t) m->retranslated * RETRANSLATION_COST; /* the windows' flushes, paid as their cost shows */
    m->retranslated = 0;
    m->tokens = t;
    m->tokens_at = m->insns;
    return t;
}

/* A window's end: each block measured gets its average, the hook goes, and a run stop is asked
 * for so that Java drops the translations made with it (vitrine_a53_apply). */
static void end_window(struct vitrine_a53 *m) {
    for (uint32_t i = 0; i < m->touched_count; i++) {
        struct block_cost *e = m->touched[i];
        if (e->window != m->window_id) continue; /* reused by another block since, or listed twice */
        if (e->acc_n) {
            uint64_t per = e->acc_sum * 256 / e->acc_n;
            e->est = per > UINT32_MAX ? UINT32_MAX : (uint32_t) per;
            for (int c = 0; c < D_COUNTS; c++) {
                uint64_t k = (uint64_t) e->acc_count[c] * 256 / e->acc_n;
                e->est_count[c] = k > UINT32_MAX ? UINT32_MAX : (uint32_t) k;
            }
            e->est_epoch = m->epoch;
            e->stale_runs = 0;
        }
        e->window = 0;
    }
    if (m->win_reads >= 256) {
        uint64_t per = m->win_extra * 256 / m->win_reads;
        m->per_read = per > UINT32_MAX / 64 ? UINT32_MAX / 64 : (uint32_t) per;
    }
    m->hook_del(m->uc, m->hook); /* stops calling at once; libunicorn drops it as the run ends */
    m->hook = 0;
    m->detailed = m->measuring = 0;
    m->want = WANT_FLUSH;
    m->clock->stop = 1;
    m->tokens = tokens(m) - WINDOW_COST;
}

/* Outside windows: the D-side counts a block's execution adds, as measured (one read per load
 * and no misses for a block never measured). */
static inline void estimate_counts(struct vitrine_a53 *m, const struct block_cost *e) {
    uint64_t *count[D_COUNTS] = { &m->reads, &m->l1d_misses, &m->l2_misses, &m->utlb_misses, &m->tlb_misses };
    if (!e->est_epoch) {
        m->reads += e->loads;
        return;
    }
    for (int i = 0; i < D_COUNTS; i++) {
        m->count_frac[i] += e->est_count[i];
        *count[i] += m->count_frac[i] >> 8;
        m->count_frac[i] &= 255;
    }
}

/* The sampling part of a block's execution: its estimated D-side cycles outside windows (0 in a
 * window, where its reads are charged as they happen), and the schedule's decisions. */
static inline uint64_t sample(struct vitrine_a53 *m, struct block_cost *e, uint32_t insns) {
    uint32_t period = (uint32_t) (m->insns >> PERIOD_SHIFT) + 1;
    if (e->last_period != period) {
        if (e->last_period + 2 <= period) m->epoch++; /* idle code runs again: the estimates may be stale */
        e->last_period = period;
    }
    m->insns += insns;
    m->retranslated += e->flush_id != m->flush_id;
    e->flush_id = m->flush_id;
    if (m->detailed) {
        m->detailed_insns += insns;
        if (e->window != m->window_id) {
            e->window = m->window_id;
            e->acc_n = 0;
            e->acc_sum = 0;
            memset(e->acc_count, 0, sizeof e->acc_count);
            m->window_blocks++;
            if (m->touched_count < TOUCHED) m->touched[m->touched_count++] = e;
        }
        m->measuring = m->insns > m->measure_from;
        e->acc_n += (uint32_t) m->measuring;
        if (m->insns >= m->window_end) end_window(m); /* this block's reads no longer reach the model */
        else if (m->measuring || !e->est_epoch) return 0; /* its reads are charged as they happen */
    }
    if (!e->loads) return 0;
    if (!m->detailed) estimate_counts(m, e);
    m->frac += e->est_epoch ? e->est : e->loads * m->per_read;
    uint64_t extra = m->frac >> 8;
    m->frac &= 255;
    if (!m->detailed && e->est_epoch != m->epoch && m->want == WANT_NONE && m->clock && tokens(m) >= 0) {
        if (e->stale_epoch != m->epoch) { /* hot in this phase: executions of earlier ones do not count */
            e->stale_epoch = m->epoch;
            e->stale_runs = 0;
        }
        e->stale_runs += e->loads;
        if (e->stale_runs < HOT_LOADS) return extra;
        m->want = WANT_DETAILED;
        m->clock->stop = 1; /* before the next block; Java installs the hook (vitrine_a53_apply) */
    }
    return extra;
}

uint64_t vitrine_a53_block(struct vitrine_a53 *m, void *uc, uint64_t address, uint32_t size) {
    m->uc = uc;
    struct block_cost *p = m->previous, *e = NULL;
    uint64_t cycles = 0, t = tagged(m, address);
    if (p) {
        /* The previous block's entry is resolved before this block's lookup can reuse its slot. */
        if (p->branch != BR_NONE) cycles = resolve(m, p, m->previous_address, address);
        e = p->successor;
    }
    if (!e || e->key != t || e->size != size || e->generation != m->generation) {
        e = lookup(m, uc, address, t, size);
        if (p) p->successor = e;
    }
    m->current = e;
    cycles += e->cost + sample(m, e, size >> 2);
    uint64_t first = t >> 6, last = (t + (size ? size - 1 : 0)) >> 6;
    m->ifetches += last - first + 1;
    if (first != m->last_iline || last != first) {
        /* The fetch of a new line: a block entirely in the last line fetched would only hit the
         * most recent entries of the micro-TLB and L1 I again, which changes nothing. */
        cycles += translate(m, &m->itlb, t >> 12);
        for (uint64_t line = first; line <= last; line++) {
            if (!lru_access(&m->l1i, line)) {
                m->l1i_misses++;
                cycles += beyond_l1(m, line);
            }
        }
        m->last_iline = last;
    }
    m->previous = e;
    m->previous_address = address;
    return cycles;
}
