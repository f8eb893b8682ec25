//! Unit tests of the kernel's pure modules, compiled from the kernel's own sources for the host.

#[path = "../../../kernel/src/draw.rs"]
mod draw;
#[path = "../../../kernel/src/fdt.rs"]
mod fdt;
#[path = "../../../kernel/src/font.rs"]
mod font;
#[path = "../../../kernel/src/keymap.rs"]
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
