//! The scheduler tick, from the EL1 virtual timer (CNTV_*, PPI 27). Each tick re-arms the timer
//! relative to *now* (TVAL), so a late interrupt never causes a burst of catch-up ticks: sleeps
//! count ticks, and this keeps one tick worth at least a full slice of CPU time. The scheduler
//! turns the tick on only while something needs it (sched.rs, `resume`).

use crate::arch::Global;
use crate::arch::{sysreg_read, sysreg_write};

/// The counter's frequency (Hz), read from CNTFRQ_EL0 once: the scheduler converts counts to ns at
/// every switch, and on Vitrine each read of CNTFRQ_EL0 is a call into the host's timer model.
static HZ: Global<u64> = Global::new(0);

/// Reads the counter frequency; returns it in Hz.
pub fn init() -> u64 {
    let hz = sysreg_read!("cntfrq_el0");
    assert!(hz != 0, "CNTFRQ_EL0 is 0: the generic timer's frequency is unknown");
    *HZ.get() = hz;
    hz
}

/// Sets the next tick one interval from now (this also drops the current interrupt).
pub fn rearm() {
    sysreg_write!("cntv_tval_el0", *HZ.get() / (1_000_000_000 / abi::TICK_NS));
}

/// Starts ticking (the first tick one interval from now), or stops.
pub fn set_ticking(on: bool) {
    rearm();
    sysreg_write!("cntv_ctl_el0", on as u64); // ENABLE, not IMASK; or off
}

/// Virtual nanoseconds since the counter started (boot): floor(count * 10^9 / hz), in 64 bits
/// (no 128-bit division: this runs at every context switch) as whole seconds plus the rest.
pub fn uptime_ns() -> u64 {
    let (count, hz) = (sysreg_read!("cntvct_el0"), *HZ.get());
    count / hz * 1_000_000_000 + count % hz * 1_000_000_000 / hz
}
