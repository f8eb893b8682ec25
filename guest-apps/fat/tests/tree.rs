//! Long names, directories made, entries renamed and deleted, and their timestamps: read from
//! what mtools wrote, and written so that mdir shows it and fsck.fat finds nothing to repair.

mod common;
use common::{HostImage, Image, NOW, NOW_UNIX, guest_build, tool, with_long_names};
use fat::{Fat, Stamp};

#[test]
fn long_names_written_by_mtools_are_read_and_found() {
    let mut d = Image(with_long_names(), 0);
    let fs = Fat::mount(&mut d).unwrap();
    let dir = fs.lookup(&mut d, b"/a LONG folder NAME").expect("found by its long name, any case");
    assert!(dir.dir);
    let names: Vec<Vec<u8>> = fs.list(&mut d, dir.cluster).unwrap().iter().map(|e| e.name().to_vec()).collect();
    assert!(names.contains(&b"Some notes.txt".to_vec()), "{names:?}");
    assert!(names.contains(&b"lower.txt".to_vec()), "{names:?}");
    assert_eq!(fs.read_file(&mut d, b"/A long folder name/some notes.TXT").as_deref(), Some(&b"long names work\n"[..]));
    // Its alias, as mtools made it, finds it too.
    let e = fs.lookup(&mut d, b"/A long folder name/Some notes.txt").unwrap();
    let alias: Vec<u8> = e.short.iter().copied().filter(|&c| c != b' ').collect();
    let alias = [&alias[..alias.len() - 3], b".", &alias[alias.len() - 3..]].concat();
    assert_eq!(fs.lookup(&mut d, &[b"/A long folder name/", &alias[..]].concat()).unwrap().at, e.at);
}

#[test]
fn names_checksums_aliases_and_stamps() {
    // The checksum Windows stores for "README  TXT" (computed by hand from the specification's
    // rotate-and-add).
    let sum = b"README  TXT".iter().fold(0u8, |s, &c| (s >> 1 | s << 7).wrapping_add(c));
    assert_eq!(fat::checksum(b"README  TXT"), sum);
    assert_eq!(&fat::alias(b"Some notes.txt", 1), b"SOMENO~1TXT");
    assert_eq!(&fat::alias(b"a+b.tar.gz", 2), b"A_BTAR~2GZ ");
    assert_eq!(&fat::alias(b".hidden", 12), b"HIDDE~12   ");
    assert_eq!(Stamp::from_unix(NOW_UNIX), NOW);
    assert_eq!(Stamp::from_unix(NOW_UNIX).parts(), (2026, 12, 4, 13, 37, 42));
    assert_eq!(Stamp::from_unix(0).parts(), (1980, 1, 1, 0, 0, 0), "clamped to FAT's first day");
    assert_eq!(Stamp::from_unix(951_782_400).parts(), (2000, 2, 29, 0, 0, 0), "a leap day");
    assert!(fat::valid_name(b"My file (2).txt"));
    for bad in [&b""[..], b".", b"..", b"a/b", b"a:b", b"end.", b"tab\t", &[b'x'; 256]] {
        assert!(!fat::valid_name(bad), "{bad:?}");
    }
}

/// The listing of `dir` in the image at `img` as mdir shows it (`-/`: recursively).
fn mdir(img: &str, args: &[&str]) -> String {
    let (ok, out) = tool("mdir", &[&["-i", img][..], args].concat());
    assert!(ok, "mdir failed");
    String::from_utf8(out).unwrap()
}

