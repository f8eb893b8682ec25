//! The IOMMU in front of the virtio devices, if the board has one: Arm SMMUv3 (stage 1), Intel
//! VT-d (legacy mode, second-level tables) or AMD-Vi, found in the device tree by compatible
//! string (`arm,smmu-v3`, `vitrine,vtd`, `vitrine,amd-vi`, the first `reg`), and which virtio
//! slot has which stream / source / device ID from each transport's `iommus = <&iommu id>`
//! (there is one IOMMU, so the phandle is not compared). On QEMU's `virt,iommu=smmuv3` the SMMU
//! translates only PCI, so no transport names it and every device keeps physical addresses.
//!
//! All three queue 16-byte commands in a one-page ring of 256 and say "done" the same way after a
//! final command: SMMUv3 CMD_SYNC, polled by CONS reaching PROD (CONS.ERR says a command was
//! refused); VT-d a wait descriptor whose status write (SW) stores a sequence number; AMD-Vi
//! COMPLETION_WAIT with its store. `run` appends that command, rings the doorbell and polls,
//! with a timeout and a logged error, never a hang. No event queue or fault log is set up: the
//! models log faults as guest errors. Per-device translation tables are in `domain.rs`.
//!
//! `rost.iommu.selftest` runs the SMMUv3 command-queue self-test at boot (compared line by line
//! with QEMU, tests/IommuSelfTestReferenceTest): a sync, a refused command and its recovery,
//! and the wrap of the queue indices.

pub mod domain;

use crate::arch::{Global, dsb, mmio_read, sysreg_read, sysreg_write};
use crate::mm;
use crate::uart::kprintln;

#[derive(Clone, Copy, PartialEq)]
pub enum Kind { Smmu, Vtd, AmdVi }

pub struct Hw {
    pub kind: Kind,
    base: usize,
    /// The command ring: 256 commands of two words.
    queue: *mut [u64; 2],
    /// SMMUv3 stream table, VT-d root table (its context table follows), AMD-Vi device table.
    table: u64,
    /// Where VT-d's wait status and AMD-Vi's completion store land.
    done: *mut u64,
    /// Commands queued since reset (the ring index and, for SMMUv3, the wrap bit).
    sent: u32,
    /// tlb_sync() calls and the PMU cycles spent in them.
    stats: (u64, u64),
}

static HW: Global<Option<Hw>> = Global::new(None);
/// The IOMMU ID of each virtio slot behind the IOMMU.
static IDS: Global<[Option<u32>; 32]> = Global::new([None; 32]);
/// `rost.iommu.nosync`: unmaps are not followed by tlb_sync() (for the stale-IOTLB detector).
pub static NOSYNC: Global<bool> = Global::new(false);
const TIMEOUT_MS: u64 = 100;

