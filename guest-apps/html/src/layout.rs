//! Layout: a document into a display list (`Page`) for a viewport `width` pixels wide, in
//! document coordinates (y grows down from 0; the app scrolls by subtracting its offset).
//!
//! - Block elements (p, h1-h3, ul, ol, li, pre) start on a new line, with vertical margins that
//!   collapse (the larger of two adjoining ones wins; none above the first line).
//! - Inline text wraps at whitespace; whitespace collapses to one space and vanishes at line
//!   starts and ends; a word wider than the whole line is broken between characters; words made
//!   of several runs (`<b>bold</b>er`) wrap as one. `&nbsp;` is a space that does not break.
//! - pre keeps its whitespace and line breaks, never wraps, and expands tabs to 8 columns; it
//!   gets a `Item::Panel` behind it.
//! - Lists indent their items by `LIST_INDENT` cells (no further than the middle of the
//!   viewport); ul items get an `Item::Bullet` (its `depth` says which nesting level), ol items
//!   a "N." text marker (from `start`, default 1), both left of the item's first line.
//! - Each line's runs sit on a common bottom line (a line is as tall as its tallest run).
//! - head and title (wherever it is) are not shown; the title is in `Page::title`.

use crate::dom::{Document, Kind, ROOT, Step, Tag};
use crate::style::{FontMetrics, Style};
use alloc::string::String;
use alloc::vec::Vec;

/// List indentation, in cells of body text.
pub const LIST_INDENT: u32 = 4;

/// One thing to draw, in document pixels.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Item {
    /// A run of text in one style, on one line; `link` indexes `Page::links`.
    Text { x: u32, y: u32, width: u32, height: u32, text: String, style: Style, link: Option<usize> },
    /// An unordered list's marker: draw a bullet centred in this box (a disc at depth 0, a
    /// circle at 1, a square deeper, say).
    Bullet { x: u32, y: u32, width: u32, height: u32, depth: u8 },
    /// The background of a pre block, drawn before its text.
    Panel { x: u32, y: u32, width: u32, height: u32 },
}

/// A laid-out document.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The title (whitespace collapsed), empty without one.
    pub title: String,
    pub items: Vec<Item>,
    /// The targets of the links, as written in their href.
    pub links: Vec<String>,
    /// The height of the content: the scrolling range is 0..height.
    pub height: u32,
    /// The widest line (pre lines may be wider than the viewport).
    pub width: u32,
}

impl Page {
    /// The href of the link at document point (x, y), if any.
    pub fn link_at(&self, x: u32, y: u32) -> Option<&str> {
        self.items.iter().find_map(|item| match item {
            Item::Text { x: ix, y: iy, width, height, link: Some(l), .. }
                if (*ix..ix + width).contains(&x) && (*iy..iy + height).contains(&y) =>
            {
                Some(self.links[*l].as_str())
            }
            _ => None,
        })
    }

    /// The items that reach into the rows top..bottom (what a window scrolled to `top` shows).
    pub fn visible(&self, top: u32, bottom: u32) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |item| {
            let (y, h) = match item {
                Item::Text { y, height, .. } | Item::Bullet { y, height, .. } | Item::Panel { y, height, .. } => {
                    (*y, *height)
                }
            };
            y < bottom && y + h > top
        })
    }

    /// All the text, one line of the display a line: for tests and debugging.
    pub fn text_lines(&self) -> Vec<String> {
        let mut lines: Vec<(u32, String)> = Vec::new();
        for item in &self.items {
            if let Item::Text { y, height, text, .. } = item {
                let bottom = y + height;
                match lines.iter_mut().find(|(b, _)| *b == bottom) {
                    Some((_, line)) => line.push_str(text),
                    None => lines.push((bottom, text.clone())),
                }
            }
        }
        lines.sort_by_key(|(b, _)| *b);
        lines.into_iter().map(|(_, l)| l).collect()
    }
}

