//! The pure parts of the Editor and Files (guest-apps/editor, guest-apps/files), with no system
//! calls and no heap, so that `cargo test` here checks them on the host:
//! - `buffer`: the text being edited, with its cursor, the editing operations and scrolling;
//! - `rust`: the Rust syntax highlighter (a line tokenizer that carries block comments and
//!   strings from line to line);
//! - `path`: absolute paths built and taken apart without allocating, what a file opens with,
//!   and the listing's order and columns (size, date).
#![no_std]

pub mod buffer;
pub mod path;
pub mod rust;
