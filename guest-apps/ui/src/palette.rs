//! The desktop's colours for apps (the window manager's chrome uses the same values, in
//! guest-apps/wm's theme): backgrounds, text, the accent, and the colours of syntax
//! highlighting and listings, so that the Editor, Files and the others look like one system.

/// An app's background (the inside of a window), and a slightly lighter band (status lines,
/// the line-number gutter, the selected row).
pub const WINDOW: u32 = 0x14_181f;
pub const BAND: u32 = 0x1f_2430;
pub const SELECTED: u32 = 0x2c_3a52;
pub const TEXT: u32 = 0xd8_dee9;
pub const TEXT_DIM: u32 = 0x6b_7589;
pub const ACCENT: u32 = 0x5e_9cd6;
/// The cursor, and what needs attention (a modified marker).
pub const CURSOR: u32 = 0xe8_b45a;
pub const ERROR: u32 = 0xd0_605e;

/// Syntax highlighting.
pub const KEYWORD: u32 = 0xc6_8fd6;
pub const TYPE: u32 = 0x6f_c3c0;
pub const MACRO: u32 = 0x5e_9cd6;
pub const STRING: u32 = 0xa3_c98a;
pub const NUMBER: u32 = 0xe0_9a68;
pub const COMMENT: u32 = 0x6b_7589;
