//! The parser on tricky input: the tree it builds, checked as an outline (`Document::outline`).

use html::{Tag, parse_str};

fn outline(src: &str) -> String {
    parse_str(src).outline()
}

/// The body's part of the outline, de-indented (html and body lines dropped).
fn body(src: &str) -> String {
    let all = outline(src);
    let mut out = String::new();
    let mut in_body = false;
    for line in all.lines() {
        if line == "  <body>" {
            in_body = true;
            continue;
        }
        if in_body {
            out.push_str(line.strip_prefix("    ").unwrap_or(line));
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_full_document_has_html_head_title_and_body() {
    let got = outline("<!DOCTYPE html><HTML><Head><TITLE>Hi &amp; bye</TITLE></head><body><P>x</body></html>");
    assert_eq!(got, "<html>\n  <head>\n    <title>\n      \"Hi & bye\"\n  <body>\n    <p>\n      \"x\"\n");
    assert_eq!(parse_str("<title>  a \n b </title>").title(), "a b");
}

#[test]
fn missing_html_head_and_body_are_implied() {
    assert_eq!(outline("hello"), "<html>\n  <body>\n    \"hello\"\n");
    assert_eq!(outline(""), "<html>\n  <body>\n");
    assert_eq!(
        outline("<title>t</title><p>x"),
        "<html>\n  <head>\n    <title>\n      \"t\"\n  <body>\n    <p>\n      \"x\"\n"
    );
}

#[test]
fn a_block_start_closes_an_open_paragraph() {
    assert_eq!(body("<p>one<p>two<h1>three</h1>"), "<p>\n  \"one\"\n<p>\n  \"two\"\n<h1>\n  \"three\"\n");
    assert_eq!(body("<p>a<b>b<ul><li>c</ul>"), "<p>\n  \"a\"\n  <b>\n    \"b\"\n<ul>\n  <li>\n    \"c\"\n");
}

#[test]
fn li_closes_the_previous_li_but_not_the_outer_list_item() {
    assert_eq!(body("<ul><li>a<li>b</ul>"), "<ul>\n  <li>\n    \"a\"\n  <li>\n    \"b\"\n");
    assert_eq!(
        body("<ol><li>a<ul><li>b<li>c</ul><li>d</ol>"),
        "<ol>\n  <li>\n    \"a\"\n    <ul>\n      <li>\n        \"b\"\n      <li>\n        \"c\"\n  <li>\n    \"d\"\n"
    );
    assert_eq!(body("<ul><li><p>x<li>y"), "<ul>\n  <li>\n    <p>\n      \"x\"\n  <li>\n    \"y\"\n");
}

#[test]
fn stray_end_tags_are_ignored_and_unclosed_ones_closed_at_the_end() {
    assert_eq!(body("</p></b>a</li></ul><b>bold"), "\"a\"\n<b>\n  \"bold\"\n");
    assert_eq!(body("<b>x<p>y</b>z</p>w"), "<b>\n  \"x\"\n  <p>\n    \"yz\"\n  \"w\"\n");
    assert_eq!(body("<h1>a</h2>b"), "<h1>\n  \"a\"\n\"b\"\n");
    assert_eq!(body("<a href=x>one<a href=y>two"), "<a>\n  \"one\"\n<a>\n  \"two\"\n");
}

#[test]
fn unknown_tags_are_dropped_with_their_text_kept_and_scripts_dropped_whole() {
    assert_eq!(body("<div><span class=x>kept</span></div><foo/>"), "\"kept\"\n");
    assert_eq!(body("a<script>if (a<b) x()</script>b<style>p{}</style>c"), "\"abc\"\n");
}

#[test]
fn character_references() {
    let doc = parse_str("&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#X43&nbsp;|&bogus; &amp &#; &#xD800; &#99999999999;");
    let text = doc.text_content(0);
    assert_eq!(text, "&<>\"'ABC\u{a0}|&bogus; &amp &#; \u{fffd} \u{fffd}");
}

#[test]
fn attributes_with_and_without_quotes_case_insensitive_first_wins() {
    let doc = parse_str(
        "<A HREF=one.htm>1</a><a href='two three.htm' href=x>2</a><a\nhref = \"a&amp;b\" >3</a><a href>4</a>",
    );
    let links: Vec<_> = doc
        .walk(0)
        .filter_map(|s| match s {
            html::Step::Enter(id) if doc.tag(id) == Some(Tag::A) => {
                Some(doc.attr(id, "href").unwrap_or("-").to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(links, ["one.htm", "two three.htm", "a&b", ""]);
}

#[test]
fn comments_doctypes_and_odd_markup() {
    assert_eq!(body("a<!-- <p>not a tag --->b<!---->c<!-->d"), "\"abcd\"\n");
    assert_eq!(body("x<!-- never closed <p>y"), "\"x\"\n");
    assert_eq!(body("1 < 2 <3 </ 4> a<>b <?php x ?>c</>d"), "\"1 < 2 <3  a<>b cd\"\n");
    assert_eq!(body("<p>cut <a href=\"never closed>x"), "<p>\n  \"cut \"\n");
}

#[test]
fn pre_keeps_its_text_and_drops_the_first_newline() {
    assert_eq!(body("<pre>\n  a\n\n b</pre>"), "<pre>\n  \"  a\\n\\n b\"\n");
    assert_eq!(body("<pre><code>x</code></pre>"), "<pre>\n  <code>\n    \"x\"\n");
}

#[test]
fn nesting_is_limited() {
    let deep = "<b>".repeat(10_000) + "deep";
    let doc = parse_str(&deep);
    let depth = doc.outline().lines().map(|l| l.len() - l.trim_start().len()).max().unwrap() / 2;
    assert!(depth <= html::MAX_DEPTH, "depth {depth}");
    assert!(doc.text_content(0).contains("deep"));
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let doc = html::parse(b"<p>a\xff\xfeb</p>");
    assert_eq!(doc.text_content(0), "a\u{fffd}\u{fffd}b");
}

#[test]
fn headings_close_headings_and_end_br_is_a_br() {
    assert_eq!(body("<h1>a<h2>b</h3>c"), "<h1>\n  \"a\"\n<h2>\n  \"b\"\n\"c\"\n");
    assert_eq!(body("a</br>b<BR/>c"), "\"a\"\n<br>\n\"b\"\n<br>\n\"c\"\n");
    // As in HTML5, a p inside pre nests, and the pre's end tag closes both.
    assert_eq!(body("<pre>a<p>b</pre>c"), "<pre>\n  \"a\"\n  <p>\n    \"b\"\n\"c\"\n");
}
