//! The Browser's pure parts, `no_std` + `alloc`, tested on the host (`cargo test` here): a
//! tolerant HTML parser into a DOM, layout of that DOM into a display list for a fixed-cell font
//! and a viewport width, link hit-testing, and resolution of link targets to file paths.
//!
//! # Use from the Browser app
//!
//! ```ignore
//! let bytes = /* the file, read through the file server */;
//! let doc = html::parse(&bytes);                      // never fails, never panics
//! // (a file not ending in .HTM: html::parse_plain(&bytes, name), its text in one pre)
//! let font = html::CellFont { width: 8, height: 16 }; // or any html::FontMetrics
//! let page = html::layout(&doc, &font, view_width);   // again after every Resize
//! set_window_title(&page.title);                      // "" when the page has none
//! for item in page.visible(scroll, scroll + view_height) {
//!     match item {
//!         // y - scroll on screen; style says bold/italic/mono/link/heading, style.scale()
//!         // how many cells wide and tall each glyph is (h1: 2)
//!         html::Item::Text { x, y, width, height, text, style, link } => { /* draw */ }
//!         html::Item::Bullet { x, y, width, height, depth } => { /* a disc/circle/square */ }
//!         html::Item::Panel { x, y, width, height } => { /* pre background, before its text */ }
//!     }
//! }
//! // Scrolling: 0 ..= page.height.saturating_sub(view_height).
//! // A click at window (cx, cy):
//! if let Some(href) = page.link_at(cx, cy + scroll) {
//!     if let Some(path) = html::resolve(&current_path, href) { /* push current_path, open path */ }
//! }
//! ```
//!
//! # Modules
//!
//! - `token`: bytes into tokens (tags with attributes, text, comments, doctypes); character
//!   references decoded (`entity`); linear time, no recursion, nothing can make it panic.
//! - `tree`: tokens into a `Document` with the usual implied ends (see its doc for the exact
//!   rules), nesting capped at `MAX_DEPTH`; `parse(&[u8])` / `parse_str(&str)`, and
//!   `parse_plain(&[u8], title)` for a file that is not HTML (a .TXT: its text in one pre).
//! - `dom`: the `Document` arena (`Node`s with `Kind::Element { tag, attrs }` or `Kind::Text`),
//!   `walk` (an iterator of `Step::Enter`/`Leave`, no recursion), `title()`, `attr()`,
//!   `text_content()`, `outline()` (a text dump for tests).
//! - `style`: `Style` (flags the renderer maps onto its font), `FontMetrics` (a character's
//!   advance and a line's height per style), `CellFont` (a fixed-cell font, h1 at twice the size).
//! - `layout`: `layout(&Document, &dyn FontMetrics, width) -> Page`: word wrap, headings,
//!   paragraphs, lists with markers, pre; `Page { title, items, links, height, width }`,
//!   `Page::link_at(x, y)`, `Page::visible(top, bottom)`, `Page::text_lines()`.
//! - `path`: `resolve(base, href) -> Option<String>`: `../A.HTM`, `/DOCS/B.HTM`, `c.htm#frag`
//!   against the current page's path; None for `http:` and other schemes.
//!
//! - `browse`: what the app decides besides HTML: `document_for(path, bytes, truncated)` (HTML
//!   for .htm files, plain text for the rest, at most `MAX_PAGE` bytes), `error_page`,
//!   `History` (Backspace), `clamp_scroll`, `cells` (a run's text as ASCII font cells).
//!
//! All coordinates are in pixels of the document (x from the left edge of the viewport, y from
//! the top of the document); the layout adds no page margin, so the app insets the viewport.
//! Supported elements: html, head, title, body, h1-h3, p, br, a href, ul/ol (start)/li,
//! b/i/em/strong, pre/code. Other tags are ignored (their text kept); script and style are
//! dropped whole.
#![no_std]

extern crate alloc;

pub mod browse;
pub mod dom;
mod entity;
pub mod layout;
pub mod path;
pub mod style;
pub mod token;
pub mod tree;

pub use dom::{Document, Kind, Node, Step, Tag};
pub use layout::{Item, LIST_INDENT, Page, layout};
pub use path::resolve;
pub use style::{CellFont, FontMetrics, Style};
pub use tree::{MAX_DEPTH, parse, parse_plain, parse_str};
