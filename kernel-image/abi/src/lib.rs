//! rost's system-call ABI: the one place that defines syscall numbers, how arguments and results
//! travel, error codes, and the fixed parts of a task's address space. The kernel and
//! user space (guest-apps/librost) both build against this crate, so nothing here may depend on either.
//!
//! # Calling convention
//! `svc #0` with the syscall number in `x8` and arguments in `x0`..`x5`; the result comes back in
//! `x0`. Every other register, including all FP/SIMD state (q0-q31, FPCR, FPSR), is preserved.
//! A result is a `u64`; read as an `i64`, values in `-4095..=-1` are errors ([`Error`]), anything
//! else is the syscall's success value. An `svc` with an immediate other than 0 or an unknown
//! number in `x8` returns [`Error::NoSys`].
#![no_std]

pub mod wm;

/// Syscall numbers, passed in `x8`. Each variant documents its arguments and result.
#[repr(u64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sysno {
    /// `print_debug(ptr: x0, len: x1) -> len`: writes `len` bytes of the caller's memory to the
    /// debug console as they are (no newline is added), in one piece: output of two tasks never
    /// interleaves within one call. [`Error::Inval`] if `len > PRINT_DEBUG_MAX`,
    /// [`Error::Fault`] unless the whole range is readable user memory of the caller.
    PrintDebug = 1,
    /// `getpid() -> pid`: the caller's process id (1-based, never reused).
    GetPid = 2,
    /// `yield() -> 0`: gives the CPU to the next ready process of the highest ready priority
    /// in round-robin order (back to the caller at once if no other is ready).
    Yield = 3,
    /// `sleep(ns: x0) -> 0`: blocks for `ns` nanoseconds rounded up to whole scheduler ticks
    /// (at least one tick). Sleeps count ticks, not wall-clock time: the task wakes on the
    /// `ceil(ns / tick)`-th tick interrupt after the call. The tick is [`TICK_NS`].
    Sleep = 4,
    /// `exit(code: x0) -> !`: ends the caller, which stays a zombie holding `code` until its
    /// parent's `wait` reaps it. Code 0 means success; any other code of a process the kernel
    /// started itself (the file server, see [`fs`]; it ends with the first nonzero code of the
    /// processes it started) makes the kernel's final power-off status nonzero.
    Exit = 5,
    /// `spawn(image: x0, len: x1, args: x2, nargs: x3, flags: x4) -> pid`: starts the
    /// static-PIE AArch64 program whose ELF file is the `len` bytes at `image` in the caller's
    /// memory (at most [`MAX_IMAGE`]) as a child of the caller. `args` points to `nargs` [`Arg`]s
    /// (1 to [`MAX_ARGS`], together at most [`MAX_ARGS_BYTES`] bytes), argument 0 first: by
    /// convention the program's path, which the kernel also names it by in a report of a file
    /// it refuses. The kernel copies image and arguments, so the caller may reuse its memory at
    /// once. `flags`: [`SPAWN_SERVER`] or 0. Errors: [`Error::Fault`] (bad pointer),
    /// [`Error::Inval`] (too large an image, too many or too long arguments, unknown flags),
    /// [`Error::NoExec`] (not a static-PIE AArch64 ELF rost can load), [`Error::NoMem`],
    /// [`Error::Perm`] (SPAWN_SERVER from a process that has not that right itself). Programs
    /// are files of the file server (see [`fs`]): librost's `spawn(path, args)` reads the file
    /// from it and makes this call.
    Spawn = 6,
    /// `wait(pid: x0) -> exit status`: blocks until the caller's child `pid` (0: any child) has
    /// ended, reaps it (its pid is gone afterwards) and returns `pid << 32 | status & 0xffff_ffff`
    /// where status is the exit code, or [`KILLED`] if it was killed. [`Error::Child`] if there is
    /// no such child.
    Wait = 7,
    /// `kill(pid: x0) -> 0`: ends process `pid`, which then waits as a zombie to be reaped by
    /// its parent. Permission rule: a process may kill itself, its own children and any
    /// application; a system server (the file server, the window manager) only its parent may
    /// kill: anything else is [`Error::Perm`] ([`Error::Srch`] if there is no live process `pid`).
    Kill = 8,
    /// `uptime() -> ns`: virtual nanoseconds since boot, from the generic timer.
    Uptime = 9,
    /// `send_message(pid: x0, msg: x1, flags: x2) -> 0`: copies the [`Message`] at `msg` into
    /// process `pid`'s mailbox ([`MAILBOX`] messages deep), the kernel stamping `sender` with the
    /// caller's pid (whatever the caller wrote there). Blocks while the mailbox is full
    /// (synchronous: the call returns once the message is delivered), or with [`SEND_NOWAIT`]
    /// in `flags` returns [`Error::Again`] instead (a server must not hang on a stuck client). [`Error::Srch`] if `pid`
    /// is not a live process, [`Error::Fault`] for a bad pointer. Pid 0 is the kernel, which
    /// takes only [`MSG_ROUTE_INPUT`] from the window manager.
    SendMessage = 10,
    /// `recv_message(buf: x0, timeout_ns: x1) -> 0`: takes the oldest message of the caller's
    /// mailbox into the [`Message`] at `buf`. Blocks up to `timeout_ns` (rounded up to ticks,
    /// like sleep) while the mailbox is empty: 0 polls without blocking, `u64::MAX` waits for
    /// ever. [`Error::Again`] if nothing came (poll or timeout), [`Error::Fault`] for a bad buffer.
    RecvMessage = 11,
    /// `shm_create(size: x0) -> id`: a zeroed shared-memory object of `size` bytes (rounded up to
    /// pages, at most [`SHM_MAX`]) owned by the caller. Ids are never reused. At most 64 objects
    /// of together at most 64 MiB exist at once: [`Error::NoMem`] beyond.
    ShmCreate = 12,
    /// `shm_map(id: x0, pid: x1) -> address`: with `pid` 0, maps object `id` read-write into the
    /// caller at `SHM_BASE + id * SHM_MAX` and returns that address; the caller must be the owner
    /// or have been granted the object. With another `pid` (owner only), grants that process the
    /// right to map it, returning 0. Permission: [`Error::Perm`]; unknown or destroyed id:
    /// [`Error::NoEnt`]; already mapped: [`Error::Inval`].
    ShmMap = 13,
    /// `shm_unmap(id: x0) -> 0`: removes the caller's mapping of `id`. [`Error::NoEnt`] if it has
    /// none.
    ShmUnmap = 14,
    /// `shm_destroy(id: x0) -> 0`: owner only; the id stops existing at once (no further map or
    /// grant), its memory is freed when the last mapping goes. An object is destroyed too when
    /// its owner ends; every mapping of a process goes when it is reaped.
    ShmDestroy = 15,
    /// `fb_info() -> width << 32 | height`: the display's size in pixels (32-bit 0x00RRGGBB
    /// pixels, rows `width` pixels apart). [`Error::NoEnt`] without a GPU.
    FbInfo = 16,
    /// `fb_map() -> address`: maps the scanout's backing memory read-write into the caller at
    /// [`FB_BASE`] and makes the caller the window manager: it receives the input events as
    /// messages from the kernel (sender 0, [`MSG_INPUT`]). Only a process with the server right
    /// ([`SPAWN_SERVER`]), and only one live process at a time: [`Error::Perm`] for any other.
    /// [`Error::NoEnt`] without a GPU.
    FbMap = 17,
    /// `fb_flush(x, y, w, h) -> 0`: has the host show that rectangle of the framebuffer (it is
    /// clipped to the display; only that rectangle is transferred). Window manager only.
    FbFlush = 18,
    /// `poll_event(buf: x0) -> 1 or 0`: takes the oldest input event the kernel sent the caller
    /// (a [`MSG_INPUT`] message from sender 0) out of its mailbox into the [`InputEvent::SIZE`]
    /// bytes at `buf` (as [`InputEvent::to_bytes`] lays them out), leaving other messages
    /// queued: 1 if there was one, 0 if not. Never blocks; to
    /// wait for input, block in `recv_message`.
    PollEvent = 19,
    /// `blk_read(sector: x0, buf: x1, count: x2) -> 0`: reads `count` (1..=[`BLK_MAX`])
    /// 512-byte sectors of the disk into `buf`. For the file server (guest-apps/fsd): the first
    /// process with the server right ([`SPAWN_SERVER`]) to call `blk_read` or `blk_write` owns
    /// the disk until it ends; anyone else gets [`Error::Perm`]. [`Error::NoEnt`] without a disk, [`Error::Inval`] for a bad count or a
    /// range past the end, [`Error::Io`] if the device fails.
    BlkRead = 20,
    /// `blk_write(sector: x0, buf: x1, count: x2) -> 0`: writes `count` sectors from `buf`
    /// and flushes the device's write cache, so the data is on the disk when the call returns.
    /// Same rules as `blk_read`.
    BlkWrite = 21,
    /// `wm_pid() -> pid`: the window manager's pid (the live process that holds the
    /// framebuffer, see `fb_map`), to which an application sends its window ([`wm`]).
    /// [`Error::NoEnt`] if there is none.
    WmPid = 22,
    /// `proc_info(after: x0, buf: x1) -> 0`: fills the [`ProcInfo`] at `buf` for the process
    /// (live or zombie) with the smallest pid above `after`: start at 0 and pass each pid back
    /// to list them all (the shell's `ps`). [`Error::Srch`] past the last one, [`Error::Fault`]
    /// for a bad buffer.
    ProcInfo = 23,
    /// `mem_info() -> free << 32 | total`: pages of the RAM the kernel hands out (page tables,
    /// process and shared memory, its own heap), free now and in all (the shell's `mem`).
    MemInfo = 24,
}

