//! placeholder
#![no_std]

extern crate alloc;

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
pub use tree::{MAX_DEPTH, parse, parse_str};
