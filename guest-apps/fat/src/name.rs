//! Names and times of directory entries, pure logic: VFAT long file names (the 13-character
//! pieces of long-name entries, their checksum over the short name, the `~N` alias a long name
//! gets as its 8.3 name) and FAT's packed date and time.
//!
//! Long names are ASCII here: a name fsd creates may hold printable ASCII except `"*/:<>?\|`;
//! reading a name another system wrote, characters beyond ASCII come out as `?`.

use crate::le;

/// Longest long name (VFAT's limit).
pub const MAX_NAME: usize = 255;
/// Characters one long-name entry holds, and their byte offsets in it (UCS-2).
const PIECE: usize = 13;
const PIECE_AT: [usize; PIECE] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
/// The flag on the ordinal of the last piece (stored first).
pub(crate) const LAST_PIECE: u8 = 0x40;

/// The checksum of a short name that each of its long-name entries carries.
pub fn checksum(short: &[u8; 11]) -> u8 {
    short.iter().fold(0u8, |sum, &b| (sum >> 1 | sum << 7).wrapping_add(b))
}

/// Whether `name` may be created: 1 to MAX_NAME printable ASCII characters, none of them a
/// path separator or one FAT forbids, not `.` or `..`, not ending in a dot or space.
pub fn valid(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name != b"."
        && name != b".."
        && !matches!(name.last(), Some(b'.' | b' '))
        && name.iter().all(|&c| (0x20..0x7f).contains(&c) && !b"\"*/:<>?\\|".contains(&c))
}

/// Whether `name` is stored as it is in a short entry alone: a valid upper-case 8.3 name.
pub fn plain_short(name: &[u8]) -> Option<[u8; 11]> {
    let short = crate::short_name(name)?;
    let ok = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit() || b"!#$%&'()-@^_`{}~".contains(&c);
    let dots = name.iter().filter(|&&c| c == b'.').count();
    (dots <= 1 && name.iter().all(|&c| c == b'.' || ok(c))).then_some(short)
}

/// The `n`th alias of long name `name`, as Windows and Linux make them: the upper-cased base
/// (without spaces and dots, other characters not allowed in short names as `_`) cut so that
/// `~n` fits in 8, and the first 3 characters of the last extension.
pub fn alias(name: &[u8], n: u32) -> [u8; 11] {
    let clean = |c: u8| match c.to_ascii_uppercase() {
        b'+' | b',' | b';' | b'=' | b'[' | b']' => Some(b'_'),
        b' ' | b'.' => None,
        c => Some(c),
    };
    let (base, ext) = match name.iter().rposition(|&c| c == b'.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot + 1..]),
        _ => (name, &[][..]),
    };
    let mut out = [b' '; 11];
    for (slot, c) in out[8..].iter_mut().zip(ext.iter().filter_map(|&c| clean(c))) {
        *slot = c;
    }
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut v = n;
    while v > 0 || len == 0 {
        digits[len] = b'0' + (v % 10) as u8;
        (v, len) = (v / 10, len + 1);
    }
    let keep = 8 - 1 - len;
    let mut used = 0;
    for c in base.iter().filter_map(|&c| clean(c)).take(keep) {
        out[used] = c;
        used += 1;
    }
    if used == 0 {
        out[0] = b'_';
        used = 1;
    }
    out[used] = b'~';
    for (i, d) in digits[..len].iter().rev().enumerate() {
        out[used + 1 + i] = *d;
    }
    out
}

/// How many long-name entries `name` takes.
pub fn pieces(name: &[u8]) -> usize {
    name.len().div_ceil(PIECE)
}

/// Long-name entry `k` (0: the one with the first 13 characters) of `name`, for short name
/// `short`: ordinal k + 1 (flagged as the last on the last piece), a 0 after the name's end,
/// then 0xffff.
pub fn piece(name: &[u8], k: usize, short: &[u8; 11]) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0] = (k + 1) as u8 | if k + 1 == pieces(name) { LAST_PIECE } else { 0 };
    e[11] = crate::ATTR_LFN;
    e[13] = checksum(short);
    for (i, &at) in PIECE_AT.iter().enumerate() {
        let pos = k * PIECE + i;
        let ch: u16 = match pos.cmp(&name.len()) {
            core::cmp::Ordering::Less => name[pos] as u16,
            core::cmp::Ordering::Equal => 0,
            core::cmp::Ordering::Greater => 0xffff,
        };
        e[at..at + 2].copy_from_slice(&ch.to_le_bytes());
    }
    e
}

