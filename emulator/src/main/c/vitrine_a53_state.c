/*
 * The a53 timing model's whole state as bytes, for machine snapshots (Java: NativeA53Model, in the
 * CPU's snapshot section), so that a restored machine goes on with the caches, TLBs, predictor,
 * block costs and sampling schedule it had, and counts exactly the cycles of a run that never
 * stopped.
 *
 * Interface:
 *   vitrine_a53_save(m, buf, cap)           writes the state if it fits in cap bytes; returns its size
 *   vitrine_a53_check(buf, len)             NULL when buf is a state this build reads, else why not
 *   vitrine_a53_restore(m, uc, buf, len)    installs a checked state (and the read hook of a window)
 *   vitrine_a53_in_window(m)                1 inside a detailed window
 *
 * Layout (host byte order, every field at its own width, no padding): a version and the table's
 * size, the scalar fields and fixed arrays in the order of fields() below, then the block table
 * sparsely: the number of entries kept, and each one's slot and fields, slots ascending. Pointers
 * into the table are saved as slot + 1 (0: NULL). The engine, the libunicorn functions, the block
 * clock and the hook handle belong to the machine, not to the state, and are not saved.
 *
 * Kept entries: those of the current code generation, and the ones the model points to (the
 * previous and current blocks, a window's touched blocks). An entry of an older generation is
 * never matched again (every comparison requires the current generation, and a free slot looks
 * the same to the replacement rule), so dropping it changes no cycle; the table is 8.5 MB dense
 * and a debugger keeps many snapshots. One state always gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "vitrine_a53_model.h"

#define STATE_VERSION 1
#define SLOTS (1u << TABLE_BITS)

/* One walk over the fields, writing them (out) or reading them (in). */
struct codec {
    uint8_t *out;           /* saving: where to write (NULL: only measure) */
    const uint8_t *in;      /* loading: what to read */
    size_t at, len;
    const char *error;      /* loading: the first problem found */
};

static void field(struct codec *c, void *v, size_t n) {
    if (c->in) {
        if (c->at + n > c->len) {
            if (!c->error) c->error = "a53 model state is truncated";
            memset(v, 0, n);
        } else {
            memcpy(v, c->in + c->at, n);
        }
    } else if (c->out && c->at + n <= c->len) {
        memcpy(c->out + c->at, v, n);
    }
    c->at += n;
}

#define F(c, x) field(c, &(x), sizeof(x))

static void bad(struct codec *c, const char *why) {
    if (!c->error) c->error = why;
}

/* A pointer into the table as slot + 1 (0: NULL). */
static void pointer(struct codec *c, struct vitrine_a53 *m, struct block_cost **p) {
    uint32_t i = *p ? (uint32_t) (*p - m->table) + 1 : 0;
    F(c, i);
    if (!c->in) return;
    if (i > SLOTS) {
        bad(c, "a53 model state points outside its block table");
        i = 0;
    }
    *p = i ? &m->table[i - 1] : NULL;
}

static void entry_fields(struct codec *c, struct vitrine_a53 *m, struct block_cost *e) {
    F(c, e->key); F(c, e->target); F(c, e->size); F(c, e->generation); F(c, e->cost);
    F(c, e->branch); F(c, e->loads);
    F(c, e->est); F(c, e->est_epoch); F(c, e->stale_runs); F(c, e->stale_epoch); F(c, e->window);
    F(c, e->acc_n); F(c, e->last_period); F(c, e->flush_id); F(c, e->acc_sum);
    F(c, e->est_count); F(c, e->acc_count);
    pointer(c, m, &e->successor);
    if (c->in && e->branch > BR_OTHER) bad(c, "a53 model state has a block with an unknown branch kind");
}

/* Everything but the table's entries, in the saved order. */
static void fields(struct codec *c, struct vitrine_a53 *m) {
    F(c, m->context); F(c, m->generation);
    F(c, m->counters); F(c, m->history); F(c, m->targets); F(c, m->returns); F(c, m->return_top);
    pointer(c, m, &m->previous);
    F(c, m->previous_address); F(c, m->last_iline); F(c, m->last_dline); F(c, m->last_dpage);
    F(c, m->l1i_tags); F(c, m->l1d_tags); F(c, m->l2_tags); F(c, m->itlb_tags); F(c, m->dtlb_tags); F(c, m->tlb_tags);
    F(c, m->decoded); F(c, m->mispredicts); F(c, m->l1d_misses); F(c, m->l2_misses); F(c, m->tlb_misses); F(c, m->reads);
    F(c, m->ifetches); F(c, m->l1i_misses); F(c, m->utlb_misses); F(c, m->windows); F(c, m->detailed_insns);
    pointer(c, m, &m->current);
    F(c, m->detailed); F(c, m->measuring); F(c, m->want);
    F(c, m->insns); F(c, m->window_end); F(c, m->measure_from); F(c, m->tokens); F(c, m->tokens_at);
    F(c, m->flush_id); F(c, m->retranslated); F(c, m->window_id); F(c, m->epoch); F(c, m->window_blocks);
    F(c, m->touched_count); F(c, m->frac); F(c, m->per_read); F(c, m->count_frac); F(c, m->win_extra); F(c, m->win_reads);
    if (c->in && m->touched_count > TOUCHED) {
        bad(c, "a53 model state lists more blocks measured in a window than the model keeps");
        m->touched_count = 0;
    }
    for (uint32_t i = 0; i < m->touched_count; i++) pointer(c, m, &m->touched[i]);
    if (!c->in) return;
    if ((uint32_t) m->detailed > 1 || (uint32_t) m->measuring > (uint32_t) m->detailed) bad(c, "a53 model state has an impossible window mode");
    if ((uint32_t) m->want > WANT_FLUSH) bad(c, "a53 model state asks for an unknown mode change");
}

