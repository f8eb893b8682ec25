//! Memory management: page frames and translation tables.
//!
//! Layout (4 KiB granule, 39-bit VAs: T0SZ = 25, walks start at level 1; TTBR1 is unused):
//! the kernel runs identity-mapped through TTBR0. Every address space, the kernel's own and each
//! task's, maps the same kernel view:
//! - 0x0800_0000 (GIC), 0x0900_0000 (UART) and 0x0a00_0000 (the 32 virtio-mmio slots): 2 MiB
//!   Device-nGnRE blocks, EL1 only, never executable;
//! - the first 2 MiB of RAM (the DTB's 1 MiB, kernel image, first free frames) page by page, with
//!   permissions per section: DTB EL1 read-only, kernel text EL1 read-only + EL1-executable,
//!   everything else EL1-only and non-executable;
//! - the rest of RAM as 2 MiB EL1 read-write, non-executable blocks.
//!
//! No kernel page is accessible from EL0. A process's `Space` adds user pages (loaded program
//! segments, its stack) in the first GiB around the device blocks and above the second GiB,
//! page by page, each EL0 read-only, read-write or read + execute, never writable and executable;
//! all with nG set, under the process's ASID. SCTLR_EL1.WXN is on as well. User pointers given to
//! syscalls are checked by walking the caller's tables (`Space::user_ok`), and copied in and out
//! only after that check (`copy_in`, `copy_out`).
//!
//! Frames come from a bump allocator from the end of the kernel image; freed runs of up to 256
//! pages go to per-length free lists and are reused first. A space frees the frames it owns
//! (marked with a software bit in their descriptors) and its tables when destroyed. Since the
//! kernel is identity-mapped, the physical address a device needs for DMA is the kernel address
//! itself (`phys`).

use crate::arch::{Global, isb};
use crate::arch::{sysreg_read, sysreg_write};
use abi::{Error, Message};
use alloc::vec::Vec;
use heap::Heap;

pub use heap::PAGE_SIZE;
const RAM_BASE: u64 = 0x4000_0000;
const RAM_SIZE: u64 = 512 << 20;
const BLOCK: u64 = 2 << 20;
const GIC_BLOCK: u64 = 0x0800_0000;
const UART_BLOCK: u64 = 0x0900_0000;
const VIRTIO_BLOCK: u64 = 0x0a00_0000;
/// Where QEMU (and Vitrine) put the flattened device tree: the start of RAM. QEMU's blob is 1 MiB
/// and is only loaded if it fits below the image, hence link.ld's 0x4010_0000.
pub const DTB_BASE: usize = RAM_BASE as usize;

// Descriptor bits (VMSAv8-64, stage 1).
const VALID: u64 = 1;
const TABLE_OR_PAGE: u64 = 1 << 1; // with VALID: table at L1/L2, page at L3; without: block
const ATTR_NORMAL: u64 = 0 << 2; // MAIR index 0
const ATTR_DEVICE: u64 = 1 << 2; // MAIR index 1
const AP_EL1_RW: u64 = 0b00 << 6;
const AP_ALL_RW: u64 = 0b01 << 6;
const AP_EL1_RO: u64 = 0b10 << 6;
const AP_ALL_RO: u64 = 0b11 << 6;
const INNER_SHAREABLE: u64 = 0b11 << 8;
const AF: u64 = 1 << 10; // access flag: set up front, QEMU does no hardware AF updates here
const NOT_GLOBAL: u64 = 1 << 11;
const PXN: u64 = 1 << 53;
const UXN: u64 = 1 << 54;
/// Software bit (ignored by the walker): the page's frame belongs to the address space.
const OWNED: u64 = 1 << 55;
const AP_EL0: u64 = 1 << 6;
const AP_RO: u64 = 1 << 7;
const ADDR_MASK: u64 = 0x0000_ffff_ffff_f000;

const NORMAL: u64 = ATTR_NORMAL | INNER_SHAREABLE | AF;
const KERNEL_TEXT: u64 = NORMAL | AP_EL1_RO | UXN;
const KERNEL_RO: u64 = NORMAL | AP_EL1_RO | UXN | PXN;
const KERNEL_RW: u64 = NORMAL | AP_EL1_RW | UXN | PXN;
const DEVICE: u64 = ATTR_DEVICE | AF | AP_EL1_RW | UXN | PXN;
const USER_TEXT: u64 = NORMAL | NOT_GLOBAL | AP_ALL_RO | PXN;
const USER_RO: u64 = NORMAL | NOT_GLOBAL | AP_ALL_RO | UXN | PXN;
const USER_RW: u64 = NORMAL | NOT_GLOBAL | AP_ALL_RW | UXN | PXN;

