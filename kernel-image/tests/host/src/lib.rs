//! Unit tests of the kernel's pure modules (and the boot screen's drawing code), compiled from
//! their own sources for the host. The ELF and FAT tests read guest-apps/build (made by
//! guest-apps/build.sh, which kernel-image/build.sh runs first).

// The included files have code only the kernel or fsd use, and the plain library build uses none.
#![allow(dead_code, unused_imports)]

extern crate alloc;

#[path = "../../../kernel/src/elf.rs"]
mod elf;
#[path = "../../../kernel/src/fat.rs"]
mod fat;
#[path = "../../../../guest-apps/fsd/src/write.rs"]
mod fat_write;
#[path = "../../../../guest-apps/screen/src/draw.rs"]
mod draw;
#[path = "../../../kernel/src/fdt.rs"]
mod fdt;
#[path = "../../../../guest-apps/screen/src/font.rs"]
mod font;
#[path = "../../../../guest-apps/screen/src/keymap.rs"]
mod keymap;

/// Builds a flattened device tree: `nodes` is a list of (depth, name, properties), depth 1 being
/// the root, in document order.
fn dtb(nodes: &[(usize, &str, &[(&str, &[u8])])]) -> Vec<u8> {
    let (mut structs, mut strings) = (Vec::new(), Vec::new());
    let word = |v: &mut Vec<u8>, w: u32| v.extend_from_slice(&w.to_be_bytes());
    let pad = |v: &mut Vec<u8>| v.resize(v.len().div_ceil(4) * 4, 0);
    let mut depth = 0;
    for &(d, name, props) in nodes {
        while depth >= d {
            word(&mut structs, 2);
            depth -= 1;
        }
        word(&mut structs, 1);
        structs.extend_from_slice(name.as_bytes());
        structs.push(0);
        pad(&mut structs);
        depth = d;
        for &(pname, value) in props {
            word(&mut structs, 3);
            word(&mut structs, value.len() as u32);
            word(&mut structs, strings.len() as u32);
            strings.extend_from_slice(pname.as_bytes());
            strings.push(0);
            structs.extend_from_slice(value);
            pad(&mut structs);
        }
    }
    for _ in 0..depth {
        word(&mut structs, 2);
    }
    word(&mut structs, 9);
    let header = 40 + 16; // header, then an empty memory reservation block
    let total = header + structs.len() + strings.len();
    let mut blob = Vec::new();
    for w in
        [0xd00d_feed, total as u32, header as u32, (header + structs.len()) as u32, 40, 17, 16, 0]
    {
        word(&mut blob, w);
    }
    word(&mut blob, strings.len() as u32);
    word(&mut blob, structs.len() as u32);
    blob.resize(header, 0);
    blob.extend(structs);
    blob.extend(strings);
    blob
}

#[test]
fn bootargs_found_in_chosen() {
    let blob = dtb(&[
        (1, "", &[("compatible", b"linux,dummy-virt\0")]),
        (2, "memory@40000000", &[("bootargs", b"wrong\0")]),
        (
            2,
            "chosen",
            &[("stdout-path", b"/pl011@9000000\0"), ("bootargs", b"rost.demo=tasks x=1\0")],
        ),
        (2, "psci", &[]),
    ]);
    assert_eq!(fdt::bootargs(&blob), Some(&b"rost.demo=tasks x=1"[..]));
    // Trailing bytes after the blob (the rest of the 1 MiB area) do not matter.
    let mut padded = blob.clone();
    padded.resize(1 << 20, 0);
    assert_eq!(fdt::bootargs(&padded), Some(&b"rost.demo=tasks x=1"[..]));
}

#[test]
fn bootargs_only_from_chosen_itself() {
    let child = dtb(&[(1, "", &[]), (2, "chosen", &[]), (3, "sub", &[("bootargs", b"no\0")])]);
    assert_eq!(fdt::bootargs(&child), None);
    let deep = dtb(&[(1, "", &[]), (2, "soc", &[]), (3, "chosen", &[("bootargs", b"no\0")])]);
    assert_eq!(fdt::bootargs(&deep), None);
    let none = dtb(&[(1, "", &[]), (2, "chosen", &[("stdout-path", b"/x\0")])]);
    assert_eq!(fdt::bootargs(&none), None);
}