static int kept(const struct vitrine_a53 *m, const uint8_t *referenced, uint32_t i) {
    return m->table[i].generation == m->generation || (referenced[i >> 3] >> (i & 7) & 1);
}

static void mark(const struct vitrine_a53 *m, uint8_t *referenced, const struct block_cost *e) {
    if (!e) return;
    uint32_t i = (uint32_t) (e - m->table);
    referenced[i >> 3] |= (uint8_t) (1 << (i & 7));
}

size_t vitrine_a53_save(const struct vitrine_a53 *m, uint8_t *buf, size_t cap) {
    struct vitrine_a53 *w = (struct vitrine_a53 *) m; /* the codec's walk is shared with loading: it writes nothing here */
    struct codec c = { .out = buf, .len = cap };
    uint32_t version = STATE_VERSION, slots = SLOTS, count = 0;
    F(&c, version); F(&c, slots);
    fields(&c, w);
    uint8_t referenced[SLOTS / 8] = { 0 };
    mark(m, referenced, m->previous);
    mark(m, referenced, m->current);
    for (uint32_t i = 0; i < m->touched_count; i++) mark(m, referenced, m->touched[i]);
    for (uint32_t i = 0; i < SLOTS; i++) count += (uint32_t) kept(m, referenced, i);
    F(&c, count);
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (!kept(m, referenced, i)) continue;
        F(&c, i);
        entry_fields(&c, w, &w->table[i]);
    }
    return c.at;
}

/*
 * Reads a state into m (whose table is empty); NULL, or what is wrong with it. `check_only`: the
 * table's entries are decoded into one scratch entry instead of m's table (a check then touches
 * no more fresh memory than the fixed fields').
 */
static const char *load(struct vitrine_a53 *m, const uint8_t *buf, size_t len, int check_only) {
    struct codec c = { .in = buf, .len = len };
    uint32_t version = 0, slots = 0, count = 0;
    F(&c, version); F(&c, slots);
    if (c.error) return c.error;
    if (version != STATE_VERSION) return "a53 model state has an unknown layout version (made by another Vitrine?)";
    if (slots != SLOTS) return "a53 model state has a block table of another size (made by another Vitrine?)";
    fields(&c, m);
    F(&c, count);
    if (count > SLOTS) bad(&c, "a53 model state has more blocks than its table holds");
    uint8_t present[SLOTS / 8] = { 0 };
    int64_t last = -1;
    for (uint32_t n = 0; n < count && !c.error; n++) {
        uint32_t i = 0;
        F(&c, i);
        if (c.error) break;
        if (i >= SLOTS || (int64_t) i <= last) return "a53 model state's block slots are out of range or out of order";
        last = i;
        present[i >> 3] |= (uint8_t) (1 << (i & 7));
        struct block_cost scratch;
        entry_fields(&c, m, check_only ? &scratch : &m->table[i]);
    }
    if (c.error) return c.error;
    if (c.at != len) return "a53 model state has bytes past its end";
    struct block_cost *refs[2] = { m->previous, m->current };
    for (uint32_t k = 0; k < 2 + m->touched_count; k++) {
        struct block_cost *e = k < 2 ? refs[k] : m->touched[k - 2];
        uint32_t i = e ? (uint32_t) (e - m->table) : 0;
        if (e && !(present[i >> 3] >> (i & 7) & 1)) return "a53 model state points to a block it does not hold";
    }
    return NULL;
}

const char *vitrine_a53_check(const uint8_t *buf, size_t len) {
    struct vitrine_a53 *scratch = calloc(1, sizeof *scratch); /* its table is never touched (check_only) */
    if (!scratch) return "no memory to check the a53 model state";
    const char *why = load(scratch, buf, len, 1);
    free(scratch);
    return why;
}

/*
 * Replaces m's state with a checked one: between runs, after the CPU's translations were dropped.
 * The read hook is installed when the state is inside a detailed window (every translation made
 * from now on has it, as all of them had in the window), and removed otherwise; a mode change
 * the state still asks for happens at the next vitrine_a53_apply, as it would have.
 */
const char *vitrine_a53_restore(struct vitrine_a53 *m, void *uc, const uint8_t *buf, size_t len) {
    if (m->hook && m->uc) m->hook_del(m->uc, m->hook);
    m->hook = 0;
    m->uc = uc;
    memset(m->table, 0, sizeof m->table);
    const char *why = load(m, buf, len, 0);
    if (why) return why; /* checked before: not reached */
    if (m->detailed) {
        size_t hh = 0;
        if (m->hook_add(uc, &hh, UC_HOOK_MEM_READ, (void *) vitrine_read_hook, m->clock, 1, 0) != 0) {
            m->detailed = m->measuring = 0;
            return "the a53 model could not install its data-read hook";
        }
        m->hook = hh;
    }
    return NULL;
}

/* 1 inside a detailed window (the read hook is on): for tests that save at both kinds of instant. */
int vitrine_a53_in_window(const struct vitrine_a53 *m) {
    return m->detailed;
}
