//! The tokenizer: HTML text into start tags (lower-case name, attributes, self-closing mark),
//! end tags, text, comments and doctypes, after the HTML standard's tokenizer in spirit but
//! much smaller. It never fails: markup that is not a tag is text (`a < b`), a tag cut off by the
//! end of input is dropped, an unterminated comment runs to the end, `<!...>` and `<?...>` are
//! bogus comments. The contents of title and textarea are text up to their end tag (character
//! references decoded), those of script and style too (not decoded; the tree drops them).
//! Each byte is looked at a bounded number of times, so time is linear in the input.

use crate::entity::decode;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Token {
    Start { name: String, attrs: Vec<(String, String)>, self_closing: bool },
    End { name: String },
    Text(String),
    Comment(String),
    Doctype,
}

/// Attributes kept per tag; more are read and dropped (a tag with thousands of them must not
/// cost more than reading it).
pub const MAX_ATTRS: usize = 16;

pub struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    /// Inside title, textarea, script or style: the element's name, and whether references are
    /// decoded.
    raw: Option<(&'static str, bool)>,
}

impl<'a> Tokenizer<'a> {
    pub fn new(src: &'a str) -> Tokenizer<'a> {
        Tokenizer { src, pos: 0, raw: None }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes().get(i).copied()
    }

    /// The text of a raw-text element up to its end tag (which is left for the next token).
    fn raw_text(&mut self, name: &str, decoded: bool) -> Option<Token> {
        let b = self.bytes();
        let mut i = self.pos;
        let end = loop {
            match b[i..].iter().position(|&c| c == b'<') {
                None => break b.len(),
                Some(lt) => {
                    i += lt;
                    let after = i + 2 + name.len();
                    if b.get(i + 1) == Some(&b'/')
                        && b.get(i + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                        && b.get(after).is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
                    {
                        break i;
                    }
                    i += 1;
                }
            }
        };
        let text = &self.src[self.pos..end];
        self.pos = end;
        (!text.is_empty()).then(|| Token::Text(if decoded { decode(text) } else { String::from(text) }))
    }

    /// Plain text from `pos` up to the next `<` after it.
    fn text(&mut self) -> Token {
        let b = self.bytes();
        let end = b[self.pos + 1..].iter().position(|&c| c == b'<').map_or(b.len(), |i| self.pos + 1 + i);
        let text = decode(&self.src[self.pos..end]);
        self.pos = end;
        Token::Text(text)
    }

    /// Skips to just after the next `>` from `from` (or to the end), returning what lies between.
    fn until_gt(&mut self, from: usize) -> &'a str {
        let b = self.bytes();
        let end = b[from..].iter().position(|&c| c == b'>').map_or(b.len(), |i| from + i);
        self.pos = (end + 1).min(b.len());
        &self.src[from..end]
    }

    fn comment(&mut self) -> Token {
        let start = self.pos + 4;
        let rest = &self.src[start..];
        // `<!-->` and `<!--->` are empty comments.
        for empty in [">", "->"] {
            if rest.starts_with(empty) {
                self.pos = start + empty.len();
                return Token::Comment(String::new());
            }
        }
        match rest.find("-->") {
            Some(i) => {
                self.pos = start + i + 3;
                Token::Comment(String::from(&rest[..i]))
            }
            None => {
                self.pos = self.src.len();
                Token::Comment(String::from(rest))
            }
        }
    }

    /// A start or end tag whose name begins at `name_at`; None if the input ends inside it.
    fn tag(&mut self, name_at: usize, end: bool) -> Option<Token> {
        let b = self.bytes();
        let mut i = name_at;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let name = self.src[name_at..i].to_ascii_lowercase();
        let mut attrs: Vec<(String, String)> = Vec::new();
        let mut self_closing = false;
        loop {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                None => {
                    self.pos = b.len();
                    return None;
                }
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => {
                    i += 1;
                    if b.get(i) == Some(&b'>') {
                        self_closing = true;
                    }
                    continue;
                }
                Some(_) => {}
            }
            let name_start = i;
            i += 1; // The first character may even be `=`.
            while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr_name = &self.src[name_start..i];
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let mut value = "";
            if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let Some(close) = b[i + 1..].iter().position(|&c| c == q) else {
                            self.pos = b.len();
                            return None;
                        };
                        value = &self.src[i + 1..i + 1 + close];
                        i += close + 2;
                    }
                    _ => {
                        let start = i;
                        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        value = &self.src[start..i];
                    }
                }
            }
            let attr_name = attr_name.to_ascii_lowercase();
            if attrs.len() < MAX_ATTRS && !end && !attrs.iter().any(|(n, _)| *n == attr_name) {
                attrs.push((attr_name, decode(value)));
            }
        }
        self.pos = i;
        if end {
            return Some(Token::End { name });
        }
        self.raw = match name.as_str() {
            "title" => Some(("title", true)),
            "textarea" => Some(("textarea", true)),
            "script" => Some(("script", false)),
            "style" => Some(("style", false)),
            _ => None,
        };
        Some(Token::Start { name, attrs, self_closing })
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            if let Some((name, decoded)) = self.raw.take()
                && let Some(text) = self.raw_text(name, decoded)
            {
                return Some(text);
            }
            let b = self.bytes();
            let p = self.pos;
            if p >= b.len() {
                return None;
            }
            if b[p] != b'<' {
                return Some(self.text());
            }
            match self.at(p + 1) {
                Some(b'!') if self.src[p..].starts_with("<!--") => return Some(self.comment()),
                Some(b'!') => {
                    let body = self.until_gt(p + 2);
                    let doctype = body.len() >= 7 && body.as_bytes()[..7].eq_ignore_ascii_case(b"doctype");
                    return Some(if doctype { Token::Doctype } else { Token::Comment(String::from(body)) });
                }
                Some(b'?') => return Some(Token::Comment(String::from(self.until_gt(p + 1)))),
                Some(b'/') => match self.at(p + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        if let Some(t) = self.tag(p + 2, true) {
                            return Some(t);
                        }
                    }
                    Some(b'>') => self.pos = p + 3,
                    None => return Some(self.text()),
                    Some(_) => return Some(Token::Comment(String::from(self.until_gt(p + 2)))),
                },
                Some(c) if c.is_ascii_alphabetic() => {
                    if let Some(t) = self.tag(p + 1, false) {
                        return Some(t);
                    }
                }
                _ => return Some(self.text()),
            }
        }
    }
}
