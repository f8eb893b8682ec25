//! The FAT16 code against the disk image guest-apps/build.sh makes with mkfs.fat and mcopy
//! (../build/disk.img): reading what mtools wrote, writing what mtools and fsck.fat accept, and
//! surviving corrupt images without a panic.

mod common;
use common::{HostImage, Image, NOW, guest_build, tool, xorshift};

#[test]
fn fat16_reads_the_disk_image_made_by_mtools() {
    let mut d = Image(guest_build("disk.img"), 0);
    let fs = fat::Fat::mount(&mut d).expect("a FAT16 volume");
    assert_eq!(fs.read_file(&mut d, b"/BIN/HELLO"), Some(guest_build("hello.elf")));
    assert_eq!(fs.read_file(&mut d, b"/bin/hello"), Some(guest_build("hello.elf")), "names are case-insensitive");
    let readme = fs.read_file(&mut d, b"/DOCS/README.TXT").unwrap();
    assert!(readme.starts_with(b"Welcome to rost."));
    assert!(fs.read_file(&mut d, b"/BIN/NOPE").is_none());
    assert!(fs.read_file(&mut d, b"/BIN").is_none(), "a directory is not a file");
    assert!(fs.read_file(&mut d, b"/BIN/HELLO/X").is_none());
    let dir = fs.lookup(&mut d, b"/DOCS").unwrap().cluster;
    let docs: Vec<_> = fs.list(&mut d, dir).unwrap();
    assert!(docs.iter().any(|e| &e.short == b"INDEX   HTM" && e.name() == b"INDEX.HTM"));
    assert_eq!(fat::short_name(b"readme.txt"), Some(*b"README  TXT"));
    assert_eq!(fat::short_name(b"toolongname"), None);
}

#[test]
fn fat16_survives_a_corrupt_image() {
    let mut img = guest_build("disk.img");
    let mut d = Image(img.clone(), 0);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let e = fs.lookup(&mut d, b"/BIN/HELLO").unwrap();
    // A FAT chain that points at itself must end, not loop for ever.
    let fat_start = u16::from_le_bytes([img[14], img[15]]) as usize * 512;
    let c = e.cluster as usize;
    img[fat_start + 2 * c..fat_start + 2 * c + 2].copy_from_slice(&(c as u16).to_le_bytes());
    let mut d = Image(img.clone(), 0);
    assert!(fs.read_file(&mut d, b"/BIN/HELLO").is_none());
    assert!(fat::Fat::mount(&mut Image(vec![0; 4096], 0)).is_none());
    assert!(fat::Fat::mount(&mut Image(Vec::new(), 0)).is_none());
}

