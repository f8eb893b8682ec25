//! The toolkit's pure parts: clipping, lines, blits, 8x16 text, keyboard mapping, damage, the message queue.

use ui::damage::Damage;
use ui::draw::{Canvas, Rect};
use ui::keymap::{Key, Keyboard};

#[test]
fn drawing_stays_inside_the_clip_rectangle() {
    let mut px = vec![0u32; 20 * 10];
    let mut c = Canvas::new(&mut px, 20, 10);
    c.clipped(Rect::new(5, 2, 4, 3)).fill(Rect::new(0, 0, 20, 10), 7);
    let painted: Vec<usize> = (0..200).filter(|&i| px[i] == 7).collect();
    assert_eq!(painted.len(), 12);
    assert!(painted.iter().all(|&i| (5..9).contains(&(i % 20)) && (2..5).contains(&(i / 20))));
}

#[test]
fn a_line_covers_both_ends_and_one_pixel_per_column() {
    let mut px = vec![0u32; 16 * 16];
    Canvas::new(&mut px, 16, 16).line((1, 1), (13, 5), 9);
    assert_eq!(px[16 + 1], 9);
    assert_eq!(px[5 * 16 + 13], 9);
    assert_eq!(px.iter().filter(|&&p| p == 9).count(), 13);
}

#[test]
fn a_blit_copies_rows_and_clips_at_the_edge() {
    let src: Vec<u32> = (0..6 * 4).collect(); // 6 wide, 4 high
    let mut px = vec![0u32; 8 * 8];
    Canvas::new(&mut px, 8, 8).blit(5, 6, 6, 4, &src, 6);
    assert_eq!(px[6 * 8 + 5], 0);
    assert_eq!(px[6 * 8 + 7], 2);
    assert_eq!(px[7 * 8 + 5], 6);
    assert_eq!(px.iter().filter(|&&p| p != 0).count(), 5, "2 rows x 3 columns, one of them 0");
}

#[test]
fn text16_draws_doubled_rows_in_8x16_cells() {
    let mut px = vec![0u32; 16 * 16];
    let r = Canvas::new(&mut px, 16, 16).text16(0, 0, b"I", 1, Some(2));
    assert_eq!(r, Rect::new(0, 0, 8, 16));
    for row in (0..16).step_by(2) {
        assert_eq!(px[row * 16..row * 16 + 8], px[(row + 1) * 16..(row + 1) * 16 + 8]);
    }
    assert!(px[..8 * 16].contains(&1) && px[8..16].iter().all(|&p| p == 0));
}

#[test]
fn the_keyboard_maps_shift_ctrl_and_editing_keys() {
    let mut k = Keyboard::default();
    assert_eq!(k.key(30, 1), Some(Key::Char(b'a')));
    assert_eq!(k.key(42, 1), None);
    assert_eq!(k.key(30, 1), Some(Key::Char(b'A')));
    assert_eq!(k.key(2, 2), Some(Key::Char(b'!')));
    assert_eq!(k.key(42, 0), None);
    assert_eq!(k.key(29, 1), None);
    assert_eq!(k.key(31, 1), Some(Key::Ctrl(b's')));
    assert_eq!(k.key(29, 0), None);
    assert_eq!(k.key(30, 0), None, "a release types nothing");
    let keys = [(105, Key::Left), (106, Key::Right), (103, Key::Up), (108, Key::Down), (102, Key::Home),
        (107, Key::End), (104, Key::PageUp), (109, Key::PageDown), (28, Key::Enter), (14, Key::Backspace)];
    for (code, key) in keys {
        assert_eq!(k.key(code, 1), Some(key));
    }
    assert_eq!(k.key(200, 1), None);
}

#[test]
fn damage_is_the_bounding_rectangle_until_taken() {
    let mut d = Damage::default();
    d.add(Rect::new(0, 0, 0, 5));
    assert!(d.is_empty());
    d.add(Rect::new(10, 10, 5, 5));
    d.add(Rect::new(2, 12, 3, 10));
    assert_eq!(d.take(), Some(Rect::new(2, 10, 13, 12)));
    assert_eq!(d.take(), None);
}