impl Sysno {
    /// Decodes a raw syscall number, `None` if there is no such syscall.
    pub const fn from_raw(n: u64) -> Option<Sysno> {
        Some(match n {
            1 => Sysno::PrintDebug,
            2 => Sysno::GetPid,
            3 => Sysno::Yield,
            4 => Sysno::Sleep,
            5 => Sysno::Exit,
            6 => Sysno::Spawn,
            7 => Sysno::Wait,
            8 => Sysno::Kill,
            9 => Sysno::Uptime,
            10 => Sysno::SendMessage,
            11 => Sysno::RecvMessage,
            12 => Sysno::ShmCreate,
            13 => Sysno::ShmMap,
            14 => Sysno::ShmUnmap,
            15 => Sysno::ShmDestroy,
            16 => Sysno::FbInfo,
            17 => Sysno::FbMap,
            18 => Sysno::FbFlush,
            19 => Sysno::PollEvent,
            20 => Sysno::BlkRead,
            21 => Sysno::BlkWrite,
            22 => Sysno::WmPid,
            23 => Sysno::ProcInfo,
            24 => Sysno::MemInfo,
            _ => return None,
        })
    }
}

/// Errors a syscall can return, as negative values in `x0`.
#[repr(i64)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// No such syscall (unknown number in `x8`, or `svc` immediate not 0).
    NoSys = -1,
    /// A pointer argument does not lie entirely in the caller's user memory.
    Fault = -2,
    /// An argument is out of range (e.g. a length above its limit).
    Inval = -3,
    /// No such file or directory.
    NoEnt = -4,
    /// No such process.
    Srch = -5,
    /// Not allowed (see the syscall's permission rule).
    Perm = -6,
    /// Out of memory or of process slots.
    NoMem = -7,
    /// Not a program rost can load.
    NoExec = -8,
    /// No such child to wait for.
    Child = -9,
    /// Nothing there yet (a poll found no message, or a receive timed out).
    Again = -10,
    /// The device reported an error.
    Io = -11,
}