#[test]
fn mkdir_rename_and_delete_give_a_volume_mtools_and_fsck_accept() {
    let mut img = Image(guest_build("disk.img"), 0);
    let mut d = fat::Cache::new(&mut img);
    let fs = Fat::mount(&mut d).unwrap();
    let free_before = free_clusters(&d.disk().0);

    // Directories, in the root and inside another, with long and short names.
    let projects = fs.mkdir(&mut d, b"/My Projects", NOW).expect("mkdir in the root");
    assert!(projects.dir && projects.modified == NOW);
    fs.mkdir(&mut d, b"/My Projects/rost notes", NOW).expect("mkdir in a subdirectory");
    fs.mkdir(&mut d, b"/TMP", NOW).expect("a plain 8.3 name");
    assert!(fs.mkdir(&mut d, b"/my projects", NOW).is_none(), "the name is taken (case-insensitively)");
    assert!(fs.mkdir(&mut d, b"/nowhere/x", NOW).is_none(), "no parent");
    assert!(fs.mkdir(&mut d, b"/bad:name", NOW).is_none(), "an invalid name");
    // Enough long-named files to grow the directory past its first cluster, with aliases ~1.. .
    let mut f = fs.create(&mut d, b"/My Projects/A file with a long name.txt", NOW).unwrap();
    fs.write_at(&mut d, &mut f, 0, &[b'x'; 3000], NOW).unwrap();
    for i in 0..40 {
        let name = format!("/My Projects/rost notes/Meeting notes number {i}.txt");
        let mut f = fs.create(&mut d, name.as_bytes(), NOW).unwrap_or_else(|| panic!("{name}"));
        fs.write_at(&mut d, &mut f, 0, name.as_bytes(), NOW).unwrap();
    }
    let notes = fs.lookup(&mut d, b"/My Projects/rost notes").unwrap();
    let listed = fs.list(&mut d, notes.cluster).unwrap();
    assert_eq!(listed.iter().filter(|e| !e.is_dot()).count(), 40);
    let mut shorts: Vec<_> = listed.iter().map(|e| e.short).collect();
    shorts.sort();
    shorts.dedup();
    assert_eq!(shorts.len(), 42, "aliases are unique");

    // Renames: within a directory, across directories (a file and a folder), case only.
    fs.rename(&mut d, b"/My Projects/A file with a long name.txt", b"/My Projects/Renamed file.txt").unwrap();
    fs.rename(&mut d, b"/My Projects/Renamed file.txt", b"/TMP/moved here.txt").unwrap();
    fs.rename(&mut d, b"/My Projects/rost notes", b"/TMP/Notes").unwrap();
    fs.rename(&mut d, b"/TMP/Notes/Meeting notes number 7.txt", b"/TMP/Notes/MEETING NOTES NUMBER 7.TXT").unwrap();
    assert!(fs.rename(&mut d, b"/TMP", b"/TMP/Notes/inside").is_none(), "not into itself");
    assert!(fs.rename(&mut d, b"/TMP/moved here.txt", b"/TMP/Notes/Meeting notes number 1.txt").is_none(), "target exists");
    assert_eq!(fs.read_file(&mut d, b"/tmp/MOVED HERE.TXT"), Some(vec![b'x'; 3000]));
    assert_eq!(fs.read_file(&mut d, b"/TMP/Notes/Meeting notes number 3.txt").as_deref(), Some(&b"/My Projects/rost notes/Meeting notes number 3.txt"[..]));
    assert!(fs.lookup(&mut d, b"/My Projects/rost notes").is_none());

    // Deletes: refused for a folder with entries, then files and folders go and free their clusters.
    assert!(fs.delete(&mut d, b"/TMP/Notes").is_none(), "not empty");
    for i in 0..40 {
        let name = if i == 7 { "MEETING NOTES NUMBER 7.TXT".to_string() } else { format!("Meeting notes number {i}.txt") };
        fs.delete(&mut d, format!("/TMP/Notes/{name}").as_bytes()).unwrap_or_else(|| panic!("{name}"));
    }
    fs.delete(&mut d, b"/TMP/Notes").expect("now empty");
    fs.create(&mut d, b"/My Projects/Keep me.txt", NOW).unwrap();
    assert!(fs.delete(&mut d, b"/").is_none());

    let host = HostImage::new("tree", &d.disk().0);
    let img = host.path();
    host.assert_fsck_clean();
    let all = mdir(&img, &["-/", "::/"]);
    assert!(all.contains("My Projects") && all.contains("Keep me.txt") && all.contains("moved here.txt"), "{all}");
    assert!(!all.contains("Meeting notes"), "{all}");
    assert!(!all.contains("Notes"), "{all}");
    let tmp = mdir(&img, &["::/TMP"]);
    assert!(tmp.contains("3000") && tmp.contains("2026-12-04") && tmp.contains("13:37"), "size and date: {tmp}");
    assert_eq!(tool("mtype", &["-i", &img, "::/TMP/moved here.txt"]), (true, vec![b'x'; 3000]));
    // What is left: 2 directories (one cluster each) and the 3000-byte file.
    let spc = d.disk().0[13] as usize;
    assert_eq!(free_before - free_clusters(&d.disk().0), 2 + 3000usize.div_ceil(512 * spc));
}

/// Free clusters in the first FAT of `img`.
fn free_clusters(img: &[u8]) -> usize {
    let at = u16::from_le_bytes([img[14], img[15]]) as usize * 512;
    let size = u16::from_le_bytes([img[22], img[23]]) as usize * 512;
    let total = u16::from_le_bytes([img[19], img[20]]) as usize;
    let root = u16::from_le_bytes([img[17], img[18]]) as usize * 32 / 512;
    let data = at / 512 + 2 * size / 512 + root;
    let clusters = (total - data) / img[13] as usize;
    (2..clusters + 2).filter(|c| img[at + 2 * c] == 0 && img[at + 2 * c + 1] == 0).take(size / 2).count()
}

/// A long-name run that does not belong to its short entry (checksum or order wrong, as after a
/// system without long names changed the directory) is ignored: the short name stands.
#[test]
fn a_mismatched_long_name_falls_back_to_the_short_name() {
    for spoil in [13usize, 0] {
        let mut img = with_long_names();
        let mut d = Image(img.clone(), 0);
        let fs = Fat::mount(&mut d).unwrap();
        let e = fs.lookup(&mut d, b"/A long folder name").unwrap();
        assert_ne!(e.first, e.at, "it has long-name entries");
        let at = e.first.0 as usize * 512 + e.first.1;
        img[at + spoil] ^= if spoil == 0 { 0x03 } else { 0x55 }; // the checksum, or the ordinal
        let mut d = Image(img, 0);
        assert!(fs.lookup(&mut d, b"/A long folder name").is_none());
        let shown: Vec<u8> = fs.list(&mut d, 0).unwrap().into_iter().find(|x| x.at == e.at).unwrap().name().to_vec();
        assert!(shown.contains(&b'~'), "{}", String::from_utf8_lossy(&shown));
        assert!(fs.lookup(&mut d, &[b"/", &shown[..]].concat()).is_some_and(|x| x.dir));
    }
}
