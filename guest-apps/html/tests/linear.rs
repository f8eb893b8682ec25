//! Pathological inputs (deep nesting, huge attributes, unterminated comments, titles and tags,
//! long words and pre lines) through parse and layout take time linear in their size: each at
//! 32 KiB and at 512 KiB. (Its own test binary, so that no other test runs beside the timing.)
//! Timed in the thread's CPU time, not wall time: on a loaded machine a 100 ms run waits for a core
//! many times where a 4 ms one may not, which made wall-clock ratios look quadratic.

use html::{CellFont, layout, parse};
use std::time::Duration;

#[repr(C)]
struct Timespec {
    seconds: i64,
    nanoseconds: i64,
}

unsafe extern "C" {
    fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
}

/// Linux's CLOCK_THREAD_CPUTIME_ID.
const THREAD_CPU_CLOCK: i32 = 3;

fn thread_cpu_time() -> Duration {
    let mut t = Timespec { seconds: 0, nanoseconds: 0 };
    // SAFETY: clock_gettime writes one timespec into `t`, which lives across the call.
    assert_eq!(unsafe { clock_gettime(THREAD_CPU_CLOCK, &mut t) }, 0, "clock_gettime");
    Duration::new(t.seconds as u64, t.nanoseconds as u32)
}

/// Makes a pathological input of about the given size.
type Maker = fn(usize) -> Vec<u8>;

/// The fastest of three runs (thread CPU time) of parse + layout over `input`.
fn time(input: &[u8]) -> Duration {
    (0..3)
        .map(|_| {
            let start = thread_cpu_time();
            let page = layout(&parse(input), &CellFont { width: 8, height: 16 }, 640);
            std::hint::black_box(page);
            thread_cpu_time() - start
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
