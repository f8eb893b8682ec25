//! Layout with an 8x16 cell font: line breaks at given widths, margins, list markers, pre, link
//! hit-testing, the title and the document height.

use html::{CellFont, Item, Page, Style, layout, parse_str};

const FONT: CellFont = CellFont { width: 8, height: 16 };

fn page(src: &str, width: u32) -> Page {
    layout(&parse_str(src), &FONT, width)
}

fn texts(p: &Page) -> Vec<(u32, u32, String)> {
    p.items
        .iter()
        .filter_map(|i| match i {
            Item::Text { x, y, text, .. } => Some((*x, *y, text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn words_wrap_at_the_viewport_width() {
    // 10 cells: "aaa bbb" is 7, "+ ccc" would be 11.
    let p = page("<p>aaa  bbb\n ccc dddddddddd e</p>", 80);
    assert_eq!(p.text_lines(), ["aaa bbb", "ccc", "dddddddddd", "e"]);
    assert_eq!(p.height, 4 * 16);
    let p = page("<p>aaa bbb ccc</p>", 88);
    assert_eq!(p.text_lines(), ["aaa bbb ccc"]);
    assert_eq!(p.text_lines(), page("  aaa\tbbb\nccc  ", 200).text_lines());
}

#[test]
fn a_word_wider_than_the_line_is_broken_between_characters() {
    let p = page("x abcdefghij", 32);
    assert_eq!(p.text_lines(), ["x", "abcd", "efgh", "ij"]);
}

#[test]
fn a_word_of_several_runs_wraps_as_one() {
    let p = page("aaaa <b>bb</b>cc", 64);
    assert_eq!(p.text_lines(), ["aaaa", "bbcc"]);
    let t = texts(&p);
    assert_eq!(t[1], (0, 16, "bb".into()));
    assert_eq!(t[2], (16, 16, "cc".into()));
    assert!(matches!(p.items[1], Item::Text { style: Style { bold: true, .. }, .. }));
}

#[test]
fn nbsp_does_not_break() {
    assert_eq!(page("aa bb&nbsp;cc", 56).text_lines(), ["aa", "bb cc"]);
}

#[test]
fn paragraphs_and_headings_get_collapsing_margins() {
    let p = page("<p>a</p><p>b</p><h1>Big</h1>c<br>d<br><br>e", 400);
    let t = texts(&p);
    // p: 8 px margins (half a line), collapsing between paragraphs; h1: 16 px above, twice the size.
    assert_eq!(t[0], (0, 0, "a".into()));
    assert_eq!(t[1], (0, 24, "b".into()));
    assert_eq!(t[2], (0, 24 + 16 + 16, "Big".into()));
    assert!(matches!(
        &p.items[2],
        Item::Text { width: 48, height: 32, style: Style { heading: 1, bold: true, .. }, .. }
    ));
    assert_eq!(t[3], (0, 56 + 32 + 8, "c".into()));
    assert_eq!(t[4], (0, 96 + 16, "d".into()));
    assert_eq!(t[5], (0, 112 + 32, "e".into()));
    assert_eq!(p.height, 144 + 16);
}

#[test]
fn lists_indent_and_mark_their_items() {
    let p = page("<ul><li>one<li>two<ul><li>deep</ul></ul><ol start=9><li>nine<li>ten</ol>", 400);
    let bullets: Vec<_> = p
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Bullet { x, y, depth, .. } => Some((*x, *y, *depth)),
            _ => None,
        })
        .collect();
    assert_eq!(bullets, [(16, 0, 0), (16, 16, 0), (48, 32, 1)]);
    let t = texts(&p);
    assert!(t.contains(&(32, 0, "one".into())));
    assert!(t.contains(&(64, 32, "deep".into())));
    // The ol starts after the ul's 8 px margin; "9." and "10." end one cell left of the text.
    assert!(t.contains(&(32, 56, "nine".into())));
    assert!(t.contains(&(8, 56, "9.".into())));
    assert!(t.contains(&(0, 72, "10.".into())));
}

#[test]
fn pre_keeps_whitespace_and_does_not_wrap() {
    let p = page("<p>x</p><pre>\nfn main() {\n\tlet a  =  1;\n\n}</pre>y", 80);
    assert_eq!(p.text_lines(), ["x", "fn main() {", "        let a  =  1;", "}", "y"]);
    let panel = p.items.iter().find_map(|i| match i {
        Item::Panel { y, height, .. } => Some((*y, *height)),
        _ => None,
    });
    assert_eq!(panel, Some((24, 4 * 16)));
    assert_eq!(p.width, 20 * 8);
    assert!(texts(&p).contains(&(0, 24 + 64 + 8, "y".into())));
}

#[test]
fn links_are_hit_by_their_runs_only() {
    let p = page("go <a href=\"b.htm#x\">to the <b>next</b> page</a> now", 88);
    // "go to the" / "next page" / "now"
    assert_eq!(p.text_lines(), ["go to the", "next page", "now"]);
    assert_eq!(p.link_at(3 * 8 + 1, 5), Some("b.htm#x"));
    assert_eq!(p.link_at(8 * 8 + 7, 15), Some("b.htm#x"));
    assert_eq!(p.link_at(0, 16), Some("b.htm#x"));
    assert_eq!(p.link_at(8 * 8, 20), Some("b.htm#x"));
    assert_eq!(p.link_at(1, 1), None);
    assert_eq!(p.link_at(1, 33), None);
    assert_eq!(p.link_at(9 * 8 + 1, 20), None);
    assert_eq!(p.links, ["b.htm#x"]);
    assert!(page("<a name=x>no href</a>", 80).link_at(1, 1).is_none());
}

#[test]
fn the_title_is_not_shown() {
    let p = page("<title>The  Title</title><h2>Shown</h2>", 200);
    assert_eq!(p.title, "The Title");
    assert_eq!(p.text_lines(), ["Shown"]);
}

#[test]
fn visible_picks_the_items_in_a_scrolled_window() {
    let p = page(&"line<br>".repeat(100), 100);
    assert_eq!(p.height, 100 * 16);
    assert_eq!(p.visible(160, 320).count(), 10);
    assert_eq!(p.visible(161, 321).count(), 11);
}

#[test]
fn a_tiny_viewport_still_makes_progress() {
    let p = page("<h1>abc</h1><ul><ul><ul><li>x", 1);
    assert_eq!(p.text_lines(), ["a", "b", "c", "x"]);
}

#[test]
fn a_plain_text_file_keeps_its_lines() {
    let p = layout(&html::parse_plain(b"Welcome  <b>\n\tx &amp;\n", "README.TXT"), &FONT, 80);
    assert_eq!(p.title, "README.TXT");
    assert_eq!(p.text_lines(), ["Welcome  <b>", "        x &amp;"]);
}

#[test]
fn deep_lists_indent_no_further_than_the_middle() {
    let p = page(&"<ul><li>x".repeat(20), 160);
    let lefts: Vec<u32> = texts(&p).iter().map(|t| t.0).collect();
    assert_eq!(lefts, [32, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64]);
}

/// A font that claims zero-sized characters must not crash the layout.
struct NoFont;

impl html::FontMetrics for NoFont {
    fn char_width(&self, _: Style) -> u32 {
        0
    }
    fn line_height(&self, _: Style) -> u32 {
        0
    }
}

#[test]
fn a_degenerate_font_does_not_crash() {
    let p = layout(&parse_str("<ul><li>a b<pre>\tx\ny</pre><ol><li>z"), &NoFont, 0);
    assert_eq!(p.height, 0);
    assert_eq!(p.text_lines().concat().replace(' ', ""), "abxyz1.");
}