/// Written as fsd writes: through the sector cache.
#[test]
fn fsd_writes_files_that_mtools_and_fsck_accept() {
    let mut img = Image(guest_build("disk.img"), 0);
    let mut d = fat::Cache::new(&mut img);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let mut e = fs.create(&mut d, b"/DOCS/LOG.TXT", NOW).expect("created");
    let text: Vec<u8> = (0..9000).map(|i| if i % 40 == 39 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
    // Out of order and unaligned: the middle first, then the start, then the rest.
    assert_eq!(fs.write_at(&mut d, &mut e, 3000, &text[3000..7000], NOW), Some(4000));
    assert_eq!(fs.write_at(&mut d, &mut e, 0, &text[..3000], NOW), Some(3000));
    assert_eq!(fs.write_at(&mut d, &mut e, 7000, &text[7000..], NOW), Some(2000));
    assert_eq!(fs.read_file(&mut d, b"/docs/log.txt").as_deref(), Some(&text[..]));
    let mut part = [0u8; 100];
    assert_eq!(e.read_at(&mut d, 8950, &mut part), Some(50));
    assert_eq!(&part[..50], &text[8950..]);
    let mut root = fs.create(&mut d, b"/TOP.TXT", NOW).expect("a file in the root directory");
    fs.write_at(&mut d, &mut root, 0, b"top\n", NOW).unwrap();
    assert!(fs.create(&mut d, b"/NODIR/X.TXT", NOW).is_none());

    let host = HostImage::new("write", &d.disk().0);
    let img = host.path();
    assert_eq!(tool("mtype", &["-i", &img, "::/DOCS/LOG.TXT"]), (true, text.clone()));
    assert_eq!(tool("mtype", &["-i", &img, "::/TOP.TXT"]), (true, b"top\n".to_vec()));
    host.assert_fsck_clean();
}

/// A corrupt disk must give None from the FAT code, never a panic or an endless loop (overflow
/// checks on): reading, and making, renaming and deleting entries, on an image with long names.
#[test]
fn fat16_survives_random_corruption() {
    let good = common::with_long_names();
    let mut d0 = Image(good.clone(), 0);
    let fs0 = fat::Fat::mount(&mut d0).unwrap();
    let bin = fs0.lookup(&mut d0, b"/BIN").unwrap();
    let bin_at = fs0.list(&mut d0, bin.cluster).unwrap()[0].at.0 as usize * 512;
    let long = fs0.lookup(&mut d0, b"/A long folder name").unwrap();
    let long_at = fs0.list(&mut d0, long.cluster).unwrap()[0].at.0 as usize * 512;
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let fat_start = u16::from_le_bytes([good[14], good[15]]) as usize * 512;
    let root = fat_start + 2 * u16::from_le_bytes([good[22], good[23]]) as usize * 512;
    for round in 0..500 {
        let mut img = good.clone();
        for _ in 0..1 + round % 6 {
            let region = [(0, 64), (fat_start, 512), (root, 512), (bin_at, 512), (long_at, 512)][(next() % 5) as usize];
            let at = region.0 + (next() as usize) % region.1;
            img[at] = if next() % 3 == 0 { 0xff } else { next() as u8 };
        }
        let mut d = Image(img, 0);
        if let Some(fs) = fat::Fat::mount(&mut d) {
            for path in [&b"/BIN/HELLO"[..], b"/DOCS/README.TXT", b"/BIN", b"/", b"/A long folder name/Some notes.txt"] {
                let _ = fs.read_file(&mut d, path);
                if let Some(e) = fs.lookup(&mut d, path) {
                    let _ = fs.list(&mut d, e.cluster);
                }
            }
            let _ = fs.mkdir(&mut d, b"/BIN/New folder", NOW);
            let _ = fs.create(&mut d, b"/BIN/New folder/a long file name.txt", NOW);
            let _ = fs.rename(&mut d, b"/BIN/HELLO", b"/A long folder name/hello again");
            let _ = fs.rename(&mut d, b"/BIN", b"/DOCS/bin");
            let _ = fs.delete(&mut d, b"/DOCS/README.TXT");
            let _ = fs.delete(&mut d, b"/A long folder name/Some notes.txt");
            let _ = fs.delete(&mut d, b"/BIN/SYSTEST");
        }
    }
}

/// Through the cache, a program read in the file protocol's 56-byte pieces comes out whole, with
/// each of its sectors read from the device once; and after random writes through the cache,
/// reads through it agree with the device.
#[test]
fn the_sector_cache_reads_each_sector_once_and_writes_through() {
    let mut img = Image(guest_build("disk.img"), 0);
    let mut d = fat::Cache::new(&mut img);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let f = fs.open(&mut d, b"/BIN/SYSTEST").unwrap();
    let mut got = Vec::new();
    let mut piece = [0u8; 56];
    while let Some(n) = f.read_at(&mut d, got.len() as u32, &mut piece).filter(|&n| n > 0) {
        got.extend_from_slice(&piece[..n]);
    }
    assert_eq!(got, guest_build("systest.elf"));
    drop(d);
    let sectors = got.len().div_ceil(fat::SECTOR);
    assert!(img.1 <= sectors + 16, "{} sectors read for a file of {sectors}", img.1);

    let mut next = xorshift(0x1234_5678_9abc_def1);
    let mut d = fat::Cache::new(&mut img);
    use fat::Disk;
    for _ in 0..2000 {
        let (sector, n) = (next() % 24, 1 + next() as usize % 3);
        let mut buf = vec![0u8; n * fat::SECTOR];
        if next() % 3 == 0 {
            buf.iter_mut().for_each(|b| *b = next() as u8);
            assert!(d.write(sector, &buf));
        } else {
            assert!(d.read(sector, &mut buf));
            let at = sector as usize * fat::SECTOR;
            assert_eq!(buf, img_bytes(&mut d, at, buf.len()));
        }
    }
}

/// What the device under a cache holds at byte `at`.
fn img_bytes(d: &mut fat::Cache<&mut Image>, at: usize, len: usize) -> Vec<u8> {
    d.disk().0[at..at + len].to_vec()
}

/// A save that rewrites a file shorter: truncate, then write; the old clusters are free again
/// and mtype and fsck.fat agree.
#[test]
fn truncate_frees_the_chain_and_a_shorter_rewrite_reads_back() {
    let mut img = Image(guest_build("disk.img"), 0);
    let mut d = fat::Cache::new(&mut img);
    let fs = fat::Fat::mount(&mut d).unwrap();
    let mut f = fs.create(&mut d, b"/DOCS/EDIT.RS", NOW).unwrap();
    fs.write_at(&mut d, &mut f, 0, &[b'x'; 5000], NOW).unwrap();
    fs.truncate(&mut d, &mut f, NOW).expect("truncated");
    assert_eq!((f.entry.size, f.entry.cluster), (0, 0));
    assert_eq!(fs.read_file(&mut d, b"/DOCS/EDIT.RS").as_deref(), Some(&b""[..]));
    fs.write_at(&mut d, &mut f, 0, b"fn main() {}\n", NOW).unwrap();
    let mut dir = fs.open(&mut d, b"/DOCS").unwrap();
    assert!(fs.truncate(&mut d, &mut dir, NOW).is_none(), "a directory is not truncated");

    let host = HostImage::new("truncate", &d.disk().0);
    let img = host.path();
    assert_eq!(tool("mtype", &["-i", &img, "::/DOCS/EDIT.RS"]), (true, b"fn main() {}\n".to_vec()));
    host.assert_fsck_clean();
}