// MAIR: attr0 normal write-back RW-allocate, attr1 Device-nGnRE.
const MAIR: u64 = 0xff | (0x04 << 8);
// TCR: T0SZ=25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4K, EPD1 (no TTBR1 walks), IPS 40 bits,
// AS (16-bit ASIDs: with 8, the hardware would ignore the top half of a process's ASID, and
// spaces 256 pids apart would share TLB entries).
const TCR: u64 = 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32) | (1 << 36);
// SCTLR: RES1 bits, M, C, SA, SA0, I, WXN.
const SCTLR: u64 = 0x30d0_0800 | 1 | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 12) | (1 << 19);

#[repr(C, align(4096))]
pub struct Table([u64; 512]);

static KERNEL_L1: Global<Table> = Global::new(Table([0; 512]));
static DEVICE_L2: Global<Table> = Global::new(Table([0; 512]));
static RAM_L2: Global<Table> = Global::new(Table([0; 512]));
static IMAGE_L3: Global<Table> = Global::new(Table([0; 512]));

// Linker-script symbols (link.ld): only their addresses (`&raw const`) mean anything.
unsafe extern "C" {
    static __text_end: u8;
    static __rodata_end: u8;
    static __kernel_end: u8;
    static __kernel_start: u8;
}

/// Builds the kernel's tables and turns the MMU (and caches) on. Runs once, MMU off.
pub fn init() {
    FRAMES.grant(&raw const __kernel_end as usize, (RAM_BASE + RAM_SIZE) as usize);

    let l3 = &mut IMAGE_L3.get().0;
    for (i, entry) in l3.iter_mut().enumerate() {
        let pa = RAM_BASE + (i * PAGE_SIZE) as u64;
        let attrs = if pa < &raw const __kernel_start as u64 {
            KERNEL_RO // the DTB lives here; nothing in rost writes it
        } else if pa < &raw const __text_end as u64 {
            KERNEL_TEXT
        } else if pa < &raw const __rodata_end as u64 {
            KERNEL_RO
        } else {
            KERNEL_RW
        };
        *entry = pa | attrs | VALID | TABLE_OR_PAGE;
    }
    let ram = &mut RAM_L2.get().0;
    ram[0] = table(l3);
    for (i, entry) in ram.iter_mut().enumerate().skip(1).take((RAM_SIZE / BLOCK) as usize - 1) {
        *entry = (RAM_BASE + i as u64 * BLOCK) | KERNEL_RW | VALID;
    }
    let dev = &mut DEVICE_L2.get().0;
    for base in [GIC_BLOCK, UART_BLOCK, VIRTIO_BLOCK] {
        dev[(base / BLOCK) as usize] = base | DEVICE | VALID;
    }
    let l1 = &mut KERNEL_L1.get().0;
    l1[0] = table(dev);
    l1[1] = table(ram);

    sysreg_write!("mair_el1", MAIR);
    sysreg_write!("tcr_el1", TCR);
    sysreg_write!("ttbr0_el1", kernel_ttbr0());
    // SAFETY: the table writes must be complete, and no stale translations may survive, before
    // the MMU starts walking.
    unsafe { core::arch::asm!("dsb ish", "tlbi vmalle1", "dsb ish", "isb", options(nostack)) };
    sysreg_write!("sctlr_el1", sysreg_read!("sctlr_el1") | SCTLR);
    isb();
}

/// TTBR0 value of the kernel's own address space (ASID 0), used while idle.
pub fn kernel_ttbr0() -> u64 {
    KERNEL_L1.get() as *mut Table as u64
}

/// A table descriptor pointing at `t`.
fn table(t: &mut [u64; 512]) -> u64 {
    t.as_mut_ptr() as u64 | VALID | TABLE_OR_PAGE
}

/// The page frames, from the end of the kernel image to the end of RAM, and the kernel heap
/// (`alloc`), which lives on them.
#[global_allocator]
static FRAMES: Heap = Heap::new();

/// Allocates `n` contiguous zeroed pages; returns their (identity-mapped) address.
pub fn alloc_pages(n: usize) -> *mut u8 {
    let base = FRAMES.alloc_pages(n);
    assert!(!base.is_null(), "out of memory");
    let words = base as *mut u64;
    for i in 0..n * PAGE_SIZE / 8 {
        // SAFETY: the range is RAM owned by nobody else; volatile keeps this a loop.
        unsafe { words.add(i).write_volatile(0) };
    }
    base
}

/// `mem_info`: free and total page frames.
pub fn mem_info() -> u64 {
    let total = (RAM_BASE + RAM_SIZE - &raw const __kernel_end as u64) / PAGE_SIZE as u64;
    (FRAMES.free_pages_count() as u64) << 32 | total
}

/// Gives back a run of `n` pages from `alloc_pages(n)`; nothing may use it any more.
pub fn free_pages(base: u64, n: usize) {
    FRAMES.free_pages(base as *mut u8, n);
}

