//! Garbage in, no panic out: random bytes, random tag soup and mutations of the sample pages
//! (../docs) through the parser, the layout (random widths and fonts), hit-testing and path
//! resolution, with overflow checks on; every display-list item must lie inside the page.
//! (Pathological inputs and their running time: linear.rs.)

use html::{CellFont, Item, Page, layout, parse, resolve};
use std::time::Instant;

/// A reproducible stream of pseudo-random numbers (xorshift64) from `seed`.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// Pieces tag soup is made of: every construct the tokenizer and tree builder treat specially.
const PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "<P class=x>",
    "<li>",
    "</li>",
    "<ul>",
    "</ul>",
    "<ol start=3>",
    "</ol>",
    "<h1>",
    "</h2>",
    "<h3>",
    "<b>",
    "</b>",
    "<i>",
    "</em>",
    "<strong>",
    "<code>",
    "</code>",
    "<pre>",
    "</pre>",
    "<br>",
    "</br>",
    "<br/>",
    "<a href=\"x.htm\">",
    "<a href='../y.htm#f'>",
    "<a href=z>",
    "</a>",
    "<title>",
    "</title>",
    "<head>",
    "</head>",
    "<body>",
    "</body>",
    "<html>",
    "</html>",
    "<script>",
    "</script>",
    "<style>",
    "<div>",
    "<!--",
    "-->",
    "<!DOCTYPE html>",
    "<!",
    "<?",
    "</",
    "<",
    ">",
    "/>",
    "=",
    "\"",
    "'",
    "&",
    "&amp;",
    "&#",
    "&#x",
    "&#1114112;",
    "&nbsp;",
    "&lt",
    ";",
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "word",
    "longerwordwithoutspaces",
    "é",
    "\u{a0}",
    "日本",
    "\u{0}",
    "x",
];

fn soup(next: &mut impl FnMut() -> u64, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < len {
        if next().is_multiple_of(16) {
            out.push(next() as u8);
        } else {
            out.extend_from_slice(PIECES[next() as usize % PIECES.len()].as_bytes());
        }
    }
    out
}

fn samples() -> Vec<Vec<u8>> {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
    let mut pages = Vec::new();
    for dir in [docs.to_string(), format!("{docs}/web")] {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "htm") {
                pages.push(std::fs::read(&path).unwrap());
            }
        }
    }
    assert!(pages.len() >= 4, "sample pages found: {}", pages.len());
    pages
}

fn mutate(next: &mut impl FnMut() -> u64, page: &[u8]) -> Vec<u8> {
    let mut out = page.to_vec();
    for _ in 0..1 + next() % 8 {
        let at = next() as usize % (out.len() + 1);
        match next() % 5 {
            0 => out.insert(at, next() as u8),
            1 if at < out.len() => {
                out.remove(at);
            }
            2 if at < out.len() => out[at] = next() as u8,
            3 => {
                let piece = PIECES[next() as usize % PIECES.len()].as_bytes();
                out.splice(at..at, piece.iter().copied());
            }
            _ => {
                // Repeat a slice: deep nesting and long runs from real markup.
                let end = (at + 1 + next() as usize % 40).min(out.len());
                let slice = out[at..end].to_vec();
                for _ in 0..next() % 50 {
                    out.splice(at..at, slice.iter().copied());
                }
            }
        }
    }
    out
}

/// Parses and lays out `input` and checks the result's invariants.
fn check(next: &mut impl FnMut() -> u64, input: &[u8]) {
    let doc = parse(input);
    let font = CellFont { width: 1 + next() as u32 % 16, height: 1 + next() as u32 % 32 };
    let width = 1 + next() as u32 % 1500;
    let page = layout(&doc, &font, width);
    assert_inside(&page, width);
    for _ in 0..8 {
        let (x, y) = (next() as u32 % (width + 10), next() as u32 % (page.height + 10));
        if let Some(href) = page.link_at(x, y) {
            let _ = resolve("/DOCS/WEB/A.HTM", href);
        }
    }
    for href in &page.links {
        if let Some(p) = resolve("/DOCS/INDEX.HTM", href) {
            assert!(p.starts_with('/') && !p.contains("/../") && !p.contains('#'), "{p}");
        }
    }
}

fn assert_inside(page: &Page, width: u32) {
    for item in &page.items {
        let (x, y, w, h) = match item {
            Item::Text { x, y, width, height, text, link, .. } => {
                assert!(!text.is_empty());
                assert!(link.is_none_or(|l| l < page.links.len()));
                (*x, *y, *width, *height)
            }
            Item::Bullet { x, y, width, height, .. } | Item::Panel { x, y, width, height } => (*x, *y, *width, *height),
        };
        assert!(y + h <= page.height, "{item:?} below the page end {}", page.height);
        assert!(x + w <= width.max(page.width), "{item:?} right of {width} / {}", page.width);
    }
}

#[test]
fn random_bytes_soup_and_mutated_samples_never_panic() {
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    let pages = samples();
    let started = Instant::now();
    let rounds = 20_000;
    for round in 0..rounds {
        let pick = next() as usize;
        let input = match round % 3 {
            0 => (0..pick % 600).map(|_| next() as u8).collect(),
            1 => soup(&mut next, pick % 2000),
            _ => mutate(&mut next, &pages[pick % pages.len()]),
        };
        check(&mut next, &input);
    }
    eprintln!("fuzz: {rounds} inputs in {:?}", started.elapsed());
}
