//! ELF64 parsing for the program loader: pure logic over the file's bytes, every read
//! bounds-checked, so a malformed file is an `Err`, never a fault (unit-tested on the host).
//!
//! rost runs static-PIE programs: ET_DYN for AArch64, no interpreter, PT_LOAD segments, and a
//! PT_DYNAMIC whose DT_RELA table holds only R_AARCH64_RELATIVE relocations (or none). Loading at
//! `base` means: each segment's bytes at `base + p_vaddr`, the rest of its memory zeroed, then for
//! each relocation the u64 at `base + r_offset` becomes `base + r_addend`. A segment that asks for
//! write and execute at once is refused (rost never maps W+X). The PT_GNU_RELRO range becomes
//! read-only after relocation.
#![no_std]

extern crate alloc;

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_GNU_RELRO: u32 = 0x6474_e552;
const DT_NULL: u64 = 0;
const DT_RELA: u64 = 7;
const DT_RELASZ: u64 = 8;
const R_AARCH64_NONE: u64 = 0;
const R_AARCH64_RELATIVE: u64 = 1027;
/// Upper bound on a program's memory span, checked before anything is allocated: with at most
/// `MAX_PROCS` processes (kernel/src/sched.rs), programs cannot exhaust RAM.
const MAX_SPAN: u64 = 8 << 20;

/// Why a file is not a program rost can run.
pub type Bad = &'static str;

pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: usize,
    pub filesz: usize,
    pub flags: u32,
}

pub struct Elf<'a> {
    bytes: &'a [u8],
    pub entry: u64,
    phoff: usize,
    phnum: usize,
}

fn rd(b: &[u8], off: usize, n: usize) -> Result<u64, Bad> {
    let s = b.get(off..off.checked_add(n).ok_or("truncated")?).ok_or("truncated")?;
    Ok(s.iter().rev().fold(0, |v, &x| v << 8 | x as u64))
}

impl<'a> Elf<'a> {
    /// Checks the header: 64-bit little-endian AArch64 ET_DYN with 56-byte program headers.
    pub fn parse(bytes: &'a [u8]) -> Result<Elf<'a>, Bad> {
        if bytes.get(..7) != Some(b"\x7fELF\x02\x01\x01") {
            return Err("not a 64-bit little-endian ELF");
        }
        if rd(bytes, 16, 2)? != 3 || rd(bytes, 18, 2)? != 183 {
            return Err("not a position-independent AArch64 executable");
        }
        if rd(bytes, 54, 2)? != 56 {
            return Err("bad program header size");
        }
        let elf = Elf {
            bytes,
            entry: rd(bytes, 24, 8)?,
            phoff: rd(bytes, 32, 8)? as usize,
            phnum: rd(bytes, 56, 2)? as usize,
        };
        let mut span = 0;
        for i in 0..elf.phnum {
            match elf.phdr(i)? {
                (PT_INTERP, _) => return Err("needs a dynamic linker"),
                (PT_LOAD, s) => {
                    let end = s.vaddr.checked_add(s.memsz).ok_or("segment wraps")?;
                    let file_end = s.offset.checked_add(s.filesz).ok_or("segment wraps")?;
                    if s.filesz as u64 > s.memsz || file_end > bytes.len() || end > MAX_SPAN {
                        return Err("segment outside the file or too large");
                    }
                    if s.flags & PF_W != 0 && s.flags & PF_X != 0 {
                        return Err("segment is writable and executable");
                    }
                    span = span.max(end);
                }
                _ => {}
            }
        }
        if span == 0 || elf.entry >= span {
            return Err("no code to run");
        }
        Ok(elf)
    }

    /// Program header `i`: its type and its segment.
    fn phdr(&self, i: usize) -> Result<(u32, Segment), Bad> {
        let o = self.phoff.checked_add(i.checked_mul(56).ok_or("truncated")?).ok_or("truncated")?;
        let b = self.bytes.get(o..o.checked_add(56).ok_or("truncated")?).ok_or("truncated")?;
        let seg = Segment {
            flags: rd(b, 4, 4)? as u32,
            offset: rd(b, 8, 8)? as usize,
            vaddr: rd(b, 16, 8)?,
            filesz: rd(b, 32, 8)? as usize,
            memsz: rd(b, 40, 8)?,
        };
        Ok((rd(b, 0, 4)? as u32, seg))
    }

    /// The PT_LOAD segments.
    pub fn segments(&self) -> impl Iterator<Item = Segment> + '_ {
        (0..self.phnum).filter_map(|i| self.phdr(i).ok()).filter(|(t, _)| *t == PT_LOAD).map(|(_, s)| s)
    }

    /// The range that is read-only once relocated (PT_GNU_RELRO: .data.rel.ro, .got), if any.
    pub fn relro(&self) -> Option<(u64, u64)> {
        let (_, s) = (0..self.phnum).filter_map(|i| self.phdr(i).ok()).find(|(t, _)| *t == PT_GNU_RELRO)?;
        Some((s.vaddr, s.vaddr.checked_add(s.memsz)?))
    }

    /// The file offset of image address `va`, if a segment's file bytes hold it.
    fn file_offset(&self, va: u64) -> Result<usize, Bad> {
        self.segments()
            .find(|s| va >= s.vaddr && va - s.vaddr < s.filesz as u64)
            .map(|s| s.offset + (va - s.vaddr) as usize)
            .ok_or("relocation table outside the file")
    }

    /// The relocations as (image offset to patch, value relative to the base): from DT_RELA and
    /// DT_RELASZ of PT_DYNAMIC. Anything but R_AARCH64_RELATIVE (or NONE) is an error.
    pub fn relocations(&self) -> Result<alloc::vec::Vec<(u64, u64)>, Bad> {
        let mut out = alloc::vec::Vec::new();
        let Some((_, dynamic)) = (0..self.phnum).filter_map(|i| self.phdr(i).ok()).find(|(t, _)| *t == PT_DYNAMIC) else {
            return Ok(out);
        };
        let (mut rela, mut size) = (0, 0);
        for i in 0..dynamic.filesz / 16 {
            let o = dynamic.offset + 16 * i;
            match rd(self.bytes, o, 8)? {
                DT_NULL => break,
                DT_RELA => rela = rd(self.bytes, o + 8, 8)?,
                DT_RELASZ => size = rd(self.bytes, o + 8, 8)?,
                _ => {}
            }
        }
        let table = if size > 0 { self.file_offset(rela)? } else { 0 };
        for i in 0..(size / 24) as usize {
            let o = table + 24 * i;
            let (offset, kind, addend) = (rd(self.bytes, o, 8)?, rd(self.bytes, o + 8, 8)? & 0xffff_ffff, rd(self.bytes, o + 16, 8)?);
            match kind {
                R_AARCH64_NONE => {}
                R_AARCH64_RELATIVE if offset % 8 == 0 => out.push((offset, addend)),
                _ => return Err("unsupported relocation"),
            }
        }
        Ok(out)
    }

    /// The file's bytes of a segment.
    pub fn data(&self, s: &Segment) -> &'a [u8] {
        &self.bytes[s.offset..s.offset + s.filesz]
    }
}
