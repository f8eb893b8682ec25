//! A minimal flattened-device-tree reader: the kernel command line that QEMU's `-append` (and
//! Vitrine) put in `/chosen/bootargs`, and each node's properties for device discovery (the
//! IOMMU and which devices sit behind it). Pure logic over a byte slice; every read is
//! bounds-checked, so a missing or corrupt blob yields `None`, never a fault.
//!
//! Format (devicetree specification, ch. 5): a big-endian header (magic, total size, offsets of
//! the structure and strings blocks), then a token stream: BEGIN_NODE + NUL-terminated name,
//! END_NODE, PROP + length + name offset + value, NOP, END; every item padded to 4 bytes. A
//! node's properties come before its children.
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

/// One node of the tree as `nodes` visits it.
pub struct Node<'a> {
    blob: &'a [u8],
    strings: usize,
    /// Offset of the node's first property token.
    props: usize,
    /// The node's name with its unit address ("virtio_mmio@a000000"); the root's is empty.
    pub name: &'a [u8],
    /// 1 for the root, 2 for its children, ...
    pub depth: usize,
}

impl<'a> Node<'a> {
    /// The value of the node's property `name`, if it has one.
    pub fn prop(&self, name: &[u8]) -> Option<&'a [u8]> {
        let mut off = self.props;
        loop {
            let (at, value, next) = prop_at(self.blob, off)?; // None at a child or the node's end
            if at.is_some_and(|at| cstr(self.blob, self.strings.saturating_add(at)) == Some(name)) {
                return Some(value);
            }
            off = next;
        }
    }
}

/// The PROP (name offset, value, next token's offset) or NOP (None, empty, next) at `off`.
fn prop_at(blob: &[u8], off: usize) -> Option<(Option<usize>, &[u8], usize)> {
    match be32(blob, off)? {
        NOP => Some((None, &[], off + 4)),
        PROP => {
            let (len, at) = (be32(blob, off + 4)? as usize, be32(blob, off + 8)? as usize);
            let value = blob.get(off + 12..(off + 12).checked_add(len)?)?;
            Some((Some(at), value, (off + 12 + len + 3) & !3))
        }
        _ => None,
    }
}

/// Calls `visit` for every node in document order; stops early when it returns `Some`, and
/// returns that. None also for a missing or corrupt blob.
pub fn nodes<'a, T>(blob: &'a [u8], mut visit: impl FnMut(&Node<'a>) -> Option<T>) -> Option<T> {
    let size = (be32(blob, 0)? == MAGIC).then_some(be32(blob, 4)? as usize)?; // header: magic, total size
    let blob = blob.get(..size)?;
    let (strings, mut off, mut depth) = (be32(blob, 12)? as usize, be32(blob, 8)? as usize, 0);
    loop {
        match be32(blob, off)? {
            BEGIN_NODE => {
                let name = cstr(blob, off + 4)?;
                (off, depth) = ((off + name.len() + 8) & !3, depth + 1);
                if let Some(found) = visit(&Node { blob, strings, props: off, name, depth }) {
                    return Some(found);
                }
            }
            END_NODE => (off, depth) = (off + 4, depth.saturating_sub(1)),
            _ => off = prop_at(blob, off)?.2, // END, or garbage: None
        }
    }
}

/// The value of `/chosen/bootargs` without its terminating NUL, if the tree has one.
pub fn bootargs(blob: &[u8]) -> Option<&[u8]> {
    nodes(blob, |n| {
        let chosen = n.depth == 2 && n.name.split(|&b| b == b'@').next() == Some(b"chosen");
        let value = n.prop(b"bootargs").filter(|_| chosen)?;
        Some(value.strip_suffix(&[0]).unwrap_or(value))
    })
}
