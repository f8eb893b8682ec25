//! Link targets to file paths on the disk: `resolve(base, href)` gives the absolute path that
//! `href`, written in the page at `base`, names. Relative paths are taken from base's folder,
//! `.` and `..` are folded (never above the root), a leading `/` starts from the root, a
//! `#fragment` or `?query` is dropped (an href of only a fragment names base itself), and
//! hrefs with a scheme (`http:`, `mailto:`) or empty ones name no file (None). Names keep
//! their case: the file server matches 8.3 names without regard to case.

use alloc::string::String;
use alloc::vec::Vec;

pub fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    let cut = href.find(['#', '?']).unwrap_or(href.len());
    let (target, had_suffix) = (&href[..cut], cut < href.len());
    if target.is_empty() {
        return had_suffix.then(|| normalize("", base));
    }
    let scheme = target.find(':').is_some_and(|c| !target[..c].contains('/'));
    if scheme {
        return None;
    }
    if target.starts_with('/') {
        return Some(normalize("", target));
    }
    let folder = base.rfind('/').map_or("", |i| &base[..i]);
    Some(normalize(folder, target))
}

/// `/a/b` from the segments of `first` then `then`, with `.`, `..` and empty segments folded.
fn normalize(first: &str, then: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in first.split('/').chain(then.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = String::new();
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}
