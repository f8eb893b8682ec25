//! The Browser's non-HTML decisions: parser by file name, the error page, history, scrolling
//! range, font cells, and the cap on what a huge or binary file costs.

use html::browse::*;
use html::{CellFont, layout};

const FONT: CellFont = CellFont { width: 8, height: 16 };

#[test]
fn htm_files_are_html_and_the_rest_plain_text() {
    assert!(is_html("/DOCS/INDEX.HTM") && is_html("/docs/web/a.html") && !is_html("/DOCS/README.TXT"));
    let page = layout(&document_for("/DOCS/A.HTM", b"<title>T</title><p>Hello <b>world</b>", false), &FONT, 400);
    assert_eq!(page.title, "T");
    assert_eq!(page.text_lines(), ["Hello world"]);
    let plain = layout(&document_for("/DOCS/README.TXT", b"<b>not bold</b>\nline 2", false), &FONT, 400);
    assert_eq!(plain.title, "README.TXT");
    assert_eq!(plain.text_lines(), ["<b>not bold</b>", "line 2"]);
}

#[test]
fn a_truncated_file_says_so() {
    let big = vec![b'a'; MAX_PAGE + 100];
    let page = layout(&document_for("/BIG.TXT", &big, true), &FONT, 400);
    let note = format!("[only the first {} KiB are shown]", MAX_PAGE >> 10);
    assert_eq!(page.text_lines().last().unwrap(), &note);
    let html = layout(&document_for("/BIG.HTM", b"<ul><li>one<li>two", true), &FONT, 400);
    assert_eq!(html.text_lines().last().unwrap(), &note);
}

#[test]
fn binary_bytes_become_replacement_cells() {
    let bin: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let page = layout(&document_for("/BIN/TERMINAL", &bin, false), &FONT, 600);
    assert!(page.height > 0);
    for line in page.text_lines() {
        let c = cells(&line);
        assert_eq!(c.len(), line.chars().count(), "one cell per character");
        assert!(c.iter().all(|&b| (0x20..0x7f).contains(&b)));
    }
    assert_eq!(cells("a\u{a0}b\u{fffd}\u{1}é"), b"a b???");
}

#[test]
fn the_error_page_names_the_file_and_escapes_it() {
    let page = layout(&error_page("/DOCS/<B>.HTM", "no such file"), &FONT, 800);
    assert_eq!(page.title, "Not found: /DOCS/<B>.HTM");
    assert!(page.text_lines().contains(&"/DOCS/<B>.HTM: no such file.".to_string()), "{:?}", page.text_lines());
    assert_eq!(page.links, ["/DOCS/INDEX.HTM"]);
}

#[test]
fn history_goes_back_in_order_and_forgets_the_oldest() {
    let mut h = History::default();
    assert_eq!(h.back(), None);
    h.push("/A.HTM", 0);
    h.push("/B.HTM", 48);
    assert_eq!(h.back(), Some(("/B.HTM".into(), 48)));
    assert_eq!(h.back(), Some(("/A.HTM".into(), 0)));
    assert!(h.is_empty());
    for i in 0..History::DEPTH + 5 {
        h.push(&format!("/{i}"), 0);
    }
    assert_eq!(h.len(), History::DEPTH);
    while h.len() > 1 {
        h.back();
    }
    assert_eq!(h.back().unwrap().0, "/5");
}

#[test]
fn scrolling_stays_within_the_page() {
    assert_eq!(clamp_scroll(-30, 1000, 400), 0);
    assert_eq!(clamp_scroll(250, 1000, 400), 250);
    assert_eq!(clamp_scroll(900, 1000, 400), 600);
    assert_eq!(clamp_scroll(50, 300, 400), 0, "a page shorter than the view does not scroll");
}
