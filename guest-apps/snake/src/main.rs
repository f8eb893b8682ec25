//! snake: the game, in a window. The rules are the snakegame crate's (pure, host-tested); this
//! app runs them on virtual time (a step every `PERIOD` of the kernel's clock, waiting for
//! input in between with `next_event_within`), maps the arrow keys to turns and Space/Enter to
//! a new game, keeps the high score in `/SNAKE.HI` (read at start, written when beaten) and
//! draws with the toolkit (draw.rs). What happens also goes to the debug console as
//! `[snake] ...` lines, for tests and headless runs.
#![no_std]
#![no_main]

mod draw;

use librost::file::Fs;
use librost::ui::keymap::Key;
use librost::window::{Event, Window};
use librost::{Line, uptime};
use snakegame::{Dir, Game, State, Step, high_text, parse_high};

/// Virtual time between two moves.
const PERIOD: u64 = 100_000_000;
/// The food generator's seed: the same games on every machine.
const SEED: u32 = 0x2026_5eed;
const HIGH_FILE: &[u8] = b"/SNAKE.HI";

static mut GAME: Option<Game> = None;

librost::entry!(main);

fn main(_: &[&[u8]]) -> u64 {
    // Before the window: the file client drops window messages that come while it waits.
    let mut high = read_high();
    Line::new().s(b"[snake] high score ").dec(high as u64).send();
    let Ok(mut win) = Window::open(b"Snake") else {
        Line::new().s(b"[snake] no window manager").send();
        return 1;
    };
    // SAFETY: the only reference to GAME, taken once (the board is too large for the stack).
    let g = unsafe { (*&raw mut GAME).insert(Game::new(SEED)) };
    let mut next = 0;
    loop {
        if g.state == State::Playing {
            let now = uptime();
            if now >= next {
                next = (next + PERIOD).max(now); // a late step does not cause a burst
                let (tail, head) = (g.cells().last(), g.head());
                match g.step() {
                    Step::Moved | Step::Idle => draw::moved(&mut win, g, tail, head),
                    Step::Ate => {
                        Line::new().s(b"[snake] ate: score ").dec(g.score as u64).s(b", length ").dec(g.len() as u64).send();
                        draw::moved(&mut win, g, None, head);
                        draw::header(&mut win, g, high);
                    }
                    Step::Died => {
                        Line::new().s(b"[snake] game over: score ").dec(g.score as u64).send();
                        if g.score > high {
                            high = g.score;
                            save_high(high);
                        }
                        draw::all(&mut win, g, high);
                    }
                }
                win.show();
                continue;
            }
        }
        let event = match g.state {
            State::Playing => win.next_event_within(next - uptime().min(next)),
            _ => Some(win.next_event()),
        };
        let Some(event) = event else { continue };
        match event {
            Event::Resize { .. } | Event::Redraw => draw::all(&mut win, g, high),
            Event::Focus(_) | Event::Click { .. } => continue,
            Event::Close => break,
            Event::Key(k) => {
                let dir = match k {
                    Key::Up => Some(Dir::Up),
                    Key::Down => Some(Dir::Down),
                    Key::Left => Some(Dir::Left),
                    Key::Right => Some(Dir::Right),
                    _ => None,
                };
                match (dir, g.state) {
                    (Some(d), State::Ready) => {
                        g.turn(d);
                        next = uptime() + PERIOD;
                        Line::new().s(b"[snake] go").send();
                        draw::all(&mut win, g, high);
                    }
                    (Some(d), State::Playing) => g.turn(d),
                    (None, State::Over) if matches!(k, Key::Char(b' ') | Key::Enter) => {
                        g.restart();
                        Line::new().s(b"[snake] new game").send();
                        draw::all(&mut win, g, high);
                    }
                    _ => continue,
                }
            }
        }
        win.show();
    }
    win.exit();
    0
}

/// The high score of /SNAKE.HI, 0 if there is none or it says nothing sensible.
fn read_high() -> u32 {
    let fs = Fs::SERVER;
    let Ok(fd) = fs.open(HIGH_FILE, false) else { return 0 };
    let mut text = [0u8; 16];
    let n = fs.read(fd, &mut text).unwrap_or(0);
    let _ = fs.close(fd);
    parse_high(&text[..n])
}

fn save_high(high: u32) {
    let fs = Fs::SERVER;
    let mut buf = [0u8; 11];
    let saved = fs.open(HIGH_FILE, true).and_then(|fd| {
        let w = fs.write(fd, high_text(high, &mut buf));
        let _ = fs.close(fd);
        w
    });
    match saved {
        Ok(_) => Line::new().s(b"[snake] new high score ").dec(high as u64).s(b" saved to /SNAKE.HI").send(),
        Err(_) => Line::new().s(b"[snake] could not save the high score").send(),
    }
}