impl Error {
    /// The value the kernel puts in `x0`.
    pub const fn to_ret(self) -> u64 {
        self as i64 as u64
    }

    /// A syscall's result read back: the success value, or the error (an error code this ABI
    /// does not know reads as [`Error::Inval`]).
    pub fn from_ret(ret: u64) -> Result<u64, Error> {
        const ALL: [Error; 11] = [
            Error::NoSys,
            Error::Fault,
            Error::Inval,
            Error::NoEnt,
            Error::Srch,
            Error::Perm,
            Error::NoMem,
            Error::NoExec,
            Error::Child,
            Error::Again,
            Error::Io,
        ];
        match ret as i64 {
            -4095..=-1 => Err(ALL.into_iter().find(|e| *e as i64 == ret as i64).unwrap_or(Error::Inval)),
            _ => Ok(ret),
        }
    }
}

/// One program argument as the kernel passes it, and as `spawn` takes them: a byte string.
/// A program starts with `x0` = the number of arguments and `x1` = a pointer to that many `Arg`s
/// on its stack (argument 0 is the program's path), the bytes they point to also on the stack.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub ptr: u64,
    pub len: u64,
}

/// What `proc_info` says about a process.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: u64,
    pub parent: u64,
    /// Virtual nanoseconds it has had the CPU (system calls included).
    pub cpu_ns: u64,
    /// One of the `PROC_*` states.
    pub state: u32,
    /// 0 an application, 1 a system server.
    pub prio: u32,
    /// The last part of its path (argument 0 at spawn), cut to 16 bytes, 0-padded.
    pub name: [u8; 16],
}

