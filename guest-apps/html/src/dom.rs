//! The document tree the parser builds: an arena of nodes (elements of the supported tags and
//! text), each with its parent and children by index, so that nothing in it is recursive and a
//! walk over it (`Document::walk`) needs no call stack.

use alloc::string::String;
use alloc::vec::Vec;

/// The elements the browser knows. Every other tag is dropped by the parser (its text kept).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tag {
    Html,
    Head,
    Title,
    Body,
    H1,
    H2,
    H3,
    P,
    Br,
    A,
    Ul,
    Ol,
    Li,
    B,
    I,
    Em,
    Strong,
    Pre,
    Code,
}

impl Tag {
    /// The tag of a lower-case element name.
    pub fn from_name(name: &str) -> Option<Tag> {
        Some(match name {
            "html" => Tag::Html,
            "head" => Tag::Head,
            "title" => Tag::Title,
            "body" => Tag::Body,
            "h1" => Tag::H1,
            "h2" => Tag::H2,
            "h3" => Tag::H3,
            "p" => Tag::P,
            "br" => Tag::Br,
            "a" => Tag::A,
            "ul" => Tag::Ul,
            "ol" => Tag::Ol,
            "li" => Tag::Li,
            "b" => Tag::B,
            "i" => Tag::I,
            "em" => Tag::Em,
            "strong" => Tag::Strong,
            "pre" => Tag::Pre,
            "code" => Tag::Code,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Tag::Html => "html",
            Tag::Head => "head",
            Tag::Title => "title",
            Tag::Body => "body",
            Tag::H1 => "h1",
            Tag::H2 => "h2",
            Tag::H3 => "h3",
            Tag::P => "p",
            Tag::Br => "br",
            Tag::A => "a",
            Tag::Ul => "ul",
            Tag::Ol => "ol",
            Tag::Li => "li",
            Tag::B => "b",
            Tag::I => "i",
            Tag::Em => "em",
            Tag::Strong => "strong",
            Tag::Pre => "pre",
            Tag::Code => "code",
        }
    }

    /// Elements that start a new block (and so close an open paragraph).
    pub fn is_block(self) -> bool {
        matches!(self, Tag::H1 | Tag::H2 | Tag::H3 | Tag::P | Tag::Ul | Tag::Ol | Tag::Li | Tag::Pre)
    }

    pub fn is_heading(self) -> bool {
        matches!(self, Tag::H1 | Tag::H2 | Tag::H3)
    }

    /// Inline formatting elements: b, i, em, strong, code, a.
    pub fn is_inline(self) -> bool {
        matches!(self, Tag::A | Tag::B | Tag::I | Tag::Em | Tag::Strong | Tag::Code)
    }
}

/// An element or a run of text. The text is as written (character references decoded,
/// whitespace not yet collapsed: layout does that, except inside pre).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Kind {
    Document,
    Element { tag: Tag, attrs: Vec<(String, String)> },
    Text(String),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

/// The tree: node 0 is the document; `html`, `head` and `body` exist once the parser has run.
#[derive(Clone, Debug)]
pub struct Document {
    pub nodes: Vec<Node>,
}

/// A step of a depth-first walk: entering a node (its children follow), or leaving an element.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    Enter(usize),
    Leave(usize),
}

pub const ROOT: usize = 0;

impl Document {
    pub fn new() -> Document {
        Document { nodes: alloc::vec![Node { kind: Kind::Document, parent: None, children: Vec::new() }] }
    }

    pub fn node(&self, id: usize) -> &Node {
        &self.nodes[id]
    }

    /// The tag of node `id`, if it is an element.
    pub fn tag(&self, id: usize) -> Option<Tag> {
        match &self.nodes[id].kind {
            Kind::Element { tag, .. } => Some(*tag),
            _ => None,
        }
    }

    /// The value of attribute `name` (lower case) of element `id`.
    pub fn attr(&self, id: usize, name: &str) -> Option<&str> {
        match &self.nodes[id].kind {
            Kind::Element { attrs, .. } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    /// A new element under `parent`, returning its id.
    pub fn append_element(&mut self, parent: usize, tag: Tag, attrs: Vec<(String, String)>) -> usize {
        self.append(parent, Kind::Element { tag, attrs })
    }

    /// Text under `parent`, merged into its last child when that is text too.
    pub fn append_text(&mut self, parent: usize, text: &str) {
        if let Some(&last) = self.nodes[parent].children.last()
            && let Kind::Text(t) = &mut self.nodes[last].kind
        {
            t.push_str(text);
            return;
        }
        self.append(parent, Kind::Text(String::from(text)));
    }

    fn append(&mut self, parent: usize, kind: Kind) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node { kind, parent: Some(parent), children: Vec::new() });
        self.nodes[parent].children.push(id);
        id
    }

    /// The first element with `tag`, in document order.
    pub fn find(&self, tag: Tag) -> Option<usize> {
        self.walk(ROOT).find_map(|s| match s {
            Step::Enter(id) if self.tag(id) == Some(tag) => Some(id),
            _ => None,
        })
    }

    /// All the text under `id`, concatenated.
    pub fn text_content(&self, id: usize) -> String {
        let mut out = String::new();
        for step in self.walk(id) {
            if let Step::Enter(n) = step
                && let Kind::Text(t) = &self.nodes[n].kind
            {
                out.push_str(t);
            }
        }
        out
    }

    /// The document's title: the first title element's text with its whitespace collapsed.
    pub fn title(&self) -> String {
        let raw = self.find(Tag::Title).map(|t| self.text_content(t)).unwrap_or_default();
        let mut out = String::new();
        for word in raw.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }

    /// A depth-first walk of the subtree at `id` (an explicit stack: no recursion).
    pub fn walk(&self, id: usize) -> Walk<'_> {
        Walk { doc: self, stack: alloc::vec![(id, NOT_ENTERED)] }
    }

    /// The tree as an indented outline, one node a line (`<p>`, `"text"`): for tests and debugging.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        for step in self.walk(ROOT) {
            match step {
                Step::Enter(id) => {
                    let line = match &self.nodes[id].kind {
                        Kind::Document => None,
                        Kind::Element { tag, .. } => Some(alloc::format!("<{}>", tag.name())),
                        Kind::Text(t) => Some(alloc::format!("{t:?}")),
                    };
                    if let Some(line) = line {
                        (0..depth).for_each(|_| out.push_str("  "));
                        out.push_str(&line);
                        out.push('\n');
                        depth += 1;
                    }
                }
                Step::Leave(id) => {
                    if id != ROOT {
                        depth -= 1;
                    }
                }
            }
        }
        out
    }
}

impl Default for Document {
    fn default() -> Self {
        Document::new()
    }
}

/// See `Document::walk`. Text nodes give an Enter and a Leave like elements.
pub struct Walk<'a> {
    doc: &'a Document,
    stack: Vec<(usize, usize)>,
}

impl Iterator for Walk<'_> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        loop {
            let (id, next_child) = self.stack.last_mut()?;
            let id = *id;
            if *next_child == NOT_ENTERED {
                *next_child = 0;
                return Some(Step::Enter(id));
            }
            match self.doc.nodes[id].children.get(*next_child) {
                Some(&child) => {
                    *next_child += 1;
                    self.stack.push((child, NOT_ENTERED));
                }
                None => {
                    self.stack.pop();
                    return Some(Step::Leave(id));
                }
            }
        }
    }
}

/// A walk's mark for a node pushed but not yet entered.
const NOT_ENTERED: usize = usize::MAX;
