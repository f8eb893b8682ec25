//! A minimal flattened-device-tree reader: just enough to find `/chosen/bootargs`, the kernel
//! command line that QEMU's `-append` (and Vitrine) put there. Pure logic over a byte slice; every
//! read is bounds-checked, so a missing or corrupt blob yields `None`, never a fault.
//!
//! Format (devicetree specification, ch. 5): a big-endian header (magic, total size, offsets of
//! the structure and strings blocks), then a token stream: BEGIN_NODE + NUL-terminated name,
//! END_NODE, PROP + length + name offset + value, NOP, END; every item padded to 4 bytes.
#![no_std]

const MAGIC: u32 = 0xd00d_feed;
const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;

fn be32(blob: &[u8], off: usize) -> Option<u32> {
    let b = blob.get(off..off.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The NUL-terminated string at `off`, without the NUL.
fn cstr(blob: &[u8], off: usize) -> Option<&[u8]> {
    let rest = blob.get(off..)?;
    Some(&rest[..rest.iter().position(|&b| b == 0)?])
}

/// The value of `/chosen/bootargs` without its terminating NUL, if the tree has one.
pub fn bootargs(blob: &[u8]) -> Option<&[u8]> {
    let size = (be32(blob, 0)? == MAGIC).then_some(be32(blob, 4)? as usize)?; // header: magic, total size
    let blob = blob.get(..size)?;
    let strings = be32(blob, 12)? as usize;
    let mut off = be32(blob, 8)? as usize;
    let (mut depth, mut in_chosen) = (0, false);
    loop {
        let token = be32(blob, off)?;
        off += 4;
        match token {
            BEGIN_NODE => {
                let name = cstr(blob, off)?;
                off = (off + name.len() + 4) & !3;
                depth += 1;
                // The root is depth 1; /chosen is one of its children.
                in_chosen = depth == 2 && name.split(|&b| b == b'@').next() == Some(b"chosen");
            }
            END_NODE => {
                in_chosen = false; // only /chosen's own properties precede its children
                depth -= 1;
            }
            PROP => {
                let (len, name) = (be32(blob, off)? as usize, be32(blob, off + 4)? as usize);
                let value = blob.get(off + 8..(off + 8).checked_add(len)?)?;
                off = (off + 8 + len + 3) & !3;
                if in_chosen && cstr(blob, strings.checked_add(name)?)? == b"bootargs" {
                    return Some(value.strip_suffix(&[0]).unwrap_or(value));
                }
            }
            NOP => {}
            _ => return None, // END, or garbage
        }
    }
}