/// A long name read back from its entries, which come in disk order (last piece first).
/// `push` takes each; `finish` checks it against the short entry that follows.
pub struct LongName {
    buf: [u8; MAX_NAME],
    len: usize,
    /// The ordinal the next piece must have (0: none expected), and the checksum all share.
    expect: u8,
    sum: u8,
    valid: bool,
}

impl LongName {
    pub const fn new() -> LongName {
        LongName { buf: [0; MAX_NAME], len: 0, expect: 0, sum: 0, valid: false }
    }

    /// Takes long-name entry `e`; a piece out of order spoils the name (the short name is used).
    pub fn push(&mut self, e: &[u8]) {
        let ord = e[0] & !LAST_PIECE;
        if e[0] & LAST_PIECE != 0 {
            *self = LongName::new();
            if ord == 0 || ord as usize * PIECE > MAX_NAME + PIECE - 1 {
                return;
            }
            (self.expect, self.sum, self.valid) = (ord, e[13], true);
            self.len = 0;
        } else if !self.valid || ord != self.expect || e[13] != self.sum {
            self.valid = false;
            return;
        }
        let first = (ord as usize - 1) * PIECE;
        for (i, &at) in PIECE_AT.iter().enumerate() {
            let ch = le(e, at, 2) as u16;
            if ch == 0 || ch == 0xffff {
                break;
            }
            let pos = first + i;
            if pos >= MAX_NAME {
                self.valid = false;
                return;
            }
            self.buf[pos] = if ch < 0x80 { ch as u8 } else { b'?' };
            // The last piece comes first and sets the length; earlier ones fill in below it.
            if e[0] & LAST_PIECE != 0 {
                self.len = pos + 1;
            }
        }
        if e[0] & LAST_PIECE != 0 && self.len <= first && ord > 1 {
            self.len = first; // the last piece held only the terminator
        }
        self.expect = ord - 1;
    }

    /// The name, if all pieces came and their checksum is that of `short`; resets for the next.
    pub fn finish(&mut self, short: &[u8; 11]) -> Option<([u8; MAX_NAME], usize)> {
        let ok = self.valid && self.expect == 0 && self.len > 0 && self.sum == checksum(short);
        let out = (self.buf, self.len);
        *self = LongName::new();
        ok.then_some(out)
    }
}

/// An 8.3 name as people write it: `README.TXT`, lower-cased where the entry's case flags
/// (byte 12, as Windows NT and Linux set them) say so.
pub fn display_short(short: &[u8; 11], case: u8) -> ([u8; 12], usize) {
    let mut out = [0u8; 12];
    let mut n = 0;
    let lower = |c: u8, flag: u8| if case & flag != 0 { c.to_ascii_lowercase() } else { c };
    for &c in short[..8].iter().filter(|&&c| c != b' ') {
        out[n] = lower(c, 0x08);
        n += 1;
    }
    if short[8] != b' ' {
        out[n] = b'.';
        n += 1;
        for &c in short[8..].iter().filter(|&&c| c != b' ') {
            out[n] = lower(c, 0x10);
            n += 1;
        }
    }
    if out[0] == 0x05 {
        out[0] = 0xe5; // the stored form of a name that starts with 0xe5
    }
    (out, n)
}

/// A moment as FAT stores it: date (bits 15-9 years since 1980, 8-5 month, 4-0 day) and time
/// (15-11 hours, 10-5 minutes, 4-0 seconds / 2).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Stamp {
    pub date: u16,
    pub time: u16,
}

impl Stamp {
    /// The moment `secs` seconds after 1970-01-01 00:00 UTC (clamped to FAT's 1980 to 2107).
    pub fn from_unix(secs: u64) -> Stamp {
        const Y1980: u64 = 315_532_800;
        const Y2107_END: u64 = 4_354_819_199;
        let secs = secs.clamp(Y1980, Y2107_END);
        let (days, rest) = (secs / 86_400, secs % 86_400);
        // Days to a civil date (Howard Hinnant's algorithm), for days after 1970.
        let z = days + 719_468;
        let (era, doe) = (z / 146_097, z % 146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + (month <= 2) as u64;
        let date = ((year - 1980) << 9 | month << 5 | day) as u16;
        let time = ((rest / 3600) << 11 | (rest / 60 % 60) << 5 | (rest % 60) / 2) as u16;
        Stamp { date, time }
    }

    /// (year, month, day, hour, minute, second).
    pub fn parts(self) -> (u16, u8, u8, u8, u8, u8) {
        let (d, t) = (self.date, self.time);
        (1980 + (d >> 9), (d >> 5 & 15) as u8, (d & 31) as u8, (t >> 11) as u8, (t >> 5 & 63) as u8, (t & 31) as u8 * 2)
    }
}