/// [`ProcInfo::state`]: ready or running.
pub const PROC_READY: u32 = 0;
/// Sleeping, waiting for a child, or for a message to arrive or to be taken.
pub const PROC_BLOCKED: u32 = 1;
/// Ended, not reaped yet.
pub const PROC_ZOMBIE: u32 = 2;

/// `spawn` flag: the child may become a system server, i.e. claim the framebuffer (`fb_map`) or
/// the disk (`blk_read`/`blk_write`). The file server, which the kernel starts, has that right,
/// and a process that has it may pass it on; nobody else can get it, so an ordinary program can
/// neither take the screen or the disk nor raise its own priority.
pub const SPAWN_SERVER: u64 = 1;

/// `send_message` flag: fail with [`Error::Again`] rather than wait for room in the mailbox.
pub const SEND_NOWAIT: u64 = 1;

/// Most arguments `spawn` passes on, argument 0 included.
pub const MAX_ARGS: u64 = 9;
/// Most bytes of arguments, all of them together.
pub const MAX_ARGS_BYTES: u64 = 512;
/// Largest program image (ELF file) `spawn` takes.
pub const MAX_IMAGE: u64 = 128 << 10;
/// What `wait` reports as the status of a killed process.
pub const KILLED: u32 = 0xffff_ffff;

/// Largest `len` `print_debug` accepts.
pub const PRINT_DEBUG_MAX: u64 = 4096;

/// The scheduler tick, which is also the granularity of `sleep`: 10 ms.
pub const TICK_NS: u64 = 10_000_000;

/// Where the loader puts a program's lowest segment: its static-PIE image is relocated to here.
pub const USER_IMAGE_BASE: u64 = 0x0040_0000;
/// One past the highest address a program image may occupy.
pub const USER_IMAGE_END: u64 = 0x0700_0000;
/// One past the top of every task's stack; `sp` starts here (below the arguments).
pub const USER_STACK_TOP: u64 = 0x0800_0000;
/// Size of every task's stack; the page below it is left unmapped as a guard.
pub const USER_STACK_SIZE: u64 = 64 * 1024;

/// Most sectors one `blk_read` / `blk_write` moves.
pub const BLK_MAX: u64 = 8;

/// Bytes of payload in a [`Message`] (a window protocol CreateWindow, 84 bytes, fits).
pub const MSG_PAYLOAD: usize = 96;
/// Messages a mailbox holds before senders block.
pub const MAILBOX: usize = 8;
/// Messages a mailbox holds for the kernel's own messages (input events, exit notices, routed
/// input), which never block: a burst of input (64 virtio event buffers) fits; beyond, they are
/// dropped. While it holds more than [`MAILBOX`], other senders block.
pub const KERNEL_MAILBOX: usize = 64;

/// An IPC message: what `send_message` takes and `recv_message` fills in.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// The sender's pid, written by the kernel (0: the kernel itself). Unforgeable.
    pub sender: u64,
    /// What the payload means: [`MSG_INPUT`], or any value the two programs agree on.
    pub kind: u32,
    /// Bytes of `payload` in use.
    pub len: u32,
    pub payload: [u8; MSG_PAYLOAD],
}

/// Message kind of an input event (payload: an [`InputEvent`]). The kernel sends these
/// (KernelToWM) to the window manager, the process that holds the framebuffer (`fb_map`), for
/// every key, button and pointer event of the virtio-input devices (dropped only while its
/// mailbox holds [`KERNEL_MAILBOX`] messages: the kernel never blocks), and to an application when the window manager routes an
/// event to it ([`MSG_ROUTE_INPUT`]). Sender 0 means it really came from the input devices.
pub const MSG_INPUT: u32 = 1;

/// WMToKernel RouteInput ([`wm::WmToKernel`]): the window manager sends this to pid 0 (the kernel) with payload
/// `app_pid` (u64) followed by an [`InputEvent`]; the kernel delivers the event to that
/// application as a [`MSG_INPUT`] message from sender 0 (if its mailbox has room). Only the
/// window manager may route input: anyone else gets [`Error::Perm`]; [`Error::Srch`] if the
/// application is not alive. Any other message to pid 0 is [`Error::Inval`].
pub const MSG_ROUTE_INPUT: u32 = 3;