#[test]
fn bootargs_of_garbage_is_none() {
    assert_eq!(fdt::bootargs(&[]), None);
    assert_eq!(fdt::bootargs(&[0; 4096]), None);
    let blob = dtb(&[(1, "", &[]), (2, "chosen", &[("bootargs", b"a\0")])]);
    for cut in 0..blob.len() {
        assert_eq!(fdt::bootargs(&blob[..cut]), None, "truncated at {cut}");
    }
    let mut bad = blob.clone();
    bad[12..16].copy_from_slice(&u32::MAX.to_be_bytes()); // strings block far away
    assert_eq!(fdt::bootargs(&bad), None);
}

#[test]
fn words() {
    assert!(fdt::has_word(b"a rost.demo=tasks\tb", b"rost.demo=tasks"));
    assert!(!fdt::has_word(b"rost.demo=tasks2", b"rost.demo=tasks"));
    assert!(!fdt::has_word(b"", b"rost.demo=tasks"));
}

#[test]
fn us_keymap() {
    assert_eq!(keymap::ascii(30, false), Some(b'a'));
    assert_eq!(keymap::ascii(30, true), Some(b'A'));
    assert_eq!(keymap::ascii(2, true), Some(b'!'));
    assert_eq!(keymap::ascii(11, false), Some(b'0'));
    assert_eq!(keymap::ascii(53, true), Some(b'?'));
    assert_eq!(keymap::ascii(57, false), Some(b' '));
    assert_eq!(keymap::ascii(28, false), Some(b'\n'));
    assert_eq!(keymap::ascii(14, false), Some(0x08));
    assert_eq!(keymap::ascii(42, false), None); // shift itself
    assert_eq!(keymap::ascii(272, false), None);
}

#[test]
fn font_cells_leave_spacing() {
    for c in 0x21..0x7f {
        let g = font::glyph(c);
        assert_ne!(g, 0, "glyph {:?} is empty", c as char);
        for row in 0..8 {
            assert_eq!(g >> (8 * row) & 0x83, 0, "glyph {:?} leaves its columns", c as char);
        }
    }
    assert_eq!(font::glyph(b' '), 0);
    assert_ne!(font::glyph(0x80), 0);
}

#[test]
fn rects() {
    use draw::Rect;
    let r = Rect::new(10, 20, 30, 40);
    assert_eq!(r.clip(25, 100), Rect::new(10, 20, 15, 40));
    assert!(Rect::new(200, 0, 5, 5).clip(100, 100).is_empty());
    assert!(r.intersects(Rect::new(39, 59, 5, 5)));
    assert!(!r.intersects(Rect::new(40, 20, 5, 5)));
    assert_eq!(r.union(Rect::new(0, 0, 1, 1)), Rect::new(0, 0, 40, 60));
}

fn canvas(px: &mut Vec<u32>, width: u32, height: u32) -> draw::Canvas<'_> {
    px.resize((width * height) as usize, 0);
    draw::Canvas { px, width, height }
}

#[test]
fn pointer_save_restore_round_trip_at_edges() {
    let mut px = Vec::new();
    let mut c = canvas(&mut px, 64, 48);
    c.boot_screen(b"x");
    let before = c.px.to_vec();
    for (x, y) in [(0, 0), (60, 40), (63, 47), (20, 10)] {
        let r = draw::Rect::new(x, y, draw::POINTER_W, draw::POINTER_H);
        let mut under = vec![0; (draw::POINTER_W * draw::POINTER_H) as usize];
        c.save(r, &mut under);
        c.pointer(x, y);
        if x + 1 < 64 && y + 2 < 48 {
            assert_eq!(c.px[((y + 2) * 64 + x + 1) as usize], draw::WHITE); // inside the arrow
        }
        c.restore(r, &under);
        assert_eq!(c.px, &before[..]);
    }
}

