//! The Editor's buffer and highlighter and Files' paths, on the host.
use text::buffer::Buffer;
use text::path::{self, Opener, Path};
use text::rust::{self, Kind, State};

fn buffer(s: &str) -> Box<Buffer> {
    let mut b = Box::new(Buffer::new());
    assert!(b.load(s.as_bytes()));
    b
}

fn text(b: &Buffer) -> &str {
    std::str::from_utf8(b.text()).unwrap()
}

#[test]
fn typing_newlines_and_deleting() {
    let mut b = buffer("");
    for &c in b"fn main() {" {
        b.insert(c);
    }
    b.newline();
    b.insert(b'\t');
    for &c in b"x" {
        b.insert(c);
    }
    b.newline();
    assert_eq!(text(&b), "fn main() {\n    x\n    ", "the new line keeps the indentation");
    assert!(b.modified());
    assert_eq!(b.position(), (2, 4));
    for _ in 0..5 {
        b.backspace();
    }
    assert_eq!(text(&b), "fn main() {\n    x");
    b.home();
    b.delete();
    assert_eq!(text(&b), "fn main() {\n   x");
    assert_eq!(b.lines(), 2);
    b.saved();
    assert!(!b.modified());
    b.left();
    b.delete(); // joins the lines
    assert_eq!(text(&b), "fn main() {   x");
    let mut empty = buffer("");
    empty.backspace();
    empty.delete();
    assert!(!empty.modified(), "nothing to delete changes nothing");
}

#[test]
fn arrows_keep_the_column_home_end_and_pages() {
    let mut b = buffer("long line one\nab\nanother long line\n");
    b.end();
    assert_eq!(b.position(), (0, 13));
    b.down();
    assert_eq!(b.position(), (1, 2), "a shorter line: its end");
    b.down();
    assert_eq!(b.position(), (2, 13), "back to the goal column");
    b.down();
    assert_eq!(b.position(), (3, 0), "the empty last line");
    b.down();
    assert_eq!(b.position(), (3, 0), "stops at the last line");
    b.up();
    b.home();
    assert_eq!(b.position(), (2, 0));
    b.left();
    assert_eq!(b.position(), (1, 2), "left wraps to the previous line's end");
    b.right();
    b.right();
    assert_eq!(b.position(), (2, 1));
    b.up();
    b.up();
    b.up();
    assert_eq!(b.position(), (0, 1));
    b.goto(1, 50);
    assert_eq!(b.position(), (1, 2), "a click past a line's end: its end");
    b.goto(9, 3);
    assert_eq!(b.position(), (3, 0), "below the text: the last line");

    let many: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let mut b = buffer(&many);
    b.page_down(20);
    b.scroll_to_cursor(20);
    assert_eq!((b.position().0, b.top), (19, 19));
    b.page_down(20);
    b.scroll_to_cursor(20);
    assert_eq!((b.position().0, b.top), (38, 38));
    b.page_up(20);
    b.scroll_to_cursor(20);
    assert_eq!((b.position().0, b.top), (19, 19));
    for _ in 0..30 {
        b.down();
    }
    b.scroll_to_cursor(20);
    assert_eq!((b.position().0, b.top), (49, 30), "scrolled just enough to show the cursor");
    for _ in 0..10 {
        b.page_down(20);
    }
    assert_eq!(b.position().0, 100);
    assert_eq!(b.line(5), b"line 5");
    assert_eq!(b.line(100), b"");
    assert_eq!(b.line(500), b"");
}

#[test]
fn a_full_buffer_refuses_more() {
    let big = vec![b'x'; text::buffer::CAPACITY + 10];
    let mut b = Box::new(Buffer::new());
    assert!(!b.load(&big), "cut");
    assert_eq!(b.text().len(), text::buffer::CAPACITY);
    assert!(!b.insert(b'y'));
    b.delete();
    assert!(b.insert(b'y'));
}

/// The spans of `line`, as (text, kind), plain ones left out.
fn spans(line: &str, state: State) -> (Vec<(String, Kind)>, State) {
    let mut out = Vec::new();
    let end = rust::line(line.as_bytes(), state, &mut |a, b, k| {
        if k != Kind::Plain {
            out.push((line[a..b].to_string(), k));
        }
    });
    (out, end)
}

fn s(t: &str, k: Kind) -> (String, Kind) {
    (t.to_string(), k)
}