/// Message kind of an exit notice (payload: the pid, u64). The kernel sends one (sender 0) to
/// every system server (the window manager and the file server) when any other process ends,
/// so that they can drop what they hold for it (dropped if the server's mailbox is full). The
/// file server also reaps the processes it started as their notices come.
pub const MSG_EXITED: u32 = 2;

/// One input event (in a [`MSG_INPUT`] payload, as [`InputEvent::to_bytes`] lays it out).
/// `kind`: [`INPUT_KEY`], [`INPUT_BUTTON`] or [`INPUT_POINTER`]. Keys and buttons: `code` is
/// the Linux evdev code, `value` 0 up, 1 down, 2 repeat. Pointer: `x`, `y` in display pixels.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputEvent {
    pub kind: u32,
    pub code: u32,
    pub value: u32,
    pub x: u32,
    pub y: u32,
}

/// [`InputEvent::kind`] of a key of a keyboard (evdev EV_KEY codes below 0x100).
pub const INPUT_KEY: u32 = 1;
/// [`InputEvent::kind`] of a button (evdev EV_KEY codes from 0x100: 272 left, 273 right, ...).
pub const INPUT_BUTTON: u32 = 2;
/// [`InputEvent::kind`] of a pointer position.
pub const INPUT_POINTER: u32 = 3;

impl InputEvent {
    /// Bytes of an event in a message payload: its five fields, little-endian, in order.
    pub const SIZE: usize = 20;

    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        for (i, v) in [self.kind, self.code, self.value, self.x, self.y].into_iter().enumerate() {
            b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// The event at the start of `bytes`, if there are [`InputEvent::SIZE`] of them.
    pub fn from_bytes(bytes: &[u8]) -> Option<InputEvent> {
        let b = bytes.get(..Self::SIZE)?;
        let word = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
        Some(InputEvent { kind: word(0), code: word(1), value: word(2), x: word(3), y: word(4) })
    }
}

impl Message {
    /// A message of `kind` carrying `payload` (cut to [`MSG_PAYLOAD`] bytes); `sender` is left 0,
    /// the kernel stamps it.
    pub fn new(kind: u32, payload: &[u8]) -> Message {
        let mut m = Message { sender: 0, kind, len: 0, payload: [0; MSG_PAYLOAD] };
        let n = payload.len().min(MSG_PAYLOAD);
        m.payload[..n].copy_from_slice(&payload[..n]);
        m.len = n as u32;
        m
    }

    /// The input event of a [`MSG_INPUT`] message from the kernel (sender 0), the only input
    /// that is real; None for any other message.
    pub fn input_event(&self) -> Option<InputEvent> {
        (self.sender == 0 && self.kind == MSG_INPUT).then(|| InputEvent::from_bytes(&self.payload)).flatten()
    }

    /// The payload's `u64` at byte `at` (little-endian), 0 past the end.
    pub fn u64_at(&self, at: usize) -> u64 {
        self.payload.get(at..at + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()))
    }
}

/// Largest shared-memory object, and the address space each id gets.
pub const SHM_MAX: u64 = 8 << 20;
/// Where shared-memory object `id` is mapped: `SHM_BASE + id * SHM_MAX`.
pub const SHM_BASE: u64 = 0x40_0000_0000;
/// Most shared-memory ids ever: they must stay inside the 39-bit address space.
pub const SHM_IDS: u64 = (1 << 39) / SHM_MAX - SHM_BASE / SHM_MAX;
/// Where `fb_map` puts the framebuffer.
pub const FB_BASE: u64 = 0x20_0000_0000;