/// Lays `doc` out for a viewport `width` pixels wide.
pub fn layout(doc: &Document, metrics: &dyn FontMetrics, width: u32) -> Page {
    let body = Style::default();
    let mut l = Layout {
        m: metrics,
        right: width,
        cell: metrics.char_width(body),
        line_h: metrics.line_height(body),
        page: Page { title: doc.title(), ..Page::default() },
        ctx: Ctx { style: body, link: None, left: 0, pre: false, hidden: false },
        saved: Vec::new(),
        lists: Vec::new(),
        y: 0,
        x: 0,
        line_first: 0,
        line_used: false,
        placed_any: false,
        margin: 0,
        space: None,
        word: Vec::new(),
        word_width: 0,
        marker: None,
        panels: Vec::new(),
    };
    for step in doc.walk(ROOT) {
        match step {
            Step::Enter(id) => match &doc.node(id).kind {
                Kind::Text(t) if !l.ctx.hidden => l.text(t),
                Kind::Element { tag, .. } => l.enter(doc, id, *tag),
                _ => {}
            },
            Step::Leave(id) => {
                if let Some(tag) = doc.tag(id) {
                    l.leave(tag);
                }
            }
        }
    }
    l.flush_word();
    l.end_line();
    l.page.height = l.y;
    l.page
}

/// What an element sets for its contents; restored when it ends.
#[derive(Clone, Copy)]
struct Ctx {
    style: Style,
    link: Option<usize>,
    left: u32,
    pre: bool,
    hidden: bool,
}

/// A list item's marker, waiting for the item's first line.
enum Marker {
    Number(u32),
    Bullet(u8),
}

struct Fragment {
    text: String,
    style: Style,
    link: Option<usize>,
    width: u32,
}

struct Layout<'a> {
    m: &'a dyn FontMetrics,
    right: u32,
    /// Body text's cell width and line height: the unit of indents and margins.
    cell: u32,
    line_h: u32,
    page: Page,
    ctx: Ctx,
    saved: Vec<Ctx>,
    /// Open lists: ordered?, the next item's number.
    lists: Vec<(bool, u32)>,
    /// The top of the current line, and the pen on it.
    y: u32,
    x: u32,
    /// The first item of the current line, and whether anything is on it.
    line_first: usize,
    line_used: bool,
    placed_any: bool,
    /// The collapsed margin waiting above the next line.
    margin: u32,
    /// A collapsed space waiting before the next word, in the style it was written in.
    space: Option<(Style, Option<usize>)>,
    word: Vec<Fragment>,
    word_width: u32,
    marker: Option<Marker>,
    /// Open pre blocks: their Panel's index in the items.
    panels: Vec<usize>,
}

