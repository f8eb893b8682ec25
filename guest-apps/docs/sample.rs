//! A sample for rost's Editor: open it with `run EDITOR /DOCS/SAMPLE.RS`
//! or from Files, and see the Rust highlighting.

/* Block comments are highlighted too,
   /* and they nest */ across lines. */

use core::fmt;

/// A point on the screen.
#[derive(Clone, Copy, Debug)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

const LIMIT: u32 = 0x1f_u32 + 1_000;

fn distance<'a>(a: &'a Point, b: &'a Point) -> f64 {
    let dx = (a.x - b.x) as f64;
    let dy = (a.y - b.y) as f64;
    (dx * dx + dy * dy).sqrt() * 2.5e-1 * 4.0
}

fn main() {
    let origin = Point { x: 0, y: 0 };
    let corner = Point { x: 3, y: 4 };
    let quote = '\'';
    let raw = r#"a "raw" string"#;
    for i in 0..LIMIT {
        if i % 2 == 0 && quote != 'x' {
            continue;
        }
        println!("{} {} {}", i, raw, distance(&origin, &corner));
    }
}
