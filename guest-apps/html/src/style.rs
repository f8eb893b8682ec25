//! What the layout needs to know about the font, and the style flags it hands the renderer.
//! Layout is in pixels but knows no pixels itself: each character of a style is `char_width`
//! wide (a fixed-cell font) and each line of it `line_height` tall.

/// How a run of text is to be drawn. The renderer maps the flags onto its font: bold (a
/// double-struck glyph, say), italic (a slant), mono (pre and code: a shaded background),
/// link (a link colour and an underline), heading 1-3 (0: body text) at `scale` times the cell.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub mono: bool,
    pub link: bool,
    pub heading: u8,
}

impl Style {
    /// How many cells wide and tall each character is: 2 for h1, 1 otherwise.
    pub fn scale(self) -> u32 {
        if self.heading == 1 { 2 } else { 1 }
    }
}

/// The font as the layout sees it.
pub trait FontMetrics {
    /// The advance of each character in `style`, in pixels (at least 1).
    fn char_width(&self, style: Style) -> u32;
    /// The height of a line of `style`, in pixels (at least 1).
    fn line_height(&self, style: Style) -> u32;
}

/// A fixed-cell bitmap font (e.g. 8x16), drawn at `Style::scale` times its size.
#[derive(Clone, Copy, Debug)]
pub struct CellFont {
    pub width: u32,
    pub height: u32,
}

impl FontMetrics for CellFont {
    fn char_width(&self, style: Style) -> u32 {
        self.width.max(1) * style.scale()
    }

    fn line_height(&self, style: Style) -> u32 {
        self.height.max(1) * style.scale()
    }
}