impl Layout<'_> {
    fn enter(&mut self, doc: &Document, id: usize, tag: Tag) {
        self.saved.push(self.ctx);
        let margin = self.line_h / 2;
        match tag {
            Tag::Head | Tag::Title => self.ctx.hidden = true,
            Tag::B | Tag::Strong => self.ctx.style.bold = true,
            Tag::I | Tag::Em => self.ctx.style.italic = true,
            Tag::Code => self.ctx.style.mono = true,
            Tag::A => {
                if let Some(href) = doc.attr(id, "href") {
                    self.ctx.link = Some(self.page.links.len());
                    self.page.links.push(String::from(href));
                    self.ctx.style.link = true;
                }
            }
            Tag::Br => {
                self.flush_word();
                if self.line_used {
                    self.end_line();
                } else {
                    self.empty_line();
                }
            }
            Tag::P => self.block(margin),
            Tag::H1 | Tag::H2 | Tag::H3 => {
                self.block(self.line_h);
                self.ctx.style.heading = match tag {
                    Tag::H1 => 1,
                    Tag::H2 => 2,
                    _ => 3,
                };
                self.ctx.style.bold = true;
            }
            Tag::Ul | Tag::Ol => {
                self.block(if self.lists.is_empty() { margin } else { 0 });
                let start = doc.attr(id, "start").and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(1);
                self.lists.push((tag == Tag::Ol, start));
                self.indent();
            }
            Tag::Li => {
                self.block(0);
                if self.marker.is_some() {
                    self.empty_line(); // `<li><ul><li>`: the outer item's marker gets its own line.
                }
                if self.lists.is_empty() {
                    self.indent();
                }
                let depth = self.lists.iter().filter(|l| !l.0).count().saturating_sub(1);
                self.marker = Some(match self.lists.last_mut() {
                    Some((true, n)) => {
                        *n = n.saturating_add(1);
                        Marker::Number(*n - 1)
                    }
                    _ => Marker::Bullet(depth.min(255) as u8),
                });
            }
            Tag::Pre => {
                self.block(margin);
                self.ctx.pre = true;
                self.ctx.style.mono = true;
                self.apply_margin();
                self.panels.push(self.page.items.len());
                let (x, y) = (self.ctx.left, self.y);
                self.page.items.push(Item::Panel { x, y, width: self.right.saturating_sub(x), height: 0 });
            }
            Tag::Html | Tag::Body => {}
        }
    }

    fn leave(&mut self, tag: Tag) {
        let margin = self.line_h / 2;
        match tag {
            Tag::P => self.block(margin),
            Tag::H1 | Tag::H2 | Tag::H3 => self.block(margin),
            Tag::Ul | Tag::Ol => {
                self.lists.pop();
                self.block(if self.lists.is_empty() { margin } else { 0 });
            }
            Tag::Li => {
                self.block(0);
                if self.marker.is_some() {
                    self.empty_line(); // `<li><ul><li>`: the outer item's marker gets its own line.
                }
                if self.marker.is_some() {
                    self.empty_line();
                }
            }
            Tag::Pre => {
                self.block(margin);
                if let Some(i) = self.panels.pop()
                    && let Some(Item::Panel { y, height, .. }) = self.page.items.get_mut(i)
                {
                    *height = self.y - *y;
                }
            }
            _ => {}
        }
        if let Some(saved) = self.saved.pop() {
            self.ctx = saved;
        }
        if !self.line_used {
            self.x = self.ctx.left;
        }
    }

    /// One list level further in, unless that would pass the middle of the viewport (deeply
    /// nested lists stay readable).
    fn indent(&mut self) {
        let left = self.ctx.left + LIST_INDENT * self.cell;
        if left <= self.right / 2 {
            self.ctx.left = left;
        }
    }

    /// A block boundary: the current line ends and a margin of at least `margin` follows.
    fn block(&mut self, margin: u32) {
        self.flush_word();
        self.end_line();
        self.space = None;
        if self.placed_any {
            self.margin = self.margin.max(margin);
        }
    }

    fn apply_margin(&mut self) {
        self.y += core::mem::take(&mut self.margin);
    }

    fn text(&mut self, t: &str) {
        if self.ctx.pre {
            return self.pre_text(t);
        }
        let (style, link) = (self.ctx.style, self.ctx.link);
        let cw = self.m.char_width(style);
        let mut start = None;
        for (i, c) in t.char_indices().chain(core::iter::once((t.len(), ' '))) {
            if c.is_ascii_whitespace() {
                if let Some(s) = start.take() {
                    self.add_to_word(&t[s..i], style, link, cw);
                }
                if i < t.len() {
                    self.flush_word();
                    self.space = Some((style, link));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
    }

    fn add_to_word(&mut self, s: &str, style: Style, link: Option<usize>, cw: u32) {
        let text: String = s.chars().map(|c| if c == '\u{a0}' { ' ' } else { c }).collect();
        let width = cw.saturating_mul(text.chars().count() as u32);
        self.word_width = self.word_width.saturating_add(width);
        self.word.push(Fragment { text, style, link, width });
    }

    /// Places the word gathered so far: on this line after the pending space if it fits, else
    /// on the next; broken between characters if no line can hold it.
    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let space = self.space.take().filter(|_| self.line_used);
        let space_w = space.map_or(0, |(s, _)| self.m.char_width(s));
        let mut space = space;
        if self.line_used && self.x + space_w + self.word_width > self.right {
            self.end_line();
            space = None;
        }
        if let Some((style, link)) = space {
            self.put(" ", style, link, space_w);
        }
        let fits = self.x + self.word_width <= self.right;
        for f in core::mem::take(&mut self.word) {
            if fits {
                self.put(&f.text, f.style, f.link, f.width);
                continue;
            }
            let cw = self.m.char_width(f.style);
            let mut buf = [0u8; 4];
            for c in f.text.chars() {
                if self.line_used && self.x + cw > self.right {
                    self.end_line();
                }
                self.put(c.encode_utf8(&mut buf), f.style, f.link, cw);
            }
        }
        self.word_width = 0;
    }

    /// pre text: kept as written, lines broken only at newlines.
    fn pre_text(&mut self, t: &str) {
        let (style, link) = (self.ctx.style, self.ctx.link);
        let cw = self.m.char_width(style).max(1); // A divisor below, whatever the font says.
        let mut buf = [0u8; 4];
        for c in t.chars() {
            match c {
                '\n' => {
                    if self.line_used {
                        self.end_line();
                    } else {
                        self.empty_line();
                    }
                }
                '\r' => {}
                '\t' => {
                    let column = if self.line_used { self.x.saturating_sub(self.ctx.left) / cw } else { 0 };
                    let spaces = 8 - column % 8;
                    for _ in 0..spaces {
                        self.put(" ", style, link, cw);
                    }
                }
                c => {
                    let c = if c == '\u{a0}' { ' ' } else { c };
                    self.put(c.encode_utf8(&mut buf), style, link, cw);
                }
            }
        }
    }

    /// Puts a run at the pen, extending the line's last run when it has the same style.
    fn put(&mut self, s: &str, style: Style, link: Option<usize>, width: u32) {
        if !self.line_used {
            self.start_line();
        }
        let height = self.m.line_height(style);
        let x = self.x;
        self.x = self.x.saturating_add(width);
        self.page.width = self.page.width.max(self.x);
        if self.page.items.len() > self.line_first
            && let Some(Item::Text { x: lx, width: lw, text, style: ls, link: ll, .. }) = self.page.items.last_mut()
            && *ls == style
            && *ll == link
            && *lx + *lw == x
        {
            text.push_str(s);
            *lw += width;
            return;
        }
        self.page.items.push(Item::Text { x, y: self.y, width, height, text: String::from(s), style, link });
    }

    fn start_line(&mut self) {
        if self.placed_any {
            self.apply_margin();
        }
        self.margin = 0;
        self.line_first = self.page.items.len();
        self.x = self.ctx.left;
        self.line_used = true;
        self.placed_any = true;
    }

    /// Ends the current line (if anything is on it): its runs move down onto a common bottom
    /// line, the pending list marker goes in front of it.
    fn end_line(&mut self) {
        if !self.line_used {
            return;
        }
        let height = self.page.items[self.line_first..]
            .iter()
            .map(|i| match i {
                Item::Text { height, .. } => *height,
                _ => 0,
            })
            .max()
            .unwrap_or(self.line_h);
        let top = self.y;
        for item in &mut self.page.items[self.line_first..] {
            if let Item::Text { y, height: h, .. } = item {
                *y = top + height - *h;
            }
        }
        self.place_marker(top, height);
        self.y += height;
        self.x = self.ctx.left;
        self.line_used = false;
        self.line_first = self.page.items.len();
    }

    /// A line with nothing on it (a br on an empty line, an empty line in pre, an empty li).
    fn empty_line(&mut self) {
        self.start_line();
        self.line_used = false;
        let height = self.m.line_height(self.ctx.style);
        self.place_marker(self.y, height);
        self.y += height;
        self.line_first = self.page.items.len();
    }

    fn place_marker(&mut self, top: u32, line_height: u32) {
        let Some(marker) = self.marker.take() else { return };
        let (cw, lh) = (self.cell, self.line_h);
        let y = top + line_height.saturating_sub(lh);
        let left = self.ctx.left;
        let (item, right) = match marker {
            Marker::Bullet(depth) => {
                let x = left.saturating_sub(2 * cw);
                (Item::Bullet { x, y, width: cw, height: lh, depth }, x + cw)
            }
            Marker::Number(n) => {
                let text = alloc::format!("{n}.");
                let width = cw * text.len() as u32;
                let x = left.saturating_sub(width + cw);
                (Item::Text { x, y, width, height: lh, text, style: Style::default(), link: None }, x + width)
            }
        };
        self.page.width = self.page.width.max(right);
        self.page.items.push(item);
    }
}
