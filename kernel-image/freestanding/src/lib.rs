//! The few symbols every freestanding rost image (the kernel and each user program) must supply
//! itself. The prebuilt compiler_builtins of the linux-gnu target expects libc's `memcpy`,
//! `memmove`, `memset` and `memcmp` (and LLVM emits calls to `bcmp` for equality of arrays); the
//! prebuilt alloc was compiled with unwinding and refers to `_Unwind_Resume` and
//! `rust_eh_personality`, which panic=abort never calls.
//!
//! The loops use volatile accesses so that the optimiser cannot recognise them as memcpy/memset
//! idioms and turn them back into calls to themselves.

#![no_std]

use core::ptr::{read_volatile, write_volatile};

#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // Whole words when both ends allow (the window manager composites pixel rows through here:
    // byte by byte, that was most of its time), then the bytes left.
    // SAFETY: the caller guarantees both ranges are valid and do not overlap; `copy` is given
    // the alignment each width needs.
    let done = unsafe { match (dst as usize | src as usize) % 8 { 0 => copy::<u64>(dst, src, n), 4 => copy::<u32>(dst, src, n), _ => 0 } };
    unsafe { copy::<u8>(dst.add(done), src.add(done), n - done) };
    dst
}

/// Copies the whole `T`s that fit in `n` bytes from `src` to `dst`, both aligned for `T`;
/// returns the bytes copied.
unsafe fn copy<T>(dst: *mut u8, src: *const u8, n: usize) -> usize {
    for i in 0..n / size_of::<T>() {
        // SAFETY: the caller guarantees both ranges are valid, disjoint and aligned for T.
        unsafe { write_volatile((dst as *mut T).add(i), read_volatile((src as *const T).add(i))) };
    }
    n / size_of::<T>() * size_of::<T>()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize) <= (src as usize) {
        // SAFETY: copying forwards is correct when dst is at or below src.
        return unsafe { memcpy(dst, src, n) };
    }
    for i in (0..n).rev() {
        // SAFETY: the caller guarantees both ranges are valid; backwards handles the overlap.
        unsafe { write_volatile(dst.add(i), read_volatile(src.add(i))) };
    }
    dst
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: the caller guarantees the range is valid.
        unsafe { write_volatile(dst.add(i), c as u8) };
    }
    dst
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: the caller guarantees both ranges are valid.
        let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract as memcmp.
    unsafe { memcmp(a, b, n) }
}

#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    panic!("_Unwind_Resume called, but rost images never unwind");
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
