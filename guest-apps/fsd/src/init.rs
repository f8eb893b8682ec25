//! fsd's other duty: it is process 1, the only process the kernel starts, and it starts the rest
//! (abi::fs). The kernel passes it the words of the bootargs as arguments:
//! - `rost.init=<path>`: that program from the disk, with its path as argument 0 and the words
//!   after a `--` word as its further arguments, as Linux passes them to init (`[rost] starting
//!   <path>`; `[rost] no program <path> on the disk` if it cannot);
//! - `rost.desktop`: the desktop, i.e. the window manager /BIN/WM from the disk, the same way
//!   (the boot screen stays the default for now);
//! - else, on a machine with a GPU (and no `rost.demo=tasks`): the boot screen built into fsd
//!   (guest-apps/screen), which becomes the window manager;
//! - else the task demo built into fsd (guest-apps/demo): ten processes, one per task
//!   (`[rost] starting 10 tasks`).
//!
//! All of them may claim a device (abi::SPAWN_SERVER). fsd reaps each when the kernel reports
//! its end (MSG_EXITED), and once none is left it exits with the first nonzero exit code among
//! them (a killed process does not count, as with any process the kernel itself started): the
//! kernel then powers off with a nonzero status, and a test run fails.

use fat::{Cache, Fat};
use librost::abi::{KILLED, MAX_ARGS, MAX_IMAGE, SPAWN_SERVER};
use librost::{Line, fb_info, spawn_image, wait};

/// The boot screen (guest-apps/screen), the window manager of a machine with a GPU.
static SCREEN: &[u8] = include_bytes!("../../build/screen.elf");
/// The demo program (guest-apps/demo) and its tasks, in the order they are started.
static DEMO: &[u8] = include_bytes!("../../build/demo.elf");
const DEMO_TASKS: [&[u8]; 10] = [
    b"hello",
    b"spin",
    b"read_kernel",
    b"bad_pointers",
    b"fp_registers",
    b"fp_noise",
    b"crash_undefined",
    b"crash_brk",
    b"crash_exec_kernel",
    b"crash_write_text",
];

/// The processes fsd started and has not reaped yet, and the exit status to end with.
pub struct Children {
    pub left: usize,
    pub status: u64,
}

/// Starts what the bootargs (`args`) ask for.
pub fn start(vol: Option<&Fat>, d: &mut Cache<crate::Blk>, args: &[&[u8]]) -> Children {
    let desktop = args.contains(&&b"rost.desktop"[..]).then_some(&b"/BIN/WM"[..]);
    if let Some(path) = args.iter().find_map(|a| a.strip_prefix(b"rost.init=")).or(desktop) {
        Line::new().s(b"[rost] starting ").s(path).send();
        let image = vol.and_then(|v| v.lookup(d, path).filter(|e| e.size as u64 <= MAX_IMAGE).and(v.read_file(d, path)));
        let mut argv = [&b""[..]; MAX_ARGS as usize];
        argv[0] = path;
        let extra = args.iter().position(|a| *a == b"--").map_or(&[][..], |i| &args[i + 1..]);
        let argc = 1 + extra.len().min(argv.len() - 1);
        argv[1..argc].copy_from_slice(&extra[..argc - 1]);
        if spawn_image(&image.unwrap_or_default(), &argv[..argc], SPAWN_SERVER).is_err() {
            Line::new().s(b"[rost] no program ").s(path).s(b" on the disk").send();
            return Children { left: 0, status: 1 };
        }
        return Children { left: 1, status: 0 };
    }
    if fb_info().is_ok() && !args.contains(&&b"rost.demo=tasks"[..]) {
        spawn_image(SCREEN, &[b"screen"], SPAWN_SERVER).expect("the built-in boot screen loads");
        return Children { left: 1, status: 0 };
    }
    for task in DEMO_TASKS {
        spawn_image(DEMO, &[b"demo", task], SPAWN_SERVER).expect("the built-in demo loads");
    }
    Line::new().s(b"[rost] starting ").dec(DEMO_TASKS.len() as u64).s(b" tasks").send();
    Children { left: DEMO_TASKS.len(), status: 0 }
}

impl Children {
    /// Process `pid` ended: reaps it if it is one of them.
    pub fn ended(&mut self, pid: u64) {
        if let Ok((_, status)) = wait(pid) {
            self.left -= 1;
            if self.status == 0 && status != 0 && status != KILLED {
                self.status = status as u64;
            }
        }
    }
}
