//! Pathological inputs (deep nesting, huge attributes, unterminated comments, titles and tags,
//! long words and pre lines) through parse and layout take time linear in their size: each at
//! 32 KiB and at 512 KiB. (Its own test binary, so that no other test runs beside the timing.)

use html::{CellFont, layout, parse};
use std::time::{Duration, Instant};

/// Makes a pathological input of about the given size.
type Maker = fn(usize) -> Vec<u8>;

/// The fastest of three runs of parse + layout over `input`.
fn time(input: &[u8]) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let page = layout(&parse(input), &CellFont { width: 8, height: 16 }, 640);
            std::hint::black_box(page);
            t.elapsed()
        })
        .min()
        .unwrap()
}

#[test]
fn pathological_inputs_take_linear_time() {
    let cases: &[(&str, Maker)] = &[
        ("nested b", |n| "<b>".repeat(n / 3).into_bytes()),
        ("nested ul li", |n| "<ul><li>x".repeat(n / 9).into_bytes()),
        ("paragraphs", |n| "<p>a".repeat(n / 4).into_bytes()),
        ("unclosed inline and stray ends", |n| "<i>a</b></p>".repeat(n / 12).into_bytes()),
        ("huge attribute", |n| format!("<a href=\"{}\">x</a>", "v".repeat(n)).into_bytes()),
        ("unterminated attribute", |n| format!("<a href=\"{}", "v >".repeat(n / 3)).into_bytes()),
        ("unterminated comment", |n| format!("<!--{}", "- -> <p>".repeat(n / 8)).into_bytes()),
        ("unterminated title", |n| format!("<title>{}", "</titl <".repeat(n / 8)).into_bytes()),
        ("many lt", |n| "<".repeat(n).into_bytes()),
        ("many amp", |n| "&#".repeat(n / 2).into_bytes()),
        ("long word", |n| "w".repeat(n).into_bytes()),
        ("long pre line", |n| format!("<pre>{}", "\tab ".repeat(n / 4)).into_bytes()),
        ("many attributes", |n| format!("<p {}>", "a=1 ".repeat(n / 4)).into_bytes()),
    ];
    for (name, make) in cases {
        let (small, big) = (make(32 << 10), make(512 << 10));
        let (ts, tb) = (time(&small), time(&big));
        let ratio = tb.as_secs_f64() / ts.as_secs_f64().max(1e-4);
        eprintln!("{name}: 32 KiB {ts:?}, 512 KiB {tb:?} (x{ratio:.1})");
        // 16 times the input: linear is x16, quadratic x256 (and minutes at 512 KiB). The bounds
        // leave room for a machine shared with other work.
        assert!(tb < Duration::from_secs(10), "{name}: {tb:?} for 512 KiB");
        assert!(ratio < 100.0 || tb < Duration::from_millis(200), "{name}: x{ratio:.1}");
    }
}
