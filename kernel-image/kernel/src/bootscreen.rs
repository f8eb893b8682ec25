//! The boot screen, shown when a virtio-gpu is present (unless the bootargs ask for the task
//! demo): the test pattern of draw.rs, a pointer that follows the tablet, and the typed keys
//! echoed into a text box. Every input event is also logged to the console (formats in
//! README.md), whether or not the screen is up.
//!
//! Only what changed is sent to the host: a typed character flushes its cell, a pointer move the
//! pointer's old and new rectangles. The pointer is drawn into the framebuffer over a saved copy
//! of the pixels beneath it; anything drawn where it lies hides it first and shows it again after.

use crate::arch::Global;
use crate::draw::{BLACK, Canvas, POINTER_H, POINTER_W, Rect, WHITE};
use crate::virtio::gpu::Gpu;
use crate::virtio::input::Event;
use crate::{keymap, kprintln};
use alloc::format;

/// Font scale of the echoed text: 16 x 16 pixel cells.
const SCALE: u32 = 2;
const CELL: u32 = 8 * SCALE;

struct Screen {
    gpu: Gpu,
    /// Inside of the text box, and the text cursor in cells.
    text_box: Rect,
    cursor: (u32, u32),
    shift: bool,
    /// Pointer hot spot in pixels, and the pixels it covers.
    pointer: (u32, u32),
    under: [u32; (POINTER_W * POINTER_H) as usize],
}

static SCREEN: Global<Option<Screen>> = Global::new(None);

/// Paints the boot screen, pointer in the middle, and shows all of it.
pub fn show(mut gpu: Gpu) {
    let (w, h) = (gpu.width, gpu.height);
    let subtitle = format!("{}x{} - type here, move the pointer", w, h);
    let text_box = canvas(&mut gpu).boot_screen(subtitle.as_bytes());
    let pointer = (w / 2, h / 2);
    let mut s = Screen {
        gpu,
        text_box,
        cursor: (0, 0),
        shift: false,
        pointer,
        under: [0; (POINTER_W * POINTER_H) as usize],
    };
    s.show_pointer();
    s.gpu.flush(Rect::new(0, 0, w, h));
    *SCREEN.get() = Some(s);
}

/// Handles an event from any input device: logs it, then updates the screen if it is up.
pub fn input(event: Event) {
    kprintln!("[input] {}", event);
    let Some(s) = SCREEN.get() else { return };
    match event {
        Event::Key { code, value } if keymap::SHIFT_KEYS.contains(&code) => s.shift = value != 0,
        Event::Key { code, value: 1 | 2 } => {
            if let Some(c) = keymap::ascii(code, s.shift) {
                s.type_char(c);
            }
        }
        Event::Tablet { x, y, max_x, max_y } => {
            let scale = |v: u32, max: u32, size: u32| {
                (v.min(max) as u64 * size as u64 / (max as u64 + 1)) as u32
            };
            s.move_pointer(scale(x, max_x, s.gpu.width), scale(y, max_y, s.gpu.height));
        }
        _ => {}
    }
}

fn canvas(gpu: &mut Gpu) -> Canvas<'_> {
    let (width, height) = (gpu.width, gpu.height);
    Canvas { px: gpu.pixels(), width, height }
}

impl Screen {
    fn pointer_rect(&self) -> Rect {
        Rect::new(self.pointer.0, self.pointer.1, POINTER_W, POINTER_H)
    }

    fn show_pointer(&mut self) {
        let (r, (x, y)) = (self.pointer_rect(), self.pointer);
        let mut c = canvas(&mut self.gpu);
        c.save(r, &mut self.under);
        c.pointer(x, y);
    }

    fn hide_pointer(&mut self) {
        let r = self.pointer_rect();
        canvas(&mut self.gpu).restore(r, &self.under);
    }

    fn move_pointer(&mut self, x: u32, y: u32) {
        if (x, y) == self.pointer {
            return;
        }
        let old = self.pointer_rect();
        self.hide_pointer();
        self.pointer = (x, y);
        self.show_pointer();
        let new = self.pointer_rect();
        if old.intersects(new) {
            self.gpu.flush(old.union(new));
        } else {
            self.gpu.flush(old);
            self.gpu.flush(new);
        }
    }

    /// Repaints `r` with `paint`, keeping the pointer on top, and flushes `r`.
    fn repaint(&mut self, r: Rect, paint: impl FnOnce(&mut Canvas)) {
        let covered = r.intersects(self.pointer_rect());
        if covered {
            self.hide_pointer();
        }
        paint(&mut canvas(&mut self.gpu));
        if covered {
            self.show_pointer();
        }
        self.gpu.flush(r);
    }

    /// Echoes one typed character: printable ones at the cursor, `\n` to the next line,
    /// Backspace erases the previous cell of the line. A full box starts over, empty.
    fn type_char(&mut self, c: u8) {
        let b = self.text_box;
        let (cols, rows) = (b.w / CELL, b.h / CELL);
        if cols == 0 || rows == 0 {
            return;
        }
        let (col, row) = self.cursor;
        let (glyph, at, next) = match c {
            b'\n' => (None, col, (0, row + 1)),
            0x08 if col > 0 => (Some(b' '), col - 1, (col - 1, row)),
            0x20..=0x7e | b'\t' => (Some(if c == b'\t' { b' ' } else { c }), col, (col + 1, row)),
            _ => return,
        };
        if let Some(g) = glyph {
            let cell = Rect::new(b.x + at * CELL, b.y + row * CELL, CELL, CELL);
            self.repaint(cell, |cv| {
                cv.text(cell.x, cell.y, SCALE, &[g], WHITE, BLACK);
            });
        }
        self.cursor = if next.0 >= cols { (0, next.1 + 1) } else { next };
        if self.cursor.1 >= rows {
            self.repaint(b, |cv| cv.fill(b, BLACK));
            self.cursor = (0, 0);
        }
    }
}