#[test]
fn boot_screen_fits_any_size() {
    for (w, h) in [(1280, 800), (1024, 768), (640, 480), (100, 50), (1, 1)] {
        let mut px = Vec::new();
        let b = canvas(&mut px, w, h).boot_screen(b"subtitle");
        assert!(b.is_empty() || (b.x + b.w <= w && b.y + b.h <= h), "{w}x{h}: {b:?}");
    }
    // The text box of the usual display, and the top-left pixel (first colour bar).
    let mut px = Vec::new();
    let mut c = canvas(&mut px, 1280, 800);
    assert_eq!(c.boot_screen(b"s"), draw::Rect::new(40, 438, 1200, 322));
    assert_eq!(c.px[0], draw::WHITE);
}

/// Writes the boot screen as QEMU shows it right after boot (1280x800, pointer in the middle) to
/// the PPM file named by ROST_BOOT_SCREEN_PPM, for comparison with a `screendump`:
/// `ROST_BOOT_SCREEN_PPM=/tmp/expected.ppm cargo test -- --ignored boot_screen_reference`
#[test]
#[ignore]
fn boot_screen_reference() {
    let path = std::env::var("ROST_BOOT_SCREEN_PPM").expect("set ROST_BOOT_SCREEN_PPM");
    let (w, h) = (1280, 800);
    let mut px = Vec::new();
    let mut c = canvas(&mut px, w, h);
    c.boot_screen(format!("{w}x{h} - type here, move the pointer").as_bytes());
    c.pointer(w / 2, h / 2);
    let mut out = format!("P6\n{w} {h}\n255\n").into_bytes();
    out.extend(c.px.iter().flat_map(|p| [(p >> 16) as u8, (p >> 8) as u8, *p as u8]));
    std::fs::write(path, out).unwrap();
}

fn guest_build(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../guest-apps/build/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run kernel-image/build.sh first)"))
}

#[test]
fn elf_loader_accepts_the_static_pie_programs() {
    let bytes = guest_build("hello.elf");
    let e = elf::Elf::parse(&bytes).expect("hello.elf parses");
    let relocs = e.relocations().expect("only RELATIVE relocations");
    assert!(relocs.len() >= 3, "hello has a table of &str: {relocs:?}");
    let segs: Vec<_> = e.segments().collect();
    assert!(segs.iter().any(|s| s.flags & elf::PF_X != 0));
    assert!(segs.iter().all(|s| s.flags & elf::PF_X == 0 || s.flags & elf::PF_W == 0));
    for name in ["demo.elf", "systest.elf", "hostile.elf", "screen.elf", "peer.elf"] {
        elf::Elf::parse(&guest_build(name)).and_then(|e| e.relocations()).expect(name);
    }
}