/// Finds the IOMMU in the device tree `dtb` and turns it on (every device untranslated until it
/// gets a domain); `args` are the bootargs' words.
pub fn init(dtb: &[u8], args: &[&[u8]]) {
    *NOSYNC.get() = args.contains(&&b"rost.iommu.nosync"[..]);
    let mut found = None;
    fdt::nodes(dtb, |n| -> Option<()> {
        let reg = u64::from_be_bytes(n.prop(b"reg")?.get(..8)?.try_into().ok()?);
        if let Some(id) = n.prop(b"iommus").and_then(|v| v.get(4..8)?.try_into().ok()) {
            IDS.get().get_mut(reg.wrapping_sub(0x0a00_0000) as usize / 0x200).map(|s| *s = Some(u32::from_be_bytes(id)));
        }
        let kinds = [(&b"arm,smmu-v3"[..], Kind::Smmu), (b"vitrine,vtd", Kind::Vtd), (b"vitrine,amd-vi", Kind::AmdVi)];
        let compatible = n.prop(b"compatible")?.split(|&b| b == 0).next()?;
        found = found.or(kinds.into_iter().find(|k| k.0 == compatible).map(|k| (k.1, reg)));
        None // every node: the transports may come after the IOMMU
    });
    let Some((kind, base)) = found else { return };
    let (queue, table) = (mm::alloc_pages(1), mm::alloc_pages(2) as u64);
    let mut hw = Hw { kind, base: base as usize, queue: queue.cast(), table, done: mm::alloc_pages(1).cast(), sent: 0, stats: (0, 0) };
    let queue = queue as u64;
    match kind {
        Kind::Smmu => {
            (hw.w(0x80, table), hw.w(0x88, 5u32)); // STRTAB_BASE, _CFG: linear, 32 STEs
            hw.w(0x90, queue | 8); // CMDQ_BASE, 2^8 entries (PROD and CONS are 0)
            hw.enable(0x20, 1 << 3, 0x24); // CR0.CMDQEN
            (hw.push(0x04, 31), hw.push(0x30, 0), hw.run()); // CFGI_ALL, TLBI_NSNH_ALL
            hw.enable(0x20, 1 << 3 | 1, 0x24); // + SMMUEN
        }
        Kind::Vtd => {
            mm::next_table(table)[0] = table + 4096 | 1; // bus 0's root entry: the context table after it
            (hw.w(0x20, table), hw.enable(0x18, 1 << 30, 0x1c)); // RTADDR, GCMD.SRTP
            (hw.w(0x90, queue), hw.enable(0x18, 1 << 26, 0x1c)); // IQA: 256 descriptors (IQT is 0), QIE
            (hw.push(1 | 1 << 4, 0), hw.push(2 | 1 << 4, 0), hw.run()); // global context-cache and IOTLB invalidation
            hw.enable(0x18, 1 << 26 | 1 << 31, 0x1c); // + TE (GCMD is write-only: QIE is repeated)
        }
        Kind::AmdVi => {
            hw.w(0x0, table); // DevTableBase: one page, 128 DTEs
            // CmdBufBase, 256 entries, high half first (Unicorn splits 64-bit MMIO): head, tail 0
            (hw.w(0xc, (queue >> 32) as u32 | 8 << 24), hw.w(0x8, queue as u32));
            hw.w(0x18, 1u64 | 1 << 12); // Control: IommuEn, CmdBufEn
            (hw.push(8 << 60, 0), hw.run()); // INVALIDATE_IOMMU_ALL
        }
    }
    // The PMU's cycle counter times tlb_sync(): PMCR_EL0.E and PMCNTENSET_EL0.C.
    sysreg_write!("pmcr_el0", sysreg_read!("pmcr_el0") | 1);
    sysreg_write!("pmcntenset_el0", 1 << 31);
    let name = ["smmuv3", "vtd", "amdvi"][kind as usize];
    let behind = IDS.get().iter().flatten().count();
    kprintln!("[iommu] {} at {:#x}, {} virtio slots behind it{}", name, base, behind, if *NOSYNC.get() { ", nosync" } else { "" });
    if args.contains(&&b"rost.iommu.selftest"[..]) && kind == Kind::Smmu {
        hw.self_test();
    }
    *HW.get() = Some(hw);
}

/// The IOMMU ID of virtio slot `slot`'s device, if the slot is behind a working IOMMU.
fn for_slot(slot: u32) -> Option<u32> {
    HW.get().as_ref().and((*IDS.get())[slot as usize])
}

/// The IOMMU (for domains, which exist only with one).
fn hw() -> &'static mut Hw {
    HW.get().as_mut().expect("a translated domain has an IOMMU")
}

/// `[rost] stats:` line of the IOMMU, at power-off.
pub fn report() {
    if let Some((syncs, cycles)) = HW.get().as_ref().map(|h| h.stats).filter(|s| s.0 > 0) {
        kprintln!("[rost] stats: iommu {} tlb_sync, {} cycles each", syncs, cycles / syncs);
    }
}

