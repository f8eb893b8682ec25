//! The display and input as user space sees them (ABI: fb_info, fb_map, fb_flush, and input
//! events as messages to the window manager). The kernel only owns the GPU: the process that
//! maps the framebuffer draws into it directly (the scanout's backing frames, mapped read-write
//! at `FB_BASE`) and asks for rectangles to be shown. Every input event is also logged to the
//! console (formats in README.md); a pointer position goes to the window manager in display
//! pixels.

use crate::arch::Global;
use crate::mm::{PAGE_SIZE, Perm};
use crate::sched::Scheduler;
use crate::virtio::gpu::Gpu;
use crate::virtio::input::Event;
use crate::kprintln;
use abi::{Error, FB_BASE, InputEvent};

static GPU: Global<Option<Gpu>> = Global::new(None);
/// A line to print at the window manager's first flush (the boot screen is up only then).
static ANNOUNCE: Global<Option<&str>> = Global::new(None);

pub fn announce_first_flush(line: &'static str) {
    *ANNOUNCE.get() = Some(line);
}

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

/// `fb_map`: maps the framebuffer into the caller, which becomes the window manager.
pub fn map(sched: &mut Scheduler) -> Result<u64, Error> {
    let g = gpu()?;
    let me = sched.current_id();
    if !sched.cur().server || sched.wm != me && sched.live(sched.wm).is_some() {
        return Err(Error::Perm);
    }
    let (base, bytes) = (g.pixels().as_ptr() as u64, g.width as u64 * g.height as u64 * 4);
    let space = sched.space();
    for off in (0..bytes).step_by(PAGE_SIZE) {
        space.map(FB_BASE + off, base + off, Perm::ReadWrite, false);
    }
    sched.wm = me;
    sched.cur().prio = 1;
    Ok(FB_BASE)
}

pub fn flush(x: u64, y: u64, w: u64, h: u64) -> Result<u64, Error> {
    let g = gpu()?;
    let c = |v: u64, max: u32| v.min(max as u64) as u32;
    let (x, y) = (c(x, g.width), c(y, g.height));
    g.flush(x, y, c(w, g.width - x), c(h, g.height - y));
    if let Some(line) = ANNOUNCE.get().take() {
        kprintln!("{}", line);
    }
    Ok(0)
}

/// An event from any input device: logged, then sent to the window manager.
pub fn input(event: Event) {
    kprintln!("[input] {}", event);
    let ev = match event {
        Event::Key { code, value } => InputEvent { kind: 1, code: code as u32, value, x: 0, y: 0 },
        Event::Button { code, value } => InputEvent { kind: 2, code: code as u32, value, x: 0, y: 0 },
        Event::Tablet { x, y, max_x, max_y } => {
            let (w, h) = GPU.get().as_ref().map_or((0, 0), |g| (g.width, g.height));
            let scale = |v: u32, max: u32, size: u32| (v.min(max) as u64 * size as u64 / (max as u64 + 1)) as u32;
            InputEvent { kind: 3, code: 0, value: 0, x: scale(x, max_x, w), y: scale(y, max_y, h) }
        }
    };
    if let Some(sched) = crate::sched::get() {
        sched.input(ev);
    }
}
