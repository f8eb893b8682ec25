/*
 * Native entry of SVC exceptions: Vitrine's interrupt hook, in front of the Java one
 * (org.vitrine.emulator.cpu.NativeSvcEntry owns the state block and mirrors its layout).
 *
 *   vitrine_intr_hook(uc, intno, entry)   UC_HOOK_INTR: an SVC is entered here when `enabled`;
 *                                         every other exception (and an SVC it cannot read) goes
 *                                         to entry->java, the Java hook (Cpu.onException)
 *
 * Why: libunicorn reports exceptions to the hook but does not enter them, so Vitrine does
 * (ExceptionEntry). From Java that cost an upcall plus a save of the whole CPU context (~10 KB
 * copied, only to read QEMU's syndrome) per system call: system calls ran at about half QEMU's
 * rate. An SVC's syndrome is fixed by its encoding (QEMU's syn_aa64_svc: EC 0x15, IL, imm16), so
 * this reads the instruction instead, then writes the same registers in the same order as
 * ExceptionEntry.take, through the same uc_reg_read_batch / uc_reg_write_batch calls.
 * Java turns it off while anything watches exceptions (the trace, a profiler) or the a53 model
 * runs, and then every exception goes to Java as before.
 */
#include "vitrine_clock.h"

#define EXCP_SWI 2                       /* QEMU's EXCP_* number of SVC */
#define UC_PROT_EXEC 4
#define SVC_MASK 0xffe0001fu            /* SVC #imm16: 1101 0100 000 imm16 000 01 */
#define SVC_BITS 0xd4000001u
#define EC_SVC64 0x15u
#define IL (1u << 25)
#define VECTOR_FROM_CURRENT_EL_SP0 0x000
#define VECTOR_FROM_CURRENT_EL_SPX 0x200
#define VECTOR_FROM_LOWER_EL_AARCH64 0x400

struct vitrine_cp_value {               /* uc_arm64_cp_reg */
    uint32_t crn, crm, op0, op1, op2;
    uint64_t val;
};

struct vitrine_svc_entry {
    void (*java)(void *uc, uint32_t intno, void *user_data);                  /*  0 */
    struct vitrine_clock *clock;                                              /*  8 */
    int (*reg_read)(void *uc, int id, void *value);                           /* 16: uc_reg_read */
    int (*read_batch)(void *uc, const int *ids, void **values, int count);    /* 24: uc_reg_read_batch */
    int (*write_batch)(void *uc, const int *ids, void *const *values, int count); /* 32: uc_reg_write_batch */
    int (*vmem_read)(void *uc, uint64_t address, int prot, void *bytes, size_t size); /* 40: uc_vmem_read */
    volatile uint32_t enabled;                                                /* 48 */
    int32_t id_pc, id_pstate, id_sp, id_sp_el0, id_sp_el1, id_vbar, id_elr, id_esr, id_cp_reg; /* 52..84 */
    uint32_t spsr_crn, spsr_crm, spsr_op0, spsr_op1, spsr_op2;               /* 88..104: SPSR_EL1's encoding */
    uint32_t pad;                                                             /* 108 */
    uint64_t pstate_at_entry;                                                 /* 112: EL1h, DAIF masked */
    volatile uint64_t taken;                                                  /* 120: SVCs entered here */
};

/* The clock's rule when an exception ends a block early (Cpu.truncateBlock): the instructions
 * from `resume` to the block's end did not run. An SVC is its block's last instruction, so this
 * only forgets the block. */
static void truncate_block(struct vitrine_clock *c, uint64_t resume) {
    uint32_t size = c->block_size;
    if (size == 0) return;
    uint64_t address = c->block_address, end = address + size;
    if (resume >= address && resume < end) {
        uint64_t insns = size >> 2, done = (resume - address) >> 2;
        c->committed = c->block_start + c->block_extra + c->block_cycles * done / insns;
        c->retired -= (end - resume) >> 2;
    }
    c->block_size = 0;
}

/* Enters the SVC that ended at `pc` (its return address): 1 when done, 0 to leave it to Java. */
static int enter_svc(void *uc, struct vitrine_svc_entry *e, uint64_t pc) {
    uint32_t insn;
    if (e->vmem_read(uc, pc - 4, UC_PROT_EXEC, &insn, 4) != 0 || (insn & SVC_MASK) != SVC_BITS) return 0;
    uint64_t esr = (EC_SVC64 << 26) | IL | ((insn >> 5) & 0xffff);

    uint64_t pstate = 0, sp = 0, sp_el1 = 0, vbar = 0;
    int read_ids[4] = { e->id_pstate, e->id_sp, e->id_sp_el1, e->id_vbar };
    void *read_values[4] = { &pstate, &sp, &sp_el1, &vbar };
    if (e->read_batch(uc, read_ids, read_values, 4) != 0) return 0;

    /* The same rule and order as ExceptionEntry.take: bank SP, ELR/ESR, PSTATE, then SPSR through
     * CP_REG (rebuilds the cached EL/MMU flags), SP = SP_EL1, PC = the vector. */
    uint32_t from_el = (pstate >> 2) & 3;
    int spx = pstate & 1;
    int bank_to_sp_el0 = from_el == 0 || !spx;
    uint64_t block = from_el == 0 ? VECTOR_FROM_LOWER_EL_AARCH64 : spx ? VECTOR_FROM_CURRENT_EL_SPX : VECTOR_FROM_CURRENT_EL_SP0;
    uint64_t target = vbar + block;
    uint64_t elr = pc, new_pstate = e->pstate_at_entry, new_sp = bank_to_sp_el0 ? sp_el1 : sp;
    struct vitrine_cp_value spsr = { e->spsr_crn, e->spsr_crm, e->spsr_op0, e->spsr_op1, e->spsr_op2, pstate };
    int write_ids[7] = { bank_to_sp_el0 ? e->id_sp_el0 : e->id_sp_el1, e->id_elr, e->id_esr, e->id_pstate, e->id_cp_reg,
                         e->id_sp, e->id_pc };
    void *const write_values[7] = { &sp, &elr, &esr, &new_pstate, &spsr, &new_sp, &target };
    if (e->write_batch(uc, write_ids, write_values, 7) != 0) return 0;
    e->taken++;
    return 1;
}

void vitrine_intr_hook(void *uc, uint32_t intno, void *user_data) {
    struct vitrine_svc_entry *e = (struct vitrine_svc_entry *) user_data;
    if (intno == EXCP_SWI && e->enabled) {
        uint64_t pc = 0;
        if (e->reg_read(uc, e->id_pc, &pc) == 0 && enter_svc(uc, e, pc)) {
            truncate_block(e->clock, pc);
            return;
        }
    }
    e->java(uc, intno, 0);
}

_Static_assert(offsetof(struct vitrine_svc_entry, enabled) == 48, "layout mirrored in NativeSvcEntry");
_Static_assert(offsetof(struct vitrine_svc_entry, spsr_crn) == 88, "layout mirrored in NativeSvcEntry");
_Static_assert(offsetof(struct vitrine_svc_entry, pstate_at_entry) == 112, "layout mirrored in NativeSvcEntry");
_Static_assert(sizeof(struct vitrine_svc_entry) == 128, "layout mirrored in NativeSvcEntry");
_Static_assert(offsetof(struct vitrine_cp_value, val) == 24, "uc_arm64_cp_reg");