/// The file protocol: messages to the file server (guest-apps/fsd), which owns the disk
/// (`blk_read`/`blk_write`) and serves FAT16 files to everyone else. It is process
/// [`fs::SERVER`]: built into the kernel image, it is the only process the kernel starts, with
/// the server right and as a system server (priority 1), and the bootargs' words as its
/// arguments; it starts the rest (`rost.init=<path>` from the disk, else the boot screen or the
/// task demo built into it), and ends once all it started have ended, with the first nonzero
/// exit code among them. Each request is answered with a message of the same kind whose payload
/// starts with an `i64` result (an [`Error`] value if negative). Numbers are little-endian; paths
/// are absolute, their names long (VFAT) or 8.3, matched case-insensitively. A name the server
/// creates is 1 to 255 printable ASCII characters, none of `"*/:<>?\|`, not `.` or `..`, not
/// ending in a dot or space (else [`Error::Inval`]). Entries are stamped with the server's
/// clock: rost has no calendar, so it counts from 2026-01-01 00:00 UTC at boot (the uptime).
/// A descriptor belongs to the process that opened it (the kernel-stamped sender); others get
/// [`Error::Perm`]. Each descriptor has an offset that reads and writes advance.
pub mod fs {
    /// The file server's pid.
    pub const SERVER: u64 = 1;
    /// payload: flags (u8: [`CREATE`]) then the path. Result: a descriptor. A directory can be
    /// opened (for READDIR) but not read or written. Creating: [`Error::NoEnt`] without the
    /// directory, [`Error::Inval`] for an invalid name, [`Error::NoMem`] when the disk or the
    /// root directory is full.
    pub const OPEN: u32 = 0x100;
    /// payload: fd (u32), most bytes wanted (u32, at most [`DATA`]). Result: bytes read (0 at the
    /// end), which follow the result at payload offset 8.
    pub const READ: u32 = 0x101;
    /// payload: fd (u32), then the bytes (at most [`DATA`]; the message's `len` says how many).
    /// Writes at the offset, growing the file as needed. Result: bytes written.
    pub const WRITE: u32 = 0x102;
    /// payload: fd (u32). Result: 0.
    pub const CLOSE: u32 = 0x103;
    /// payload: the path. Result: 0, then at offset 8 the size (u32), at 12 1 for a directory
    /// (else 0), at 13 the name's length in bytes (u8, at most [`NAME`]), at 14 the date and at
    /// 16 the time it was last written (u16 each, FAT-packed: bits 15-9 years since 1980, 8-5
    /// month, 4-0 day; 15-11 hours, 10-5 minutes, 4-0 seconds / 2), and at 18 its name as shown
    /// (the long name, else the 8.3 one as `README.TXT`), cut to [`NAME`] bytes.
    pub const STAT: u32 = 0x104;
    /// payload: fd of an open directory (u32), index (u32). Result: 0 and entry `index` (`.` and
    /// `..` left out) described as by STAT; [`Error::NoEnt`] past the last entry.
    pub const READDIR: u32 = 0x105;
    /// payload: fd (u32), new offset (u32). Result: 0.
    pub const SEEK: u32 = 0x106;
    /// The whole file at once, for a program to start (librost's `spawn`): payload fd (u32) of a
    /// file of 1 to [`MAX_IMAGE`](crate::MAX_IMAGE) bytes. Result: the id of a shared-memory
    /// object the server made, holding the file's bytes from its start and granted to the
    /// caller, then at offset 8 the file's size (u32). The object is destroyed when the
    /// descriptor is closed (so map it, use it and unmap it before). Bulk data goes through
    /// shared memory, as READ moves only [`DATA`] bytes a message; each MAP takes a new
    /// shared-memory id (ids are never reused).
    pub const MAP: u32 = 0x107;
    /// payload: the path of a new directory. Result: 0. Errors: [`Error::NoEnt`] without the
    /// parent directory, [`Error::Inval`] for an invalid name or one that exists,
    /// [`Error::NoMem`] when the disk or the root directory is full.
    pub const MKDIR: u32 = 0x108;
    /// Renames (or moves) a file or directory, which keeps its content and times: payload the
    /// old path's length (u8), the old path, then the new path (so both fit one message
    /// together). Result: 0. Errors: [`Error::NoEnt`] if the old path or the new one's
    /// directory does not exist, [`Error::Inval`] for a malformed payload, an invalid new name,
    /// a new path that exists, the root, a directory moved into itself, or a new directory
    /// that is full. Open descriptors of the entry stay valid.
    pub const RENAME: u32 = 0x109;
    /// payload: the path of a file or an empty directory, which is removed and its clusters
    /// freed. Result: 0. Errors: [`Error::NoEnt`] if it does not exist, [`Error::Inval`] for
    /// the root or a directory with entries, [`Error::Perm`] while a descriptor has it open.
    pub const DELETE: u32 = 0x10a;
    /// OPEN flag: create the file (empty) if it does not exist.
    pub const CREATE: u8 = 1;
    /// OPEN flag: empty the file (its clusters freed), as a save that rewrites it needs;
    /// [`Error::Inval`] for a directory, [`Error::Perm`] while a descriptor has it open.
    pub const TRUNCATE: u8 = 2;
    /// Most data bytes in one READ or WRITE.
    pub const DATA: usize = 56;
    /// Most bytes of a name in a STAT or READDIR answer.
    pub const NAME: usize = 46;
}