#[test]
fn elf_loader_refuses_malformed_files() {
    let good = guest_build("hello.elf");
    assert!(elf::Elf::parse(b"hello").is_err());
    assert!(elf::Elf::parse(&good[..100]).is_err(), "truncated program headers");
    let mut exec = good.clone();
    exec[16] = 2; // ET_EXEC: not position-independent
    assert!(elf::Elf::parse(&exec).is_err());
    let phoff = u64::from_le_bytes(good[32..40].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(good[56..58].try_into().unwrap()) as usize;
    let load = (0..phnum).map(|i| phoff + 56 * i).find(|&o| good[o] == 1).unwrap();
    let mut wx = good.clone();
    wx[load + 4] = 7; // R W X
    assert_eq!(elf::Elf::parse(&wx).err(), Some("segment is writable and executable"));
    let mut huge = good.clone();
    huge[load + 40..load + 48].copy_from_slice(&u64::MAX.to_le_bytes()); // p_memsz
    assert!(elf::Elf::parse(&huge).is_err());
    let mut outside = good.clone();
    outside[load + 8..load + 16].copy_from_slice(&(1u64 << 40).to_le_bytes()); // p_offset
    assert!(elf::Elf::parse(&outside).is_err());
}

struct Image(Vec<u8>, usize);

impl fat::Disk for Image {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        self.1 += 1;
        let at = sector as usize * fat::SECTOR;
        match self.0.get(at..at + buf.len()) {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }
}

#[test]
fn fat16_reads_the_disk_image_made_by_mtools() {
    let mut d = Image(guest_build("disk.img"), 0);
    let fs = fat::Fat::mount(&mut d).expect("a FAT16 volume");
    assert_eq!(fs.read_file(&mut d, b"/BIN/HELLO"), Some(guest_build("hello.elf")));
    assert_eq!(fs.read_file(&mut d, b"/bin/hello"), Some(guest_build("hello.elf")), "names are case-insensitive");
    let readme = fs.read_file(&mut d, b"/DOCS/README.TXT").unwrap();
    assert!(readme.starts_with(b"Welcome to rost."));
    assert!(fs.read_file(&mut d, b"/BIN/NOPE").is_none());
    assert!(fs.read_file(&mut d, b"/BIN").is_none(), "a directory is not a file");
    assert!(fs.read_file(&mut d, b"/BIN/HELLO/X").is_none());
    let dir = fs.lookup(&mut d, b"/DOCS").unwrap().cluster;
    let docs: Vec<_> = fs.list(&mut d, dir).unwrap();
    assert!(docs.iter().any(|e| &e.name == b"INDEX   HTM"));
    assert_eq!(fat::short_name(b"readme.txt"), Some(*b"README  TXT"));
    assert_eq!(fat::short_name(b"toolongname"), None);
}

#[test]
fn fat16_survives_a_corrupt_image() {
    let mut img = guest_build("disk.img");
    let mut d = Image(img.clone(), 0);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let e = fs.lookup(&mut d, b"/BIN/HELLO").unwrap();
    // A FAT chain that points at itself must end, not loop for ever.
    let fat_start = u16::from_le_bytes([img[14], img[15]]) as usize * 512;
    let c = e.cluster as usize;
    img[fat_start + 2 * c..fat_start + 2 * c + 2].copy_from_slice(&(c as u16).to_le_bytes());
    let mut d = Image(img.clone(), 0);
    assert!(fs.read_file(&mut d, b"/BIN/HELLO").is_none());
    assert!(fat::Fat::mount(&mut Image(vec![0; 4096], 0)).is_none());
    assert!(fat::Fat::mount(&mut Image(Vec::new(), 0)).is_none());
}

impl fat_write::DiskW for Image {
    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        let at = sector as usize * fat::SECTOR;
        match self.0.get_mut(at..at + buf.len()) {
            Some(dst) => {
                dst.copy_from_slice(buf);
                true
            }
            None => false,
        }
    }
}