#[test]
fn rust_keywords_types_macros_numbers_strings() {
    let (got, end) = spans(r#"pub fn main(x: u32) -> Option<Self> { let y = 0x1f_u32 + 2.5e-3; println!("a \"b\" {}", y); }"#, State::Code);
    assert_eq!(end, State::Code);
    assert_eq!(
        got,
        vec![
            s("pub", Kind::Keyword),
            s("fn", Kind::Keyword),
            s("Option", Kind::Type),
            s("Self", Kind::Keyword),
            s("let", Kind::Keyword),
            s("0x1f_u32", Kind::Number),
            s("2.5e-3", Kind::Number),
            s("println!", Kind::Macro),
            s(r#""a \"b\" {}""#, Kind::Str),
        ]
    );
    let (got, _) = spans("for i in 0..10 { x != y; 1.max(2) }", State::Code);
    assert_eq!(got, vec![s("for", Kind::Keyword), s("in", Kind::Keyword), s("0", Kind::Number), s("10", Kind::Number), s("1", Kind::Number), s("2", Kind::Number)]);
}

#[test]
fn rust_chars_lifetimes_and_raw_strings() {
    let (got, _) = spans(r###"fn f<'a>(c: &'a str) { b'\n'; 'x'; '\''; 'é'; r#"raw "quoted""#; br"x"; }"###, State::Code);
    assert_eq!(
        got,
        vec![
            s("fn", Kind::Keyword),
            s(r"b'\n'", Kind::Str),
            s("'x'", Kind::Str),
            s(r"'\''", Kind::Str),
            s("'é'", Kind::Str),
            s(r###"r#"raw "quoted""#"###, Kind::Str),
            s(r#"br"x""#, Kind::Str),
        ]
    );
}

#[test]
fn rust_comments_nest_and_span_lines() {
    let (got, end) = spans("let x = 1; // a comment with fn", State::Code);
    assert_eq!(got, vec![s("let", Kind::Keyword), s("1", Kind::Number), s("// a comment with fn", Kind::Comment)]);
    assert_eq!(end, State::Code);
    let (got, end) = spans("x /* outer /* inner */ still", State::Code);
    assert_eq!(got, vec![s("/* outer /* inner */ still", Kind::Comment)]);
    assert_eq!(end, State::Comment(1));
    let (got, end) = spans("fn */ fn", end);
    assert_eq!(got, vec![s("fn */", Kind::Comment), s("fn", Kind::Keyword)]);
    assert_eq!(end, State::Code);
    let (got, end) = spans(r#"let s = "two"#, State::Code);
    assert_eq!(got, vec![s("let", Kind::Keyword), s(r#""two"#, Kind::Str)]);
    assert_eq!(end, State::Str);
    let (got, end) = spans(r#"lines" ; 5"#, end);
    assert_eq!(got, vec![s(r#"lines""#, Kind::Str), s("5", Kind::Number)]);
    assert_eq!(end, State::Code);
    let (_, end) = spans(r###"r##"open"###, State::Code);
    assert_eq!(end, State::RawStr(2));
    let (got, end) = spans(r###"a "# b "## 7"###, end);
    assert_eq!(got, vec![s(r###"a "# b "##"###, Kind::Str), s("7", Kind::Number)]);
    assert_eq!(end, State::Code);
}

#[test]
fn rust_spans_cover_every_line_of_garbage() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let alphabet = b"/*\"'#rb\\ 0x1.e-_aZ!\t\xc3\xa9";
    for _ in 0..2000 {
        let len = (seed % 24) as usize;
        let line: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                alphabet[(seed % alphabet.len() as u64) as usize]
            })
            .collect();
        for state in [State::Code, State::Comment(2), State::Str, State::RawStr(1)] {
            let mut at = 0;
            rust::line(&line, state, &mut |a, b, _| {
                assert_eq!(a, at, "contiguous");
                assert!(b > a && b <= line.len());
                at = b;
            });
            assert_eq!(at, line.len(), "covers {:?}", String::from_utf8_lossy(&line));
        }
    }
}

#[test]
fn paths_join_parent_and_openers() {
    let docs = Path::new(b"DOCS").unwrap();
    assert_eq!(docs.as_bytes(), b"/DOCS");
    let page = docs.join(b"WEB").unwrap().join(b"INDEX.HTM").unwrap();
    assert_eq!(page.as_bytes(), b"/DOCS/WEB/INDEX.HTM");
    assert_eq!(page.name(), b"INDEX.HTM");
    assert_eq!(page.parent().parent(), docs);
    assert_eq!(docs.parent(), Path::root());
    assert_eq!(Path::root().parent(), Path::root());
    assert_eq!(Path::root().join(b"BIN").unwrap().as_bytes(), b"/BIN");
    assert_eq!(Path::new(b"//a//b/").unwrap().as_bytes(), b"/a/b");
    assert!(docs.join(b"").is_none() && docs.join(b"a/b").is_none());
    assert!(docs.join(&[b'x'; 58]).is_none(), "longer than a request holds");
    assert!(docs.join(&[b'x'; 57]).is_some());

    let open = |p: &str, dir| path::opener(&Path::new(p.as_bytes()).unwrap(), dir);
    assert_eq!(open("/DOCS/WEB", true), Opener::Enter);
    assert_eq!(open("/BIN/EDITOR", false), Opener::Run);
    assert_eq!(open("/DOCS/INDEX.HTM", false), Opener::Browse);
    assert_eq!(open("/DOCS/page.html", false), Opener::Browse);
    assert_eq!(open("/DOCS/SAMPLE.RS", false), Opener::Edit);
    assert_eq!(open("/README", false), Opener::Edit);
    assert_eq!(path::extension(b".profile"), b"");
}

#[test]
fn listing_order_sizes_and_dates() {
    let mut names = vec![(false, &b"b.txt"[..]), (true, b"Zeta"), (false, b"A.rs"), (true, b"alpha")];
    names.sort_by(|a, b| path::order(*a, *b));
    assert_eq!(names, vec![(true, &b"alpha"[..]), (true, b"Zeta"), (false, b"A.rs"), (false, b"b.txt")]);
    let mut out = [0u8; 8];
    assert_eq!(path::size(0, &mut out), b"     0 B");
    assert_eq!(path::size(1023, &mut out), b"  1023 B");
    assert_eq!(path::size(1025, &mut out), b"   2 KiB");
    assert_eq!(path::size(3 << 20, &mut out), b"   3 MiB");
    let mut out = [0u8; 16];
    assert_eq!(path::date((2026, 1, 2, 9, 5, 0), &mut out), b"2026-01-02 09:05");
}