impl Hw {
    /// Writes a 32- or 64-bit register.
    fn w<T>(&self, off: usize, v: T) {
        // SAFETY: a register of the IOMMU of that width, mapped as Device memory (mm.rs).
        unsafe { ((self.base + off) as *mut T).write_volatile(v) }
    }

    fn r32(&self, off: usize) -> u32 {
        mmio_read(self.base + off)
    }

    /// Writes `v` to register `reg` and waits until register `ack` shows its bits.
    fn enable(&self, reg: usize, v: u32, ack: usize) {
        self.w(reg, v);
        self.poll(|| self.r32(ack) & v == v);
    }

    /// Polls `done` for up to TIMEOUT_MS; false (logged) on timeout.
    fn poll(&self, mut done: impl FnMut() -> bool) -> bool {
        let (start, hz) = (sysreg_read!("cntvct_el0"), sysreg_read!("cntfrq_el0"));
        while !done() {
            if sysreg_read!("cntvct_el0") - start > hz * TIMEOUT_MS / 1000 {
                kprintln!("[iommu] timed out (queue at {})", self.sent);
                return false;
            }
        }
        true
    }

    /// Puts a command in the ring (it runs at the next `run`).
    fn push(&mut self, d0: u64, d1: u64) {
        // SAFETY: slot `sent % 256` of our ring page; `run` waits for every batch, so it is free.
        unsafe { self.queue.add(self.sent as usize % 256).write_volatile([d0, d1]) };
        self.sent += 1;
    }

    /// Appends the completion command, rings the doorbell and waits until the IOMMU has done
    /// everything queued. False (logged) on a refused command or a timeout.
    fn run(&mut self) -> bool {
        let (seq, done) = (self.sent as u64 + 1, self.done as u64);
        match self.kind {
            Kind::Smmu => self.push(0x46, 0), // CMD_SYNC, CS=NONE
            Kind::Vtd => self.push(5 | 1 << 5 | seq << 32, done), // wait, SW: status <- seq
            Kind::AmdVi => self.push(1 << 60 | done | 1, seq), // COMPLETION_WAIT, store seq
        }
        dsb(); // the commands before the doorbell
        // The doorbell and its value; the register that says a command was refused (SMMUv3
        // GERROR.CMDQ_ERR differing from GERRORN's, VT-d FSTS.IQE, AMD-Vi Status.CmdBufRun clear)
        // and the bit that says so.
        let (bell, tail, error, bits, flip) = match self.kind {
            Kind::Smmu => (0x98, self.sent & 0x1ff, 0x60, 1, 0), // PROD, with the wrap bit
            Kind::Vtd => (0x88, (self.sent & 0xff) << 4, 0x34, 1 << 4, 0), // IQT
            Kind::AmdVi => (0x2008, (self.sent & 0xff) << 4, 0x2020, 1 << 4, 1 << 4), // CmdBufTail
        };
        self.w(bell, tail);
        let flip = || if self.kind == Kind::Smmu { self.r32(0x64) } else { flip };
        let refused = || (self.r32(error) ^ flip()) & bits != 0;
        // SAFETY: our status page, written by the IOMMU.
        let status = || unsafe { self.done.read_volatile() } & 0xffff_ffff == seq;
        let finished = self.poll(|| refused() || if self.kind == Kind::Smmu { self.r32(0x9c) & 0x1ff == tail } else { status() });
        if refused() {
            kprintln!("[iommu] a command was refused (queue at {})", self.sent);
        }
        finished && !refused()
    }