#[test]
fn fsd_writes_files_that_mtools_and_fsck_accept() {
    let mut d = Image(guest_build("disk.img"), 0);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let mut e = fs.create(&mut d, b"/DOCS/LOG.TXT").expect("created");
    let text: Vec<u8> = (0..9000).map(|i| if i % 40 == 39 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
    // Out of order and unaligned: the middle first, then the start, then the rest.
    assert_eq!(fs.write_at(&mut d, &mut e, 3000, &text[3000..7000]), Some(4000));
    assert_eq!(fs.write_at(&mut d, &mut e, 0, &text[..3000]), Some(3000));
    assert_eq!(fs.write_at(&mut d, &mut e, 7000, &text[7000..]), Some(2000));
    assert_eq!(fs.read_file(&mut d, b"/docs/log.txt").as_deref(), Some(&text[..]));
    let mut part = [0u8; 100];
    assert_eq!(fs.read_at(&mut d, &e, 8950, &mut part), Some(50));
    assert_eq!(&part[..50], &text[8950..]);
    let mut root = fs.create(&mut d, b"/TOP.TXT").expect("a file in the root directory");
    fs.write_at(&mut d, &mut root, 0, b"top\n").unwrap();
    assert!(fs.create(&mut d, b"/NODIR/X.TXT").is_none());

    let dir = std::env::temp_dir().join(format!("rost-fat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("disk.img");
    std::fs::write(&img, &d.0).unwrap();
    let tool = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd).args(args).env("MTOOLS_SKIP_CHECK", "1").output()
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        (out.status.success(), out.stdout)
    };
    let img = img.to_str().unwrap();
    assert_eq!(tool("mtype", &["-i", img, "::/DOCS/LOG.TXT"]), (true, text.clone()));
    assert_eq!(tool("mtype", &["-i", img, "::/TOP.TXT"]), (true, b"top\n".to_vec()));
    let fsck = ["/usr/sbin/fsck.fat", "/sbin/fsck.fat"].into_iter().find(|p| std::path::Path::new(p).exists());
    if let Some(fsck) = fsck {
        let (ok, report) = tool(fsck, &["-n", img]);
        assert!(ok, "fsck.fat: {}", String::from_utf8_lossy(&report));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Random corruption of a real program must give Ok or Err from the ELF code, never a panic
/// (an out-of-bounds index or an arithmetic overflow: this runs with overflow checks on).
#[test]
fn elf_parsing_survives_random_corruption() {
    let good = guest_build("hello.elf");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..3000 {
        let mut bad = good.clone();
        for _ in 0..1 + round % 8 {
            // Half in the ELF and program headers (offsets, sizes, types), half anywhere early
            // (.rela.dyn, .dynamic).
            let span = if next() % 2 == 0 { 64 + 56 * 10 } else { 4096 };
            let at = (next() % span) as usize % bad.len();
            bad[at] = match next() % 4 {
                0 => 0xff,
                1 => 0,
                _ => next() as u8,
            };
        }
        if round % 5 == 0 {
            bad.truncate((next() as usize) % bad.len());
        }
        if round % 97 == 0 && bad.len() > 40 {
            bad[32..40].copy_from_slice(&(u64::MAX - (next() % 64)).to_le_bytes()); // e_phoff
        }
        if let Ok(e) = elf::Elf::parse(&bad) {
            let segs: Vec<_> = e.segments().collect();
            for s in &segs {
                let _ = e.data(s);
            }
            let _ = e.relocations();
            let _ = e.relro();
        }
    }
}

/// A corrupt disk must give None from the FAT code, never a panic (overflow checks on).
#[test]
fn fat16_survives_random_corruption() {
    let good = guest_build("disk.img");
    let mut d0 = Image(good.clone(), 0);
    let fs0 = fat::Fat::mount(&mut d0).unwrap();
    let bin = fs0.lookup(&mut d0, b"/BIN").unwrap();
    let bin_at = fs0.list(&mut d0, bin.cluster).unwrap()[0].at.0 as usize * 512;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let fat_start = u16::from_le_bytes([good[14], good[15]]) as usize * 512;
    let root = fat_start + 2 * u16::from_le_bytes([good[22], good[23]]) as usize * 512;
    for round in 0..300 {
        let mut img = good.clone();
        for _ in 0..1 + round % 6 {
            let region = [(0, 64), (fat_start, 512), (root, 512), (bin_at, 512)][(next() % 4) as usize];
            let at = region.0 + (next() as usize) % region.1;
            img[at] = if next() % 3 == 0 { 0xff } else { next() as u8 };
        }
        let mut d = Image(img, 0);
        if let Some(fs) = fat::Fat::mount(&mut d) {
            for path in [&b"/BIN/HELLO"[..], b"/DOCS/README.TXT", b"/BIN", b"/"] {
                let _ = fs.read_file(&mut d, path);
                if let Some(e) = fs.lookup(&mut d, path) {
                    let _ = fs.list(&mut d, e.cluster);
                }
            }
        }
    }
}
