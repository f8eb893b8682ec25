//! The boot screen's pure parts on the host: the keymap, the font's cells, rectangles, the
//! pointer's save and restore, and the boot screen at any size; plus the reference picture a
//! QEMU `screendump` of the boot screen must equal.

use ui::{draw, font, keymap};

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
    draw::Canvas::new(px, width, height)
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