    /// Makes device `id` translate through the level-1 table `root` under domain ID `did`,
    /// and has the IOMMU drop what it cached about the device.
    fn attach(&mut self, id: u32, root: u64, did: u64) {
        let id = id as u64;
        match self.kind {
            Kind::Smmu => {
                let cd = mm::alloc_table(); // T0SZ 25, WB walks, inner shareable, EPD1, V, 40-bit IPS, AA64, ASID; TTB0; MAIR0
                cd[..4].copy_from_slice(&[25 | 1 << 8 | 1 << 10 | 3 << 12 | 3 << 30 | 2 << 32 | 1 << 41 | did << 48, root, 0, 0xff]);
                mm::next_table(self.table)[8 * id as usize] = cd.as_ptr() as u64 | 0b101 << 1 | 1; // STE: stage 1, V
                (self.push(0x03 | id << 32, 1), self.push(0x11 | did << 48, 0)); // CFGI_STE, TLBI_NH_ASID
            }
            Kind::Vtd => {
                let ctx = &mut mm::next_table(self.table + 4096)[2 * (id as usize & 0xff)..];
                (ctx[1], ctx[0]) = (1 | did << 8, root | 1); // AW 39 bits, DID; present
                (self.push(1 | 3 << 4 | did << 16 | id << 32, 0), self.push(2 | 2 << 4 | did << 16, 0)); // device, domain
            }
            Kind::AmdVi => {
                let dte = &mut mm::next_table(self.table)[4 * id as usize..];
                (dte[1], dte[0]) = (did, root | 1 | 2 | 3 << 9 | 3 << 61); // DomainID; V, TV, 3 levels, IR, IW
                self.push(2 << 60 | id, 0); // INVALIDATE_DEVTAB_ENTRY
            }
        }
        self.run();
    }

    /// Invalidates domain `did`'s IOTLB entries of the `pages` pages (a power of two, aligned)
    /// from `iova`, then waits for completion: the body of `tlb_sync()`.
    fn invalidate(&mut self, did: u64, iova: u64, pages: u64) -> bool {
        let order = pages.trailing_zeros() as u64;
        match self.kind {
            Kind::Smmu if pages <= 8 => (0..pages).for_each(|p| self.push(0x12 | did << 48, iova + p * 4096)), // TLBI_NH_VA
            Kind::Smmu => self.push(0x11 | did << 48, 0), // TLBI_NH_ASID
            Kind::Vtd => self.push(2 | 3 << 4 | 3 << 6 | did << 16, iova | order), // page-selective, AM, drain
            // INVALIDATE_IOMMU_PAGES; S: the size is encoded in the address's low ones
            Kind::AmdVi => self.push(3 << 60 | did << 32, iova | if order == 0 { 0 } else { ((1 << (order - 1)) - 1) << 12 | 1 }),
        }
        let start = sysreg_read!("pmccntr_el0");
        let ok = self.run();
        self.stats = (self.stats.0 + 1, self.stats.1 + sysreg_read!("pmccntr_el0") - start);
        ok
    }

    /// The SMMUv3 command-queue self-test: a sync, a refused command (CONS.ERR, GERROR) replaced
    /// by a sync and acknowledged, and CONS's wrap bit after more than 256 commands.
    fn self_test(&mut self) {
        let say = |ok: bool, what: &str, hw: &Hw| {
            kprintln!("[iommu] self-test: {} {}, cons {:#x}, gerror {:#x}", what, if ok { "ok" } else { "failed" }, hw.r32(0x9c), hw.r32(0x60))
        };
        say(self.run(), "sync", self);
        self.push(0x7f, 0); // no such opcode
        say(self.run(), "bad opcode", self);
        let cons = self.r32(0x9c) as usize & 0xff;
        // SAFETY: the refused slot of our ring, replaced by a CMD_SYNC before the restart.
        unsafe { self.queue.add(cons).write_volatile([0x46, 0]) };
        (dsb(), self.w(0x64, self.r32(0x60))); // GERRORN: acknowledged, the queue restarts at CONS
        say(self.poll(|| self.r32(0x9c) & 0x1ff == self.sent & 0x1ff), "after GERRORN", self);
        while self.sent < 300 {
            (self.push(0x11, 0), self.sent % 50 == 0 && self.run()); // TLBI_NH_ASID 0
        }
        say(self.run(), "300 commands", self);
    }
}
