//! screen: the boot screen, rost's first window manager. The file server (process 1, which
//! includes it) starts it when a GPU is present (unless the bootargs ask for the task demo): it maps the framebuffer (fb_map, which
//! makes it the window manager), paints the test pattern of ui::draw with a pointer in the middle,
//! and then waits for input messages from the kernel: the pointer follows the tablet and typed
//! keys are echoed into a text box (US keymap, Shift honoured, Enter, Backspace; a full box
//! starts over empty).
//!
//! The first full flush puts the boot screen up: then it says so on the console (`[rost] boot
//! screen up, waiting for input`). Only what changed is flushed (fb_flush): a typed character its cell, a pointer move the
//! pointer's old and new rectangles (their union if they overlap). The pointer is drawn into the
//! framebuffer over a saved copy of the pixels beneath it; anything drawn where it lies hides it
//! first and shows it again after.
#![no_std]
#![no_main]

use ui::draw::{BLACK, Canvas, POINTER_H, POINTER_W, Rect, WHITE};
use ui::keymap;
use librost::abi::{INPUT_KEY, INPUT_POINTER, InputEvent};
use librost::{Line, fb_flush, fb_info, fb_map, recv_message};

/// Font scale of the echoed text: 16 x 16 pixel cells.
const SCALE: u32 = 2;
const CELL: u32 = 8 * SCALE;

struct Screen {
    px: &'static mut [u32],
    width: u32,
    height: u32,
    /// Inside of the text box, and the text cursor in cells.
    text_box: Rect,
    cursor: (u32, u32),
    shift: bool,
    /// Pointer hot spot in pixels, and the pixels it covers.
    pointer: (u32, u32),
    under: [u32; (POINTER_W * POINTER_H) as usize],
}

librost::entry!(main);

fn main(_: &[&[u8]]) -> u64 {
    let Ok((w, h)) = fb_info() else { return 1 };
    let Ok(fb) = fb_map() else { return 1 };
    // SAFETY: fb_map mapped w * h pixels read-write at `fb`, for this process alone.
    let px = unsafe { core::slice::from_raw_parts_mut(fb as *mut u32, w as usize * h as usize) };
    let mut subtitle = Line::new();
    subtitle.dec(w as u64).s(b"x").dec(h as u64).s(b" - type here, move the pointer");
    let text_box = Canvas::new(px, w, h).boot_screen(subtitle.as_bytes());
    // SAFETY: as above; the canvas borrow has ended.
    let px = unsafe { core::slice::from_raw_parts_mut(fb as *mut u32, w as usize * h as usize) };
    let mut s = Screen {
        px,
        width: w,
        height: h,
        text_box,
        cursor: (0, 0),
        shift: false,
        pointer: (w / 2, h / 2),
        under: [0; (POINTER_W * POINTER_H) as usize],
    };
    s.show_pointer();
    if fb_flush(0, 0, w, h).is_ok() {
        Line::new().s(b"[rost] boot screen up, waiting for input").send();
    }
    loop {
        if let Some(ev) = recv_message(u64::MAX).ok().and_then(|m| m.input_event()) {
            s.input(ev);
        }
    }
}

fn flush(r: Rect) {
    let _ = fb_flush(r.x, r.y, r.w, r.h); // the window manager's own rectangles: never refused
}

impl Screen {
    fn canvas(&mut self) -> Canvas<'_> {
        Canvas::new(self.px, self.width, self.height)
    }

    fn input(&mut self, ev: InputEvent) {
        match (ev.kind, ev.code as u16, ev.value) {
            (INPUT_KEY, code, value) if keymap::SHIFT_KEYS.contains(&code) => self.shift = value != 0,
            (INPUT_KEY, code, 1 | 2) => {
                if let Some(c) = keymap::ascii(code, self.shift) {
                    self.type_char(c);
                }
            }
            (INPUT_POINTER, _, _) => self.move_pointer(ev.x.min(self.width - 1), ev.y.min(self.height - 1)),
            _ => {}
        }
    }

    fn pointer_rect(&self) -> Rect {
        Rect::new(self.pointer.0, self.pointer.1, POINTER_W, POINTER_H)
    }

    fn show_pointer(&mut self) {
        let (r, (x, y)) = (self.pointer_rect(), self.pointer);
        let mut under = self.under;
        let mut c = self.canvas();
        c.save(r, &mut under);
        c.pointer(x, y);
        self.under = under;
    }

    fn hide_pointer(&mut self) {
        let (r, under) = (self.pointer_rect(), self.under);
        self.canvas().restore(r, &under);
    }

    fn move_pointer(&mut self, x: u32, y: u32) {
        if (x, y) == self.pointer {
            return;
        }
        let old = self.pointer_rect();
        self.hide_pointer();
        self.pointer = (x, y);
        self.show_pointer();
        let (new, (w, h)) = (self.pointer_rect(), (self.width, self.height));
        if old.intersects(new) {
            flush(old.union(new).clip(w, h));
        } else {
            flush(old.clip(w, h));
            flush(new.clip(w, h));
        }
    }

    /// Repaints `r` with `paint`, keeping the pointer on top, and flushes `r`.
    fn repaint(&mut self, r: Rect, paint: impl FnOnce(&mut Canvas)) {
        let covered = r.intersects(self.pointer_rect());
        if covered {
            self.hide_pointer();
        }
        paint(&mut self.canvas());
        if covered {
            self.show_pointer();
        }
        flush(r.clip(self.width, self.height));
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
