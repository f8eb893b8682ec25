//! virtio-gpu, 2D only (virtio 1.2 §5.7). One host resource in format B8G8R8X8, backed by one
//! contiguous framebuffer in kernel memory and shown on scanout 0 at the size the device reports.
//! Drawing is plain stores into `pixels()`; `flush(rect)` copies that rectangle into the host's
//! resource (TRANSFER_TO_HOST_2D) and has the host show it (RESOURCE_FLUSH). Commands go one at a
//! time over the control queue (queue 0), polled. The cursor queue is not used.

use super::Transport;
use super::queue::{Buf, Queue};
use crate::iommu::domain::Domain;
use crate::mm;
use crate::uart::kprintln;

const GET_DISPLAY_INFO: u32 = 0x0100;
const RESOURCE_CREATE_2D: u32 = 0x0101;
const SET_SCANOUT: u32 = 0x0103;
const RESOURCE_FLUSH: u32 = 0x0104;
const TRANSFER_TO_HOST_2D: u32 = 0x0105;
const RESOURCE_ATTACH_BACKING: u32 = 0x0106;
const OK_NODATA: u32 = 0x1100;
const OK_DISPLAY_INFO: u32 = 0x1101;
/// Bytes B, G, R, X in memory: as a little-endian u32, a pixel is 0x00RRGGBB.
const FORMAT_B8G8R8X8: u32 = 2;
const RESOURCE: u32 = 1;
/// struct virtio_gpu_ctrl_hdr: type, flags, fence_id (2 words), ctx_id, ring_idx + padding.
const HEADER_WORDS: usize = 6;
/// The response to GET_DISPLAY_INFO: the header, then 16 modes of (x, y, w, h, enabled, flags).
const DISPLAY_INFO_WORDS: usize = HEADER_WORDS + 16 * 6;
/// The size used when the device reports no enabled display.
const DEFAULT_SIZE: (u32, u32) = (1024, 768);
/// Where the response starts in the command page (the request comes first).
const RESPONSE: usize = 512;

pub struct Gpu {
    t: Transport,
    q: Queue,
    /// One page: the request at word 0, the response at word RESPONSE.
    cmd: *mut u32,
    /// `cmd`'s address for the device.
    cmd_iova: u64,
    fb: *mut u32,
    pub width: u32,
    pub height: u32,
}

impl Gpu {
    /// Starts the device and puts an all-black framebuffer of the display's size on scanout 0.
    pub fn new(t: Transport) -> Option<Gpu> {
        let mut dom = Domain::new(t.slot);
        let (_, q) = t.start(0, 8, &mut dom)?;
        let (cmd, cmd_iova) = dom.page();
        let mut gpu = Gpu { t, q, cmd: cmd.cast(), cmd_iova, fb: core::ptr::null_mut(), width: 0, height: 0 };
        let (w, h) = gpu.display_size();
        let bytes = w as usize * h as usize * 4;
        gpu.fb = mm::alloc_pages(bytes.div_ceil(mm::PAGE_SIZE)) as *mut u32;
        (gpu.width, gpu.height) = (w, h);
        let fb = dom.dma(gpu.fb, bytes, mm::Perm::ReadOnly); // the window manager draws, the host reads
        gpu.command(RESOURCE_CREATE_2D, &[RESOURCE, FORMAT_B8G8R8X8, w, h])?;
        gpu.command(
            RESOURCE_ATTACH_BACKING,
            &[RESOURCE, 1, fb as u32, (fb >> 32) as u32, bytes as u32, 0],
        )?;
        gpu.command(SET_SCANOUT, &[0, 0, w, h, 0, RESOURCE])?;
        kprintln!("[virtio] slot {}: gpu, display {}x{}", t.slot, w, h);
        Some(gpu)
    }

    /// The first enabled display's size.
    fn display_size(&mut self) -> (u32, u32) {
        if self.send(GET_DISPLAY_INFO, &[], DISPLAY_INFO_WORDS) == OK_DISPLAY_INFO {
            for mode in (HEADER_WORDS..DISPLAY_INFO_WORDS).step_by(6) {
                let (w, h, enabled) =
                    (self.response(mode + 2), self.response(mode + 3), self.response(mode + 4));
                if enabled != 0 && w != 0 && h != 0 {
                    return (w, h);
                }
            }
        }
        DEFAULT_SIZE
    }

    /// Sends a command (a header of type `kind`, then `args`), waits for the answer, whose
    /// `response_words` stay readable through `response`; returns the response type.
    fn send(&mut self, kind: u32, args: &[u32], response_words: usize) -> u32 {
        let words = [kind, 0, 0, 0, 0, 0].into_iter().chain(args.iter().copied());
        for (i, word) in words.enumerate() {
            // SAFETY: `cmd` is our own page; requests are far shorter than RESPONSE words.
            unsafe { self.cmd.add(i).write_volatile(word) };
        }
        let request = self.cmd_iova;
        let response = Buf::device_writes(request + RESPONSE as u64 * 4, response_words * 4);
        self.t.roundtrip(&mut self.q, &[Buf::device_reads(request, (HEADER_WORDS + args.len()) * 4), response]);
        self.response(0)
    }

    fn response(&self, word: usize) -> u32 {
        // SAFETY: responses are at most DISPLAY_INFO_WORDS long, inside our page.
        unsafe { self.cmd.add(RESPONSE + word).read_volatile() }
    }

    /// A command whose answer is just OK_NODATA; any other answer is reported and gives None.
    fn command(&mut self, kind: u32, args: &[u32]) -> Option<()> {
        let answer = self.send(kind, args, HEADER_WORDS);
        if answer != OK_NODATA {
            kprintln!(
                "[virtio] slot {}: gpu command {:#x} failed ({:#x})",
                self.t.slot,
                kind,
                answer
            );
        }
        (answer == OK_NODATA).then_some(())
    }

    /// The framebuffer: `width * height` pixels, row-major, 0x00RRGGBB.
    pub fn pixels(&mut self) -> &mut [u32] {
        // SAFETY: `fb` is our own allocation of at least this size; the device only reads it
        // during `flush`, which needs `&mut self`.
        unsafe {
            core::slice::from_raw_parts_mut(self.fb, self.width as usize * self.height as usize)
        }
    }

    /// Shows the pixels of the rectangle (inside the display) on the host.
    pub fn flush(&mut self, x: u32, y: u32, w: u32, h: u32) {
        if w == 0 || h == 0 {
            return;
        }
        let offset = (y as u64 * self.width as u64 + x as u64) * 4;
        let _ = self.command(
            TRANSFER_TO_HOST_2D,
            &[x, y, w, h, offset as u32, (offset >> 32) as u32, RESOURCE, 0],
        );
        let _ = self.command(RESOURCE_FLUSH, &[x, y, w, h, RESOURCE, 0]);
    }
}