/// The physical (bus) address of kernel memory, for DMA: the kernel runs identity-mapped.
pub fn phys<T>(ptr: *const T) -> u64 {
    ptr as u64
}

/// Bytes from the DTB base to the kernel image: the most the DTB can occupy.
pub fn dtb_room() -> usize {
    (&raw const __kernel_start as u64 - RAM_BASE) as usize
}

pub fn alloc_table() -> &'static mut [u64; 512] {
    // SAFETY: a fresh, zeroed, page-aligned page; nothing else refers to it.
    unsafe { &mut *(alloc_pages(1) as *mut [u64; 512]) }
}

/// The table a table descriptor points to.
pub fn next_table(entry: u64) -> &'static mut [u64; 512] {
    // SAFETY: table descriptors only ever point at pages from alloc_table or the static tables.
    unsafe { &mut *((entry & ADDR_MASK) as *mut [u64; 512]) }
}

/// Permissions of a user page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    ReadOnly,
    ReadWrite,
    ReadExecute,
}

fn attrs(perm: Perm) -> u64 {
    match perm {
        Perm::ReadOnly => USER_RO,
        Perm::ReadWrite => USER_RW,
        Perm::ReadExecute => USER_TEXT,
    }
}

/// A process's address space: its level-1 table and ASID, i.e. its TTBR0 value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Space(pub u64);

impl Space {
    /// A new address space with the kernel view only.
    pub fn new(asid: u16) -> Space {
        let l2 = alloc_table();
        l2.copy_from_slice(&DEVICE_L2.get().0);
        let l1 = alloc_table();
        l1[0] = table(l2);
        l1[1] = KERNEL_L1.get().0[1];
        Space(l1.as_mut_ptr() as u64 | (asid as u64) << 48)
    }

