//! The tree builder: tokens into a `Document`, tolerantly, after the HTML standard's insertion
//! modes cut down to the supported tags.
//!
//! - html, head and body are created when missing: text or a body tag before `<body>` starts
//!   the body; title goes into the head while there is no body yet.
//! - Implied ends: a block start (p, h1-h3, ul, ol, li, pre) closes an open p; a heading closes
//!   a heading it is directly in; li closes the previous li of its list; `<a>` closes an open a;
//!   everything still open at the end of input is closed.
//! - End tags close the nearest open element of their name (a heading end tag any heading);
//!   the end tag of an inline element (a, b, i, em, strong, code) is ignored when a block
//!   started inside it. Stray end tags, `</body>` and `</html>` are ignored; `</br>` is a br.
//! - Unknown tags are ignored but their text is kept; script and style are dropped with their
//!   contents; comments and doctypes are dropped.
//! - A newline right after `<pre>` is dropped.
//! - Nesting deeper than `MAX_DEPTH` open elements adds no more elements (their text goes into
//!   the deepest one), so nothing that walks the tree can be driven into deep recursion.
//!
//! Not done (unlike the standard): reconstructing inline formatting across blocks
//! (`<b>x<p>y` leaves y not bold), the adoption agency for misnested inlines, tables, forms.

use crate::dom::{Document, ROOT, Tag};
use crate::token::{Token, Tokenizer};
use alloc::string::String;
use alloc::vec::Vec;

/// The most elements open at once (html and body included).
pub const MAX_DEPTH: usize = 48;

/// Parses `input` (UTF-8; invalid sequences become U+FFFD) into a document. Never fails.
pub fn parse(input: &[u8]) -> Document {
    parse_str(&String::from_utf8_lossy(input))
}

pub fn parse_str(input: &str) -> Document {
    let mut b =
        Builder { doc: Document::new(), open: Vec::new(), html: None, head: None, body: None, after_pre: false };
    let mut skipping: Option<String> = None;
    for token in Tokenizer::new(input) {
        // Script and style: their text (one token) and their end tag are dropped.
        if let Some(name) = &skipping {
            let done = matches!(&token, Token::End { name: n } if n == name);
            if done || !matches!(token, Token::Text(_)) {
                skipping = None;
            }
            if done || matches!(token, Token::Text(_)) {
                continue;
            }
        }
        match token {
            Token::Start { name, .. } if name == "script" || name == "style" => skipping = Some(name),
            Token::Start { name, attrs, .. } => {
                if let Some(tag) = Tag::from_name(&name) {
                    b.start(tag, attrs);
                }
                b.after_pre = Tag::from_name(&name) == Some(Tag::Pre);
            }
            Token::End { name } => {
                b.after_pre = false;
                match Tag::from_name(&name) {
                    Some(Tag::Br) => b.start(Tag::Br, Vec::new()),
                    Some(tag) => b.end(tag),
                    None => {}
                }
            }
            Token::Text(t) => {
                let t = if core::mem::take(&mut b.after_pre) { strip_newline(&t) } else { &t };
                b.text(t);
            }
            Token::Comment(_) | Token::Doctype => {}
        }
    }
    if b.body.is_none() {
        b.start_body();
    }
    b.doc
}

/// A plain-text file (a link to README.TXT, say) as a document: its text in one pre, titled
/// `title`.
pub fn parse_plain(input: &[u8], title: &str) -> Document {
    let mut doc = Document::new();
    let html = doc.append_element(ROOT, Tag::Html, Vec::new());
    let head = doc.append_element(html, Tag::Head, Vec::new());
    let t = doc.append_element(head, Tag::Title, Vec::new());
    doc.append_text(t, title);
    let body = doc.append_element(html, Tag::Body, Vec::new());
    let pre = doc.append_element(body, Tag::Pre, Vec::new());
    doc.append_text(pre, &String::from_utf8_lossy(input));
    doc
}

fn strip_newline(t: &str) -> &str {
    t.strip_prefix("\r\n").or_else(|| t.strip_prefix('\n')).unwrap_or(t)
}

struct Builder {
    doc: Document,
    /// The open elements, outermost first.
    open: Vec<usize>,
    html: Option<usize>,
    head: Option<usize>,
    body: Option<usize>,
    /// The previous token was `<pre>`.
    after_pre: bool,
}

impl Builder {
    fn current(&self) -> usize {
        self.open.last().copied().unwrap_or(ROOT)
    }

    fn tag_of(&self, id: usize) -> Tag {
        self.doc.tag(id).unwrap_or(Tag::Html)
    }

