//! The display and input as user space sees them (ABI: fb_info, fb_map, fb_flush, and input
//! events as messages to the window manager). The kernel only owns the GPU: the process that
//! maps the framebuffer draws into it directly (the scanout's backing frames, mapped read-write
//! at `FB_BASE`) and asks for rectangles to be shown. Every input event is also logged to the
//! console (formats in README.md); a pointer position goes to the window manager in display
//! pixels.

use crate::arch::Global;
use crate::uart::kprintln;
use crate::mm::{PAGE_SIZE, Perm};
use crate::sched::Scheduler;
use crate::virtio::gpu::Gpu;
use abi::wm::KernelToWm;
use abi::{Error, FB_BASE, INPUT_BUTTON, INPUT_KEY, InputEvent};

static GPU: Global<Option<Gpu>> = Global::new(None);

pub fn init(gpu: Gpu) {
    *GPU.get() = Some(gpu);
}

fn gpu() -> Result<&'static mut Gpu, Error> {
    GPU.get().as_mut().ok_or(Error::NoEnt)
}

pub fn info() -> Result<u64, Error> {
    let g = gpu()?;
    Ok((g.width as u64) << 32 | g.height as u64)
}

/// `fb_map`: maps the framebuffer into the caller, which becomes the window manager (`claim`).
pub fn map(sched: &mut Scheduler) -> Result<u64, Error> {
    let g = gpu()?;
    sched.wm = sched.claim(sched.wm)?;
    let (base, bytes) = (g.pixels().as_ptr() as u64, g.width as u64 * g.height as u64 * 4);
    let space = sched.space();
    for off in (0..bytes).step_by(PAGE_SIZE) {
        space.map(FB_BASE + off, base + off, Perm::ReadWrite, false);
    }
    Ok(FB_BASE)
}

pub fn flush(x: u64, y: u64, w: u64, h: u64) -> Result<u64, Error> {
    let g = gpu()?;
    let c = |v: u64, max: u32| v.min(max as u64) as u32;
    let (x, y) = (c(x, g.width), c(y, g.height));
    g.flush(x, y, c(w, g.width - x), c(h, g.height - y));
    Ok(0)
}

/// An event from any input device (a pointer position in the device's units, 0..=`max` on each
/// axis): logged, then sent to the window manager with the pointer in display pixels.
pub fn input(mut ev: InputEvent, max: [u32; 2]) {
    let action = ["up", "down", "repeat"][ev.value.min(2) as usize];
    match ev.kind {
        INPUT_KEY => kprintln!("[input] key {} {}", ev.code, action),
        INPUT_BUTTON => kprintln!("[input] button {} {}", ev.code, action),
        _ => {
            kprintln!("[input] tablet x={} y={}", ev.x, ev.y);
            let (w, h) = GPU.get().as_ref().map_or((0, 0), |g| (g.width, g.height));
            let scale = |v: u32, max: u32, size: u32| (v.min(max) as u64 * size as u64 / (max as u64 + 1)) as u32;
            (ev.x, ev.y) = (scale(ev.x, max[0], w), scale(ev.y, max[1], h));
        }
    }
    let sched = crate::sched::get().expect("input before the first process");
    let wm = sched.wm;
    if let Some(p) = sched.live(wm) {
        p.deliver(KernelToWm::encode(ev));
    }
}
