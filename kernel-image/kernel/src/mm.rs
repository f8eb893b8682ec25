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
//! No kernel page is accessible from EL0. A task's table adds, at `USER_IMAGE_BASE`, the demo
//! code (EL0 read + execute) and constants (EL0 read-only), and its own stack below
//! `USER_STACK_TOP` (EL0 read-write, never executable); all with nG set, under the task's ASID.
//! SCTLR_EL1.WXN is on as well, so nothing writable is ever executable.
//!
//! Frames are handed out by a bump allocator from the end of the kernel image and never freed
//! (v0 creates everything at start-up). Since the kernel is identity-mapped, the physical address
//! a device needs for DMA is the kernel address itself (`phys`).

use crate::arch::{Global, isb};
use crate::{sysreg_read, sysreg_write};
use abi::{USER_IMAGE_BASE, USER_STACK_SIZE, USER_STACK_TOP};

pub const PAGE_SIZE: usize = 4096;
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
// TCR: T0SZ=25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4K, EPD1 (no TTBR1 walks), IPS 40 bits.
const TCR: u64 = 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32);
// SCTLR: RES1 bits, M, C, SA, SA0, I, WXN.
const SCTLR: u64 = 0x30d0_0800 | 1 | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 12) | (1 << 19);

#[repr(C, align(4096))]
pub struct Table([u64; 512]);

static KERNEL_L1: Global<Table> = Global::new(Table([0; 512]));
static DEVICE_L2: Global<Table> = Global::new(Table([0; 512]));
static RAM_L2: Global<Table> = Global::new(Table([0; 512]));
static IMAGE_L3: Global<Table> = Global::new(Table([0; 512]));
static NEXT_FRAME: Global<u64> = Global::new(0);

unsafe extern "C" {
    static __text_end: u8;
    static __user_start: u8;
    static __user_text_end: u8;
    static __user_end: u8;
    static __rodata_end: u8;
    static __kernel_end: u8;
    static __kernel_start: u8;
}

/// Address of a linker-script symbol.
macro_rules! sym {
    ($s:ident) => {
        // Only the address is taken, never the (meaningless) value.
        &raw const $s as u64
    };
}

/// Builds the kernel's tables and turns the MMU (and caches) on. Runs once, MMU off.
pub fn init() {
    *NEXT_FRAME.get() = sym!(__kernel_end);

    let l3 = &mut IMAGE_L3.get().0;
    for (i, entry) in l3.iter_mut().enumerate() {
        let pa = RAM_BASE + (i * PAGE_SIZE) as u64;
        let attrs = if pa < sym!(__kernel_start) {
            KERNEL_RO // the DTB lives here; nothing in rost writes it
        } else if pa < sym!(__text_end) {
            KERNEL_TEXT
        } else if pa < sym!(__rodata_end) {
            KERNEL_RO // user image and kernel rodata
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

/// Allocates `n` contiguous zeroed pages; returns their (identity-mapped) address.
pub fn alloc_pages(n: usize) -> *mut u8 {
    let next = NEXT_FRAME.get();
    let base = *next;
    *next += (n * PAGE_SIZE) as u64;
    assert!(*next <= RAM_BASE + RAM_SIZE, "out of memory");
    let words = base as *mut u64;
    for i in 0..n * PAGE_SIZE / 8 {
        // SAFETY: the range is fresh RAM owned by nobody else; volatile keeps this a loop.
        unsafe { words.add(i).write_volatile(0) };
    }
    base as *mut u8
}

/// The physical (bus) address of kernel memory, for DMA: the kernel runs identity-mapped.
pub fn phys<T>(ptr: *const T) -> u64 {
    ptr as u64
}

/// Bytes from the DTB base to the kernel image: the most the DTB can occupy.
pub fn dtb_room() -> usize {
    (sym!(__kernel_start) - RAM_BASE) as usize
}

fn alloc_table() -> &'static mut [u64; 512] {
    // SAFETY: a fresh, zeroed, page-aligned page; nothing else refers to it.
    unsafe { &mut *(alloc_pages(1) as *mut [u64; 512]) }
}

/// Creates a task's address space with the given ASID: the kernel view, the demo image and a
/// fresh stack. Returns the TTBR0 value (table address | ASID << 48).
pub fn new_user_space(asid: u16) -> u64 {
    let l3 = alloc_table();
    let l3_base = USER_IMAGE_BASE & !(BLOCK - 1);
    let (start, text_end, end) = (sym!(__user_start), sym!(__user_text_end), sym!(__user_end));
    for pa in (start..end).step_by(PAGE_SIZE) {
        let va = USER_IMAGE_BASE + (pa - start);
        let attrs = if pa < text_end { USER_TEXT } else { USER_RO };
        l3[((va - l3_base) / PAGE_SIZE as u64) as usize] = pa | attrs | VALID | TABLE_OR_PAGE;
    }
    let stack = alloc_pages((USER_STACK_SIZE as usize) / PAGE_SIZE) as u64;
    let stack_va = USER_STACK_TOP - USER_STACK_SIZE;
    for off in (0..USER_STACK_SIZE).step_by(PAGE_SIZE) {
        let slot = ((stack_va + off - l3_base) / PAGE_SIZE as u64) as usize;
        l3[slot] = (stack + off) | USER_RW | VALID | TABLE_OR_PAGE;
    }

    // The low GiB: the kernel's device blocks plus the user region's L3.
    let l2 = alloc_table();
    l2.copy_from_slice(&DEVICE_L2.get().0);
    l2[(l3_base / BLOCK) as usize] = table(l3);
    let l1 = alloc_table();
    l1[0] = table(l2);
    l1[1] = KERNEL_L1.get().0[1];
    // SAFETY: make the new tables visible to the table walker before anyone uses them.
    unsafe { core::arch::asm!("dsb ishst", options(nostack)) };
    l1.as_mut_ptr() as u64 | (asid as u64) << 48
}

/// Where a demo function (linked in .user_text) lives in a task's address space.
pub fn user_va_of(kernel_addr: u64) -> u64 {
    assert!((sym!(__user_start)..sym!(__user_text_end)).contains(&kernel_addr));
    USER_IMAGE_BASE + (kernel_addr - sym!(__user_start))
}

/// Whether `[ptr, ptr + len)` is readable from EL0 in every task's address space: it must lie
/// entirely inside the user image or the stack. An empty range is always fine (nothing is read).
pub fn user_readable(ptr: u64, len: u64) -> bool {
    let Some(end) = ptr.checked_add(len) else { return false };
    let image_end = USER_IMAGE_BASE + (sym!(__user_end) - sym!(__user_start));
    len == 0
        || (ptr >= USER_IMAGE_BASE && end <= image_end)
        || (ptr >= USER_STACK_TOP - USER_STACK_SIZE && end <= USER_STACK_TOP)
}
