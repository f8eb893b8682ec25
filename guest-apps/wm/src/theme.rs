//! The desktop's one palette (a dark slate theme with a blue accent), shared by the window
//! manager's chrome; apps use the same values through their own drawing.

pub const DESKTOP: u32 = 0x1d_2330;
pub const DESKTOP_DOT: u32 = 0x26_2e3d;
pub const MENU: u32 = 0x2b_3240;
pub const MENU_HOVER: u32 = 0x3f_4b60;
pub const MENU_LINE: u32 = 0x14_1820;
pub const TEXT: u32 = 0xe5_e9f0;
pub const TEXT_DIM: u32 = 0x9a_a3b5;
pub const ACCENT: u32 = 0x5e_9cd6;
pub const NOTICE: u32 = 0xe8_b45a;
pub const TITLE: u32 = 0x3a_4252;
pub const CLOSE: u32 = 0xd0_605e;
pub const WINDOW: u32 = 0x14_181f;