#[test]
fn styled_text_is_bolder_leans_when_italic_and_scales() {
    let count = |bold, italic, scale| {
        let mut px = vec![0u32; 64 * 64];
        let r = Canvas::new(&mut px, 64, 64).text_styled(0, 0, scale, b"l", 1, bold, italic);
        assert_eq!(r, Rect::new(0, 0, 8 * scale, 16 * scale));
        // The leftmost lit column of the top and of the bottom row of the glyph.
        let left = |y: usize| (0..64).find(|&x| px[y * 64 + x] == 1);
        (px.iter().filter(|&&p| p == 1).count(), left(2 * scale as usize), left(12 * scale as usize))
    };
    let (plain, top, bottom) = count(false, false, 1);
    let (bold, ..) = count(true, false, 1);
    let (_, itop, ibottom) = count(false, true, 1);
    let (big, ..) = count(false, false, 2);
    assert!(bold > plain, "bold strikes twice: {bold} vs {plain}");
    assert_eq!(big, 4 * plain, "twice the size: four times the pixels");
    assert_eq!(ibottom, bottom, "italic keeps the foot");
    assert!(itop.unwrap() > top.unwrap(), "italic leans right at the top: {itop:?} vs {top:?}");
}

#[test]
fn the_queue_hands_items_back_in_order_and_refuses_when_full() {
    use ui::queue::Fifo;
    let mut q: Fifo<u32, 3> = Fifo::new();
    assert_eq!(q.pop(), None);
    for round in 0..4 {
        // starts at a different place of the array each round: wraps around
        assert_eq!([q.push(round), q.push(round + 1)], [Ok(()), Ok(())]);
        assert_eq!(q.pop(), Some(round));
        assert_eq!([q.push(round + 2), q.push(round + 3)], [Ok(()), Ok(())]);
        assert_eq!(q.push(99), Err(99), "full: the item comes back");
        assert_eq!(q.len(), 3);
        assert_eq!([q.pop(), q.pop(), q.pop(), q.pop()], [Some(round + 1), Some(round + 2), Some(round + 3), None]);
        assert!(q.is_empty());
    }
}

#[test]
fn a_text_field_edits_and_draws_its_cursor() {
    use ui::field::{Edit, Field, MAX};
    let mut f = Field::new(b"notes");
    assert_eq!(f.key(Key::Char(b'2')), Edit::Changed);
    f.key(Key::Home);
    f.key(Key::Delete);
    f.key(Key::Char(b'N'));
    f.key(Key::End);
    f.key(Key::Left);
    f.key(Key::Backspace);
    assert_eq!(f.text(), b"Note2");
    assert_eq!(f.cursor(), 4);
    assert_eq!(f.key(Key::Char(b'\t')), Edit::Ignored);
    assert_eq!(f.key(Key::Up), Edit::Ignored);
    assert_eq!(f.key(Key::Enter), Edit::Done);
    assert_eq!(f.key(Key::Char(0x1b)), Edit::Cancel);
    let mut full = Field::new(&[b'x'; 100]);
    assert_eq!(full.text().len(), MAX);
    full.key(Key::Char(b'y'));
    assert_eq!(full.text().len(), MAX, "no room");

    let mut px = vec![0u32; 100 * 30];
    let mut c = Canvas::new(&mut px, 100, 30);
    let r = f.draw(&mut c, 2, 2, 8, (1, 2, 3));
    assert_eq!(r, Rect::new(2, 2, 8 * 8 + 4, 20));
    assert_eq!(px[2 * 100 + 2], 3, "the frame");
    let cursor_cell = (4 + 8) * 100 + 4 + 4 * 8 + 1;
    assert!(px[cursor_cell] == 3 || px[cursor_cell] == 2, "the cursor block on the fifth cell");
    assert!(px.iter().filter(|&&p| p == 1).count() > 20, "the text");
}

/// Glyphs wholly inside the clip take a row-by-row path; it must paint what the clipped,
/// pixel-by-pixel path paints.
#[test]
fn whole_glyphs_match_clipped_ones() {
    for bg in [None, Some(5)] {
        let mut fast = vec![0u32; 40 * 20];
        Canvas::new(&mut fast, 40, 20).text16(3, 2, b"Ag}", 9, bg);
        let mut slow = vec![0u32; 40 * 20];
        let mut c = Canvas::new(&mut slow, 40, 20);
        // A clip one pixel short of each cell's right edge: every glyph goes the slow way.
        for i in 0..3 {
            c.clipped(Rect::new(3 + i * 8, 0, 7, 20)).text16(3, 2, b"Ag}", 9, bg);
        }
        for y in 0..20 {
            for x in 0..40 {
                let in_slow_clip = x >= 3 && x < 27 && (x - 3) % 8 != 7;
                if in_slow_clip {
                    assert_eq!(fast[y * 40 + x], slow[y * 40 + x], "pixel ({x}, {y}), bg {bg:?}");
                }
            }
        }
        assert!(fast.iter().filter(|&&p| p == 9).count() > 30);
    }
}
