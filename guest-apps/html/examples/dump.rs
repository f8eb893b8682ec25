//! Prints a page laid out for an 8x16 font as a character grid (links in upper case, list
//! bullets as * o -): `cargo run --example dump -- ../docs/index.htm 480`. For checking by eye.

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let width: u32 = std::env::args().nth(2).map_or(480, |w| w.parse().unwrap());
    let doc = html::parse(&std::fs::read(&path).unwrap());
    let page = html::layout(&doc, &html::CellFont { width: 8, height: 16 }, width);
    println!("title: {:?} height {} width {} links {:?}", page.title, page.height, page.width, page.links);
    // Render on a character grid: one cell per 8x16 (h1 runs take two cells per char).
    let rows = (page.height / 8 + 1) as usize;
    let cols = (page.width.max(width) / 8 + 4) as usize;
    let mut grid = vec![vec![' '; cols]; rows];
    for item in &page.items {
        match item {
            html::Item::Text { x, y, text, style, .. } => {
                let step = style.scale() as usize;
                for (i, c) in text.chars().enumerate() {
                    let col = *x as usize / 8 + i * step;
                    if col < cols {
                        grid[*y as usize / 8][col] = if style.link { c.to_ascii_uppercase() } else { c };
                    }
                }
            }
            html::Item::Bullet { x, y, depth, .. } => {
                grid[*y as usize / 8][*x as usize / 8] = ['*', 'o', '-'][(*depth as usize).min(2)]
            }
            html::Item::Panel { .. } => {}
        }
    }
    for row in grid {
        let s: String = row.into_iter().collect();
        if !s.trim().is_empty() {
            println!("|{}", s.trim_end());
        } else {
            println!("|");
        }
    }
}
