/*
 * IC IVAU on RAM done natively: the SYS hook's front (org.vitrine.emulator.cpu.NativeCodeInvalidation
 * owns the state block and mirrors its layout).
 *
 *   vitrine_sys_ic_hook(uc, reg, cp, ic)   UC_HOOK_INSN (SYS): an IC IVAU whose address translates
 *                                          (current regime, as a read) to RAM drops that line's
 *                                          translated blocks here; everything else goes on to the
 *                                          system-instruction filter (vitrine_sys_hook) and Java
 *
 * Why: Linux patches its own code through a non-executable alias and runs IC IVAU on every line
 * (about 66,000 times per boot); each one was an upcall into Java (a page-table walk there, then
 * libunicorn's qemu_ram_addr_from_host and tb_invalidate_phys_range). This is the same work as
 * SystemInstructions.onSys and Unicorn.invalidateCode, with libunicorn's own translation
 * (uc_vmem_translate) in place of Vitrine's walker; whatever it cannot do (a translation fault,
 * an address outside RAM) still reaches Java, which decides as before.
 */
#include "vitrine_clock.h"

#define UC_PROT_READ 1
#define CACHE_LINE 64                   /* CTR_EL0.IminLine of the modelled CPUs */

struct vitrine_cp_reg;                  /* uc_arm64_cp_reg, vitrine_hooks.c */
int vitrine_sys_hook(void *uc, int reg, const struct vitrine_cp_reg *cp, void *user_data);

struct vitrine_cp_key {                 /* the leading fields of uc_arm64_cp_reg */
    uint32_t crn, crm, op0, op1, op2;
    uint64_t val;
};

struct vitrine_ic {
    void *filter;                                                              /*  0: vitrine_sys_hook's state */
    int (*vmem_translate)(void *uc, uint64_t va, int prot, uint64_t *pa);      /*  8: uc_vmem_translate */
    uint64_t (*ram_addr_from_host)(void *uc, void *host);                      /* 16: qemu_ram_addr_from_host */
    void (*invalidate)(void *uc, uint64_t start, uint64_t end);                /* 24: tb_invalidate_phys_range */
    uint8_t *ram_host;                                                         /* 32 */
    uint64_t ram_base, ram_size;                                               /* 40, 48 */
    uint32_t key_ic_ivau;                                                      /* 56: SysReg.IC_IVAU.key() */
    volatile uint32_t enabled;                                                 /* 60 */
    volatile uint64_t done;                                                    /* 64: lines dropped here */
};

/* 1 when the line of `va` was RAM and its translations are dropped. */
static int invalidate_line(void *uc, struct vitrine_ic *ic, uint64_t va) {
    uint64_t pa;
    if (ic->vmem_translate(uc, va, UC_PROT_READ, &pa) != 0) return 0;
    uint64_t line = pa & ~(uint64_t) (CACHE_LINE - 1);
    if (line < ic->ram_base || line - ic->ram_base > ic->ram_size - CACHE_LINE) return 0;
    uint64_t ram_addr = ic->ram_addr_from_host(uc, ic->ram_host + (line - ic->ram_base));
    if (ram_addr == (uint64_t) -1) return 0;
    ic->invalidate(uc, ram_addr, ram_addr + CACHE_LINE);
    ic->done++;
    return 1;
}

int vitrine_sys_ic_hook(void *uc, int reg, const struct vitrine_cp_reg *cp, void *user_data) {
    struct vitrine_ic *ic = (struct vitrine_ic *) user_data;
    const struct vitrine_cp_key *k = (const struct vitrine_cp_key *) cp;
    uint32_t key = (k->op0 << 16) | (k->op1 << 12) | (k->crn << 8) | (k->crm << 4) | k->op2;
    /* 0: the instruction itself is harmless to execute (as SystemInstructions.onSys answers) */
    if (ic->enabled && key == ic->key_ic_ivau && invalidate_line(uc, ic, k->val)) return 0;
    return vitrine_sys_hook(uc, reg, cp, ic->filter);
}

_Static_assert(offsetof(struct vitrine_ic, ram_host) == 32, "layout mirrored in NativeCodeInvalidation");
_Static_assert(offsetof(struct vitrine_ic, key_ic_ivau) == 56, "layout mirrored in NativeCodeInvalidation");
_Static_assert(offsetof(struct vitrine_ic, done) == 64, "layout mirrored in NativeCodeInvalidation");
_Static_assert(sizeof(struct vitrine_ic) == 72, "layout mirrored in NativeCodeInvalidation");
