//! The Browser's decisions that are not HTML: which parser a file gets (by its name), the page
//! shown when a file cannot be read, the history of visited pages (Backspace goes back), the
//! scrolling range, and the text of a run as cells of an ASCII bitmap font.

use crate::dom::Document;
use crate::tree::{parse, parse_plain, parse_str};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Most bytes of a file the Browser lays out: the rest of a larger file is left out (and said
/// so), which bounds the app's memory whatever the disk holds.
pub const MAX_PAGE: usize = 24 << 10;
/// The most memory the document and the layout of any `MAX_PAGE` bytes take at once (measured
/// on the worst inputs known, tests/memory.rs): the app's heap must hold that and the
/// allocator's rounding.
pub const PAGE_MEMORY: usize = 3 << 20;

/// Whether the file at `path` is HTML (its name ends in .htm or .html, any case).
pub fn is_html(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".htm") || lower.ends_with(".html")
}

/// The document for the first bytes of the file at `path` (`truncated`: there were more than
/// [`MAX_PAGE`]): HTML for an .htm file, its text in a pre for anything else (binary files
/// too: the bytes that are not UTF-8 show as replacement characters), titled with the file's
/// name.
pub fn document_for(path: &str, bytes: &[u8], truncated: bool) -> Document {
    let bytes = &bytes[..bytes.len().min(MAX_PAGE)];
    if is_html(path) && !truncated {
        return parse(bytes);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if !is_html(path) {
        let mut text = Vec::from(bytes);
        if truncated {
            text.extend_from_slice(format!("\n\n[only the first {} KiB are shown]\n", MAX_PAGE >> 10).as_bytes());
        }
        return parse_plain(&text, name);
    }
    // A cut-off HTML file: its start as HTML (the parser closes what is open), then the note.
    let mut text = Vec::from(bytes);
    text.extend_from_slice(format!("<p><i>[only the first {} KiB are shown]</i>", MAX_PAGE >> 10).as_bytes());
    parse(&text)
}

/// The page shown instead of `path` when it cannot be read (`reason`: "no such file", say).
pub fn error_page(path: &str, reason: &str) -> Document {
    parse_str(&format!(
        "<title>Not found: {p}</title><h1>Cannot open this page</h1><p>{p}: {r}.</p>\
         <p>Press <b>Backspace</b> to go back, or open the <a href=\"/DOCS/INDEX.HTM\">index</a>.</p>",
        p = escape(path),
        r = escape(reason)
    ))
}

/// `s` with the characters HTML gives a meaning written as character references.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages behind the current one, newest last, each with the scroll offset it had.
#[derive(Default, Debug)]
pub struct History {
    back: Vec<(String, u32)>,
}

impl History {
    /// Most pages remembered: the oldest are forgotten beyond it.
    pub const DEPTH: usize = 64;

    /// Leaving `path` (scrolled to `scroll`) for another page.
    pub fn push(&mut self, path: &str, scroll: u32) {
        if self.back.len() == Self::DEPTH {
            self.back.remove(0);
        }
        self.back.push((String::from(path), scroll));
    }

    /// The page to go back to and its scroll offset, None at the first page.
    pub fn back(&mut self) -> Option<(String, u32)> {
        self.back.pop()
    }

    pub fn len(&self) -> usize {
        self.back.len()
    }

    pub fn is_empty(&self) -> bool {
        self.back.is_empty()
    }
}

/// `scroll` kept within 0 ..= the last offset that still fills a `view`-pixel viewport with a
/// page `height` pixels tall.
pub fn clamp_scroll(scroll: i64, height: u32, view: u32) -> u32 {
    scroll.clamp(0, height.saturating_sub(view) as i64) as u32
}

/// The text of a run as cells of a font with glyphs for printable ASCII: one byte per
/// character (layout counts characters), white space (a non-breaking space) as a space,
/// anything else (a control character, a replacement character, a non-ASCII letter) as `?`.
pub fn cells(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii_graphic() => c as u8,
            c if c.is_whitespace() => b' ',
            _ => b'?',
        })
        .collect()
}