    fn html(&mut self) -> usize {
        if let Some(h) = self.html {
            return h;
        }
        let h = self.doc.append_element(ROOT, Tag::Html, Vec::new());
        self.html = Some(h);
        self.open.push(h);
        h
    }

    fn open_head(&mut self) {
        let html = self.html();
        if self.head.is_none() {
            let h = self.doc.append_element(html, Tag::Head, Vec::new());
            self.head = Some(h);
            self.open.push(h);
        }
    }

    /// Closes the head (and anything open in it) and opens the body.
    fn start_body(&mut self) {
        let html = self.html();
        self.open.truncate(1);
        let b = self.doc.append_element(html, Tag::Body, Vec::new());
        self.body = Some(b);
        self.open.push(b);
    }

    fn insert(&mut self, tag: Tag, attrs: Vec<(String, String)>) {
        let parent = self.current();
        let id = self.doc.append_element(parent, tag, attrs);
        if tag != Tag::Br {
            self.open.push(id);
        }
    }

    /// Where the innermost open element satisfying `pick` is in `open`, searching outwards but
    /// not past one satisfying `stop`.
    fn find_open(&self, pick: impl Fn(Tag) -> bool, stop: impl Fn(Tag) -> bool) -> Option<usize> {
        for (i, &id) in self.open.iter().enumerate().rev() {
            let tag = self.tag_of(id);
            if pick(tag) {
                return Some(i);
            }
            if stop(tag) {
                return None;
            }
        }
        None
    }

    /// Closes the open elements from the innermost down to and including index `i` of `open`.
    fn close_to(&mut self, i: usize) {
        // html and body are never closed: content after `</body>` still belongs in the body.
        let keep = if self.body.is_some() { 2 } else { 1 };
        self.open.truncate(i.max(keep));
    }

    fn close_p(&mut self) {
        if let Some(i) = self.find_open(|t| t == Tag::P, |t| matches!(t, Tag::Body | Tag::Html)) {
            self.close_to(i);
        }
    }

    fn start(&mut self, tag: Tag, attrs: Vec<(String, String)>) {
        match tag {
            Tag::Html => {
                self.html();
                return;
            }
            Tag::Head => {
                if self.body.is_none() && self.head.is_none() {
                    self.open_head();
                }
                return;
            }
            Tag::Body => {
                if self.body.is_none() {
                    self.start_body();
                }
                return;
            }
            Tag::Title if self.body.is_none() => {
                self.open_head();
                if self.tag_of(self.current()) != Tag::Title {
                    let head = self.head.unwrap_or(ROOT);
                    let t = self.doc.append_element(head, Tag::Title, attrs);
                    self.open.push(t);
                }
                return;
            }
            _ if self.body.is_none() => self.start_body(),
            _ => {}
        }
        if self.open.len() >= MAX_DEPTH && tag != Tag::Br {
            return;
        }
        match tag {
            Tag::P | Tag::Ul | Tag::Ol | Tag::Pre => self.close_p(),
            Tag::H1 | Tag::H2 | Tag::H3 => {
                self.close_p();
                if self.tag_of(self.current()).is_heading() {
                    self.open.pop();
                }
            }
            Tag::Li => {
                let list_boundary =
                    |t: Tag| matches!(t, Tag::Ul | Tag::Ol | Tag::Body | Tag::Html | Tag::Pre) || t.is_heading();
                if let Some(i) = self.find_open(|t| t == Tag::Li, list_boundary) {
                    self.close_to(i);
                }
                self.close_p();
            }
            Tag::A => {
                if let Some(i) = self.find_open(|t| t == Tag::A, |t| matches!(t, Tag::Body | Tag::Html)) {
                    self.close_to(i);
                }
            }
            _ => {}
        }
        self.insert(tag, attrs);
    }

    fn end(&mut self, tag: Tag) {
        let found = match tag {
            Tag::Html | Tag::Body | Tag::Br => None,
            Tag::H1 | Tag::H2 | Tag::H3 => self.find_open(Tag::is_heading, |t| t == Tag::Body),
            Tag::Li => self.find_open(|t| t == Tag::Li, |t| matches!(t, Tag::Ul | Tag::Ol | Tag::Body)),
            t if t.is_inline() => self.find_open(|t| t == tag, |t| t.is_block() || t == Tag::Body),
            _ => self.find_open(|t| t == tag, |t| t == Tag::Body),
        };
        if let Some(i) = found {
            self.close_to(i);
        }
    }

    fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if self.body.is_none() && self.tag_of(self.current()) != Tag::Title {
            let t = t.trim_start_matches(|c: char| c.is_ascii_whitespace());
            if t.is_empty() {
                return;
            }
            self.start_body();
            self.doc.append_text(self.current(), t);
            return;
        }
        self.doc.append_text(self.current(), t);
    }
}
