//! Link targets resolved against the page's path.

use html::resolve;

#[test]
fn relative_absolute_dotdot_and_fragments() {
    let base = "/DOCS/WEB/LISTS.HTM";
    assert_eq!(resolve(base, "CODE.HTM").as_deref(), Some("/DOCS/WEB/CODE.HTM"));
    assert_eq!(resolve(base, "./code.htm#top").as_deref(), Some("/DOCS/WEB/code.htm"));
    assert_eq!(resolve(base, "../INDEX.HTM").as_deref(), Some("/DOCS/INDEX.HTM"));
    assert_eq!(resolve(base, "../../../../x.htm").as_deref(), Some("/x.htm"));
    assert_eq!(resolve(base, "/DOCS/README.TXT").as_deref(), Some("/DOCS/README.TXT"));
    assert_eq!(resolve(base, "sub//a/./b/../c.htm?q=1").as_deref(), Some("/DOCS/WEB/sub/a/c.htm"));
    assert_eq!(resolve(base, "#section").as_deref(), Some(base));
    assert_eq!(resolve("/INDEX.HTM", "A.HTM").as_deref(), Some("/A.HTM"));
    assert_eq!(resolve("INDEX.HTM", "A.HTM").as_deref(), Some("/A.HTM"));
    assert_eq!(resolve(base, "..").as_deref(), Some("/DOCS"));
    assert_eq!(resolve(base, "/").as_deref(), Some("/"));
}

#[test]
fn schemes_and_empty_hrefs_name_no_file() {
    assert_eq!(resolve("/A.HTM", "http://example.com/x.htm"), None);
    assert_eq!(resolve("/A.HTM", "mailto:me@example.com"), None);
    assert_eq!(resolve("/A.HTM", ""), None);
    assert_eq!(resolve("/A.HTM", "  "), None);
    assert_eq!(resolve("/A.HTM", "dir/a:b.htm").as_deref(), Some("/dir/a:b.htm"));
}
