//! The sample pages on the disk (../docs, copied to /DOCS with upper-case names): each has a
//! title, all are reachable from /DOCS/INDEX.HTM, each links back to it, every link to a file
//! names one that exists (but on the pages of odd files, which link to a program, a missing
//! page and garbage on purpose), and together they use every supported tag.

use html::{CellFont, Step, Tag, layout, parse, resolve};
use std::collections::BTreeSet;

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");

/// The file on the host behind a path on the disk (/DOCS/...), matched without regard to case
/// as the file server matches 8.3 names.
fn host_file(disk_path: &str) -> Option<std::path::PathBuf> {
    let rest = disk_path.strip_prefix("/DOCS/").or_else(|| disk_path.strip_prefix("/docs/"))?;
    let mut at = std::path::PathBuf::from(DOCS);
    for part in rest.split('/') {
        let entry = std::fs::read_dir(&at)
            .ok()?
            .map(|e| e.unwrap().file_name())
            .find(|n| n.to_string_lossy().eq_ignore_ascii_case(part))?;
        at.push(entry);
    }
    at.is_file().then_some(at)
}

#[test]
fn the_sample_pages_link_to_each_other_and_use_every_tag() {
    let index = "/DOCS/INDEX.HTM";
    let mut seen = BTreeSet::new();
    let mut todo = vec![index.to_string()];
    let mut tags = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.to_ascii_uppercase()) {
            continue;
        }
        let file = host_file(&path).unwrap_or_else(|| panic!("{path}: no such file"));
        if !path.to_ascii_uppercase().ends_with(".HTM") {
            continue;
        }
        let doc = parse(&std::fs::read(&file).unwrap());
        for step in doc.walk(0) {
            if let Step::Enter(id) = step
                && let Some(tag) = doc.tag(id)
            {
                tags.insert(tag.name());
            }
        }
        let page = layout(&doc, &CellFont { width: 8, height: 16 }, 500);
        assert!(!page.title.is_empty(), "{path} has no title");
        assert!(page.height > 0);
        let targets: Vec<_> = page.links.iter().filter_map(|h| resolve(&path, h)).collect();
        if path != index {
            assert!(targets.iter().any(|t| t.eq_ignore_ascii_case(index)), "{path} does not link back to the index");
        }
        let odd = ["/DOCS/WEB/ODD.HTM", "/DOCS/WEB/GARBAGE.HTM"].contains(&path.to_ascii_uppercase().as_str());
        todo.extend(targets.into_iter().filter(|t| !odd || (host_file(t).is_some() && t.to_ascii_uppercase().ends_with(".HTM"))));
    }
    assert!(seen.contains("/DOCS/WEB/ODD.HTM") && seen.contains("/DOCS/WEB/GARBAGE.HTM"), "{seen:?}");
    assert!(seen.len() >= 5, "pages reached: {seen:?}");
    let all = [
        Tag::Html,
        Tag::Head,
        Tag::Title,
        Tag::Body,
        Tag::H1,
        Tag::H2,
        Tag::H3,
        Tag::P,
        Tag::Br,
        Tag::A,
        Tag::Ul,
        Tag::Ol,
        Tag::Li,
        Tag::B,
        Tag::I,
        Tag::Em,
        Tag::Strong,
        Tag::Pre,
        Tag::Code,
    ];
    let missing: Vec<_> = all.iter().map(|t| t.name()).filter(|n| !tags.contains(n)).collect();
    assert!(missing.is_empty(), "tags no sample page uses: {missing:?}");
}
