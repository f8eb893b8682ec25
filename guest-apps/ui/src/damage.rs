//! Damage tracking: the part of a buffer that changed since it was last shown, as one bounding
//! rectangle (what `fb_flush` and the window manager's compositing take).

use crate::draw::Rect;

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Damage(Option<Rect>);

impl Damage {
    /// Marks `r` as changed (empty rectangles are ignored).
    pub fn add(&mut self, r: Rect) {
        if r.w == 0 || r.h == 0 {
            return;
        }
        self.0 = Some(self.0.map_or(r, |d| d.union(r)));
    }

    /// The changed rectangle, leaving nothing marked.
    pub fn take(&mut self) -> Option<Rect> {
        self.0.take()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}
