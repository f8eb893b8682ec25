//! terminal: rost's console window. A shell (shell.rs) over a scrollback console with line
//! editing and history (console.rs), drawn with the toolkit (librost::window, 8x16 text). What
//! it prints also goes to the debug console (`[terminal] ...` lines), so that tests and
//! headless runs can read the session.
#![no_std]
#![no_main]

mod console;
mod shell;

use console::Console;
use librost::Line;
use librost::ui::draw::{CHAR_H, CHAR_W, Rect};
use librost::ui::keymap::Key;
use librost::window::{Event, Window};

const BG: u32 = 0x14_181f;
const FG: u32 = 0xd8_dee9;
const PROMPT_FG: u32 = 0x5e_9cd6;
const CURSOR: u32 = 0xe8_b45a;
const PAD: u32 = 8;
const PROMPT: &[u8] = b"$ ";

static mut CONSOLE: Console = Console::new();

librost::entry!(main);

fn main(_: &[&[u8]]) -> u64 {
    let Ok(mut win) = Window::open(b"Terminal") else {
        Line::new().s(b"[terminal] no window manager").send();
        return 1;
    };
    // SAFETY: the only reference to CONSOLE, taken once (too large for the 64 KiB stack).
    let c = unsafe { &mut *&raw mut CONSOLE };
    c.write(b"rost terminal - type help\n");
    let (mut scroll, mut focused) = (0usize, false);
    loop {
        match win.next_event() {
            Event::Resize { width, .. } => {
                c.width = ((width.saturating_sub(2 * PAD)) / CHAR_W).max(1) as usize;
                draw(&mut win, c, scroll, focused);
            }
            Event::Focus(f) => {
                focused = f;
                draw(&mut win, c, scroll, focused);
            }
            Event::Redraw => draw(&mut win, c, scroll, focused),
            Event::Close => break,
            Event::Key(k) => {
                let mut exit = false;
                // Editing keys change the input line alone: only its row is drawn (and shown).
                let edit_only = matches!(k, Key::Char(_) | Key::Backspace | Key::Left | Key::Right | Key::Home | Key::End | Key::Up | Key::Down);
                match k {
                    Key::Char(ch) if ch >= 0x20 => c.insert(ch),
                    Key::Backspace => c.backspace(),
                    Key::Left => c.left(),
                    Key::Right => c.right(),
                    Key::Home => c.home(),
                    Key::End => c.end(),
                    Key::Up => c.history(true),
                    Key::Down => c.history(false),
                    Key::PageUp => scroll += rows(&win) / 2,
                    Key::PageDown => scroll = scroll.saturating_sub(rows(&win) / 2),
                    Key::Ctrl(b'l') => c.clear(),
                    Key::Enter => {
                        let line = c.take_input();
                        c.write(PROMPT);
                        c.write(line.as_bytes());
                        c.write(b"\n");
                        Line::new().s(b"[terminal] $ ").s(line.as_bytes()).send();
                        let before = c.len();
                        exit = matches!(shell::run(c, line.as_bytes()), shell::After::Exit);
                        for i in before.saturating_sub(1)..c.len().saturating_sub(1) {
                            Line::new().s(b"[terminal] ").s(c.line(i)).send();
                        }
                        scroll = 0;
                    }
                    _ => {}
                }
                if exit {
                    break;
                }
                scroll = scroll.min(c.len());
                if edit_only && scroll == 0 {
                    draw_input(&mut win, c, focused);
                } else {
                    draw(&mut win, c, scroll, focused);
                }
            }
            Event::Click { .. } => {}
        }
    }
    win.exit();
    0
}

fn rows(win: &Window) -> usize {
    (win.size().1.saturating_sub(2 * PAD) / CHAR_H) as usize
}

/// Draws the console's last lines (`scroll` lines up from the bottom), the prompt line last; the
/// cursor is a solid block while the window has the focus, an outline otherwise.
fn draw(win: &mut Window, c: &Console, scroll: usize, focused: bool) {
    let (w, h) = win.size();
    paint(win, c, scroll, focused, Rect::new(0, 0, w, h));
}

/// Draws only the row of the input line (scrolled to the bottom): what an editing key changes.
fn draw_input(win: &mut Window, c: &Console, focused: bool) {
    let row = (c.len().min(rows(win)) as u32).saturating_sub(1);
    let w = win.size().0;
    paint(win, c, 0, focused, Rect::new(0, PAD + row * CHAR_H, w, CHAR_H));
}

/// `draw` limited to `changed`: the rest of the window stays as it is and is not shown again.
fn paint(win: &mut Window, c: &Console, scroll: usize, focused: bool, changed: Rect) {
    let (w, h) = win.size();
    let rows = rows(win);
    if rows == 0 {
        return;
    }
    // The console's lines and then the input line; the console's last line is open (empty after
    // a newline), so the input takes its place.
    let total = c.len(); // lines 0..total-1 done, the last is where the prompt goes
    let bottom = total.saturating_sub(scroll);
    let top = bottom.saturating_sub(rows);
    let mut canvas = win.canvas(changed);
    canvas.fill(Rect::new(0, 0, w, h), BG);
    for (row, i) in (top..bottom).enumerate() {
        let y = PAD + row as u32 * CHAR_H;
        if i + 1 == total {
            let x = canvas.text16(PAD, y, c.line(i), FG, None).w + PAD;
            let p = canvas.text16(x, y, PROMPT, PROMPT_FG, None);
            let input = c.input.as_bytes();
            canvas.text16(p.x + p.w, y, input, FG, None);
            let cx = p.x + p.w + c.cursor as u32 * CHAR_W;
            let cell = Rect::new(cx, y, CHAR_W, CHAR_H);
            if focused {
                canvas.fill(cell, CURSOR);
                if let Some(&ch) = input.get(c.cursor) {
                    canvas.text16(cx, y, &[ch], BG, None);
                }
            } else {
                canvas.frame(cell, 1, CURSOR);
            }
        } else {
            canvas.text16(PAD, y, c.line(i), FG, None);
        }
    }
    win.show();
}
