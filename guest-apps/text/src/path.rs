//! Absolute paths of the file server (`/DOCS/WEB/INDEX.HTM`) in a fixed array, so that Files
//! and the Editor can go into folders and back up without a heap; what a file opens with; and
//! the listing's order and columns.

use core::cmp::Ordering;

/// Most bytes of a path (a file-server request holds at most 63).
pub const MAX: usize = 63;

#[derive(Clone, Copy, Debug)]
pub struct Path {
    bytes: [u8; MAX],
    len: usize,
}

impl Path {
    /// The root, `/`.
    pub const fn root() -> Path {
        let mut bytes = [0; MAX];
        bytes[0] = b'/';
        Path { bytes, len: 1 }
    }

    /// `p` made absolute (a `/` put in front if missing), without trailing slashes; None if too
    /// long or empty.
    pub fn new(p: &[u8]) -> Option<Path> {
        let mut path = Path::root();
        for name in p.split(|&b| b == b'/').filter(|n| !n.is_empty()) {
            path = path.join(name)?;
        }
        Some(path)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn is_root(&self) -> bool {
        self.len == 1
    }

    /// `self/name`; None if that is longer than MAX or `name` is empty or holds a `/`.
    pub fn join(&self, name: &[u8]) -> Option<Path> {
        if name.is_empty() || name.contains(&b'/') {
            return None;
        }
        let sep = usize::from(!self.is_root());
        let len = self.len + sep + name.len();
        if len > MAX {
            return None;
        }
        let mut p = *self;
        if sep == 1 {
            p.bytes[p.len] = b'/';
        }
        p.bytes[self.len + sep..len].copy_from_slice(name);
        p.len = len;
        Some(p)
    }

    /// The folder holding this entry (the root's parent is the root).
    pub fn parent(&self) -> Path {
        let slash = self.as_bytes().iter().rposition(|&b| b == b'/').unwrap_or(0);
        let mut p = *self;
        p.len = slash.max(1);
        p
    }

    /// The last name (empty for the root).
    pub fn name(&self) -> &[u8] {
        let slash = self.as_bytes().iter().rposition(|&b| b == b'/').unwrap_or(0);
        &self.as_bytes()[slash + 1..]
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Path {}

/// What opening a file does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Opener {
    /// A folder: go in.
    Enter,
    /// A program (a file in /BIN): run it.
    Run,
    /// A web page (`.htm`, `.html`): the Browser.
    Browse,
    /// Anything else, as text: the Editor.
    Edit,
}

/// The Browser, the Editor: the programs files open in.
pub const BROWSER: &[u8] = b"/BIN/BROWSER";
pub const EDITOR: &[u8] = b"/BIN/EDITOR";

/// What opening the entry at `path` does.
pub fn opener(path: &Path, dir: bool) -> Opener {
    let ext = extension(path.name());
    if dir {
        Opener::Enter
    } else if path.parent().as_bytes().eq_ignore_ascii_case(b"/BIN") {
        Opener::Run
    } else if ext.eq_ignore_ascii_case(b"htm") || ext.eq_ignore_ascii_case(b"html") {
        Opener::Browse
    } else {
        Opener::Edit
    }
}

/// The part after the last dot (empty without one).
pub fn extension(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => b"",
    }
}

/// The listing's order: folders first, then names, ignoring case.
pub fn order(a: (bool, &[u8]), b: (bool, &[u8])) -> Ordering {
    b.0.cmp(&a.0).then_with(|| a.1.iter().map(u8::to_ascii_lowercase).cmp(b.1.iter().map(u8::to_ascii_lowercase)))
}

/// A size as the listing shows it, right-aligned in 8 columns: `   512 B`, `  12 KiB`.
pub fn size(bytes: u32, out: &mut [u8; 8]) -> &[u8] {
    let (mut value, unit): (u32, &[u8]) = match bytes {
        0..1024 => (bytes, b" B"),
        1024..0x10_0000 => (bytes.div_ceil(1024), b" KiB"),
        _ => (bytes.div_ceil(0x10_0000), b" MiB"),
    };
    out.fill(b' ');
    let mut at = out.len() - unit.len();
    out[at..].copy_from_slice(unit);
    loop {
        at -= 1;
        out[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 || at == 0 {
            break;
        }
    }
    out
}

/// A date and time as `2026-01-01 12:05`.
pub fn date((y, mo, d, h, mi, _): (u16, u8, u8, u8, u8, u8), out: &mut [u8; 16]) -> &[u8] {
    let two = |v: u8| [b'0' + v / 10 % 10, b'0' + v % 10];
    let year = [b'0' + (y / 1000 % 10) as u8, b'0' + (y / 100 % 10) as u8, b'0' + (y / 10 % 10) as u8, b'0' + (y % 10) as u8];
    out[..4].copy_from_slice(&year);
    out[4] = b'-';
    out[5..7].copy_from_slice(&two(mo));
    out[7] = b'-';
    out[8..10].copy_from_slice(&two(d));
    out[10] = b' ';
    out[11..13].copy_from_slice(&two(h));
    out[13] = b':';
    out[14..16].copy_from_slice(&two(mi));
    out
}
