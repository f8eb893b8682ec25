//! Power off through PSCI (conduit HVC on QEMU virt and Vitrine).

const SYSTEM_OFF: u64 = 0x8400_0008;

/// Powers the machine off. `status` goes in x1: Vitrine reports it as the exit status (0 =
/// success); QEMU ignores it. If SYSTEM_OFF returns anyway, spins in WFI.
pub fn system_off(status: u64) -> ! {
    // SAFETY: SYSTEM_OFF does not return; if it does, it changed no state we rely on.
    unsafe { core::arch::asm!("hvc #0", in("x0") SYSTEM_OFF, in("x1") status, options(nostack)) };
    loop {
        // SAFETY: waiting for an interrupt has no other effect.
        unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
    }
}
