//! The scheduler tick, from the EL1 virtual timer (CNTV_*, PPI 27). Each tick re-arms the timer
//! relative to *now* (TVAL), so a late interrupt never causes a burst of catch-up ticks: sleeps
//! count ticks, and this keeps one tick worth at least a full slice of CPU time. The scheduler
//! turns the tick on only while something needs it (sched.rs, `resume`).

use crate::arch::Global;
use crate::arch::{sysreg_read, sysreg_write};

/// Counter ticks per scheduler tick, from CNTFRQ_EL0.
static INTERVAL: Global<u64> = Global::new(0);

/// Reads the counter frequency and works out the tick interval; returns the frequency in Hz.
pub fn init() -> u64 {
    let hz = sysreg_read!("cntfrq_el0");
    assert!(hz != 0, "CNTFRQ_EL0 is 0: the generic timer's frequency is unknown");
    *INTERVAL.get() = hz / (1_000_000_000 / abi::TICK_NS);
    hz
}

/// Sets the next tick one interval from now (this also drops the current interrupt).
pub fn rearm() {
    sysreg_write!("cntv_tval_el0", *INTERVAL.get());
}

/// Starts ticking (the first tick one interval from now), or stops.
pub fn set_ticking(on: bool) {
    rearm();
    sysreg_write!("cntv_ctl_el0", on as u64); // ENABLE, not IMASK; or off
}

/// Virtual nanoseconds since the counter started (boot).
pub fn uptime_ns() -> u64 {
    let (count, hz) = (sysreg_read!("cntvct_el0"), sysreg_read!("cntfrq_el0"));
    (count as u128 * 1_000_000_000 / hz as u128) as u64
}