    fn l1(&self) -> &'static mut [u64; 512] {
        next_table(self.0)
    }

    /// Maps the page at user address `va` to frame `pa`. `owned`: the frame belongs to this
    /// space and is freed with it. Returns false if `va` is not a user address or already mapped.
    pub fn map(&self, va: u64, pa: u64, perm: Perm, owned: bool) -> bool {
        if va >> 30 == 1 || va % PAGE_SIZE as u64 != 0 {
            return false; // the second GiB is the kernel's RAM
        }
        let Some(e) = self.slot(va, true).filter(|e| **e == 0) else { return false };
        *e = pa | attrs(perm) | if owned { OWNED } else { 0 } | VALID | TABLE_OR_PAGE;
        // SAFETY: the table write must reach the walker before the space is used.
        unsafe { core::arch::asm!("dsb ishst", options(nostack)) };
        true
    }

    /// Changes the permissions of the page mapped at `va` (a space that is not live yet).
    pub fn protect(&self, va: u64, perm: Perm) {
        if let Some(e) = self.page(va) {
            *e = (*e & (ADDR_MASK | OWNED)) | attrs(perm) | VALID | TABLE_OR_PAGE;
        }
    }

    /// Removes the mappings of `[va, va + len)` (frames are not freed: they are not the space's).
    pub fn unmap(&self, va: u64, len: u64) {
        for page in (va..va + len).step_by(PAGE_SIZE) {
            let Some(e) = self.page(page) else { continue };
            *e = 0;
            let op = (page >> 12) | (self.0 & !ADDR_MASK);
            // SAFETY: drops this page's translation under this space's ASID.
            unsafe { core::arch::asm!("dsb ishst", "tlbi vae1is, {}", "dsb ish", "isb", in(reg) op, options(nostack)) };
        }
    }

    /// The descriptor slot the walk for `va` ends at: a level-3 slot, or a level-1 or -2 slot
    /// that holds a block (kernel device memory) or nothing. With `create`, missing tables are
    /// made on the way, so only a block stops the walk early. None outside the 39-bit range.
    fn slot(&self, va: u64, create: bool) -> Option<&'static mut u64> {
        if va >> 39 != 0 {
            return None;
        }
        let mut t = self.l1();
        for shift in [30, 21] {
            let e = &mut t[(va >> shift) as usize & 511];
            if *e == 0 && create {
                *e = table(alloc_table());
            }
            if *e & 3 != VALID | TABLE_OR_PAGE {
                return Some(e);
            }
            t = next_table(*e);
        }
        Some(&mut t[(va >> 12) as usize & 511])
    }

    /// The page descriptor (level 3, valid) that maps `va`, if any.
    fn page(&self, va: u64) -> Option<&'static mut u64> {
        self.slot(va, false).filter(|e| **e & 3 == VALID | TABLE_OR_PAGE)
    }

    /// The descriptor that maps `va` (a page, or a kernel block), if any.
    fn entry(&self, va: u64) -> Option<u64> {
        self.slot(va, false).map(|e| *e).filter(|e| e & VALID != 0)
    }

    /// The kernel address of user address `va`, if it is mapped for EL0.
    pub fn kernel_addr(&self, va: u64) -> Option<u64> {
        let e = self.entry(va).filter(|e| e & AP_EL0 != 0)?;
        Some((e & ADDR_MASK) + va % PAGE_SIZE as u64)
    }

    /// Whether all of `[ptr, ptr + len)` is mapped for EL0 in this space (and writable, if
    /// `write`). An empty range is always fine.
    pub fn user_ok(&self, ptr: u64, len: u64, write: bool) -> bool {
        let Some(end) = ptr.checked_add(len) else { return false };
        let ok = |e: u64| e & AP_EL0 != 0 && (!write || e & AP_RO == 0);
        len == 0 || (ptr & !0xfff..end).step_by(PAGE_SIZE).all(|va| self.entry(va).is_some_and(ok))
    }

    /// A copy of `[ptr, ptr + len)`, after checking that the process may read it all.
    pub fn copy_in(&self, ptr: u64, len: u64) -> Result<Vec<u8>, Error> {
        if !self.user_ok(ptr, len, false) {
            return Err(Error::Fault);
        }
        // SAFETY: checked above to be user memory of this space, which is the live one (a
        // syscall's caller), and the process does not run while the kernel copies: a plain
        // copy (memcpy, word by word) sees what it wrote.
        Ok(unsafe { core::slice::from_raw_parts(ptr as *const u8, len as usize) }.to_vec())
    }

    /// The message at `ptr`, checked as for copy_in, without a copy on the heap.
    pub fn read_msg(&self, ptr: u64) -> Result<Message, Error> {
        let ok = self.user_ok(ptr, core::mem::size_of::<Message>() as u64, false);
        // SAFETY: as for copy_in; every bit pattern is a valid Message.
        ok.then(|| unsafe { core::ptr::read_unaligned(ptr as *const Message) }).ok_or(Error::Fault)
    }

    /// Copies `bytes` to `ptr`, after checking that the process may write there.
    pub fn copy_out(&self, ptr: u64, bytes: &[u8]) -> Result<u64, Error> {
        if !self.user_ok(ptr, bytes.len() as u64, true) {
            return Err(Error::Fault);
        }
        // SAFETY: as for copy_in.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr as *mut u8, bytes.len()) };
        Ok(0)
    }

    /// Frees every page this space owns, its tables, and its TLB entries. The space must not be
    /// live (loaded in TTBR0) any more.
    pub fn destroy(self) {
        let l1 = self.l1();
        for (i, &e1) in l1.iter().enumerate() {
            if i == 1 || e1 & 3 != VALID | TABLE_OR_PAGE {
                continue;
            }
            for &e2 in next_table(e1).iter().filter(|&&e| e & 3 == VALID | TABLE_OR_PAGE) {
                for &e3 in next_table(e2).iter().filter(|&&e| e & OWNED != 0) {
                    free_pages(e3 & ADDR_MASK, 1);
                }
                free_pages(e2 & ADDR_MASK, 1);
            }
            free_pages(e1 & ADDR_MASK, 1);
        }
        free_pages(self.0 & ADDR_MASK, 1);
        // SAFETY: drops the ASID's translations so that a later space with the same ASID sees
        // none of them.
        unsafe { core::arch::asm!("dsb ish", "tlbi aside1is, {}", "dsb ish", in(reg) self.0 & !ADDR_MASK, options(nostack)) };
    }
}

/// The bytes of a plain-data value (a message) for `copy_out`.
pub fn bytes_of<T: Copy>(value: &T) -> &[u8] {
    // SAFETY: T is plain data without padding (repr(C) integers), every byte initialised.
    unsafe { core::slice::from_raw_parts(value as *const T as *const u8, core::mem::size_of::<T>()) }
}

/// Makes code just written through the kernel's view of `[addr, addr + len)` visible to
/// instruction fetches: DC CVAU to the point of unification, DSB, IC IVAU, DSB, ISB (the
/// architected sequence; Vitrine needs it too, see /work/shared/design/unicorn.md).
pub fn sync_icache(addr: u64, len: u64) {
    const LINE: u64 = 64;
    let lines = || (addr & !(LINE - 1)..addr + len).step_by(LINE as usize);
    // SAFETY: cache maintenance of kernel-mapped memory has no other effect.
    unsafe {
        lines().for_each(|a| core::arch::asm!("dc cvau, {}", in(reg) a, options(nostack)));
        core::arch::asm!("dsb ish", options(nostack));
        lines().for_each(|a| core::arch::asm!("ic ivau, {}", in(reg) a, options(nostack)));
        core::arch::asm!("dsb ish", "isb", options(nostack));
    }
}
