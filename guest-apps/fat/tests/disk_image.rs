//! The FAT16 code against the disk image guest-apps/build.sh makes with mkfs.fat and mcopy
//! (../build/disk.img): reading what mtools wrote, writing what mtools and fsck.fat accept, and
//! surviving corrupt images without a panic.

fn guest_build(name: &str) -> Vec<u8> {
    let path = format!("{}/../build/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run guest-apps/build.sh first)"))
}

/// A disk image in memory, and the number of sectors read from it.
struct Image(Vec<u8>, usize);

/// A reproducible stream of pseudo-random numbers (xorshift64) from `seed`.
fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

impl fat::Disk for Image {
    fn read(&mut self, sector: u64, buf: &mut [u8]) -> bool {
        self.1 += buf.len() / fat::SECTOR;
        let at = sector as usize * fat::SECTOR;
        match self.0.get(at..at + buf.len()) {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }

    fn write(&mut self, sector: u64, buf: &[u8]) -> bool {
        let at = sector as usize * fat::SECTOR;
        match self.0.get_mut(at..at + buf.len()) {
            Some(dst) => {
                dst.copy_from_slice(buf);
                true
            }
            None => false,
        }
    }
}

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
    assert!(docs.iter().any(|e| &e.name == b"INDEX   HTM"));
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
    let mut e = fs.create(&mut d, b"/DOCS/LOG.TXT").expect("created");
    let text: Vec<u8> = (0..9000).map(|i| if i % 40 == 39 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
    // Out of order and unaligned: the middle first, then the start, then the rest.
    assert_eq!(fs.write_at(&mut d, &mut e, 3000, &text[3000..7000]), Some(4000));
    assert_eq!(fs.write_at(&mut d, &mut e, 0, &text[..3000]), Some(3000));
    assert_eq!(fs.write_at(&mut d, &mut e, 7000, &text[7000..]), Some(2000));
    assert_eq!(fs.read_file(&mut d, b"/docs/log.txt").as_deref(), Some(&text[..]));
    let mut part = [0u8; 100];
    assert_eq!(e.read_at(&mut d, 8950, &mut part), Some(50));
    assert_eq!(&part[..50], &text[8950..]);
    let mut root = fs.create(&mut d, b"/TOP.TXT").expect("a file in the root directory");
    fs.write_at(&mut d, &mut root, 0, b"top\n").unwrap();
    assert!(fs.create(&mut d, b"/NODIR/X.TXT").is_none());

    let dir = std::env::temp_dir().join(format!("rost-fat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let img = dir.join("disk.img");
    std::fs::write(&img, &d.disk().0).unwrap();
    let tool = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd).args(args).env("MTOOLS_SKIP_CHECK", "1").output()
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        (out.status.success(), out.stdout)
    };
    let img = img.to_str().unwrap();
    assert_eq!(tool("mtype", &["-i", img, "::/DOCS/LOG.TXT"]), (true, text.clone()));
    assert_eq!(tool("mtype", &["-i", img, "::/TOP.TXT"]), (true, b"top\n".to_vec()));
    let fsck = ["/usr/sbin/fsck.fat", "/sbin/fsck.fat"].into_iter().find(|p| std::path::Path::new(p).exists());
    if let Some(fsck) = fsck {
        let (ok, report) = tool(fsck, &["-n", img]);
        assert!(ok, "fsck.fat: {}", String::from_utf8_lossy(&report));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A corrupt disk must give None from the FAT code, never a panic (overflow checks on).
#[test]
fn fat16_survives_random_corruption() {
    let good = guest_build("disk.img");
    let mut d0 = Image(good.clone(), 0);
    let fs0 = fat::Fat::mount(&mut d0).unwrap();
    let bin = fs0.lookup(&mut d0, b"/BIN").unwrap();
    let bin_at = fs0.list(&mut d0, bin.cluster).unwrap()[0].at.0 as usize * 512;
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    let fat_start = u16::from_le_bytes([good[14], good[15]]) as usize * 512;
    let root = fat_start + 2 * u16::from_le_bytes([good[22], good[23]]) as usize * 512;
    for round in 0..300 {
        let mut img = good.clone();
        for _ in 0..1 + round % 6 {
            let region = [(0, 64), (fat_start, 512), (root, 512), (bin_at, 512)][(next() % 4) as usize];
            let at = region.0 + (next() as usize) % region.1;
            img[at] = if next() % 3 == 0 { 0xff } else { next() as u8 };
        }
        let mut d = Image(img, 0);
        if let Some(fs) = fat::Fat::mount(&mut d) {
            for path in [&b"/BIN/HELLO"[..], b"/DOCS/README.TXT", b"/BIN", b"/"] {
                let _ = fs.read_file(&mut d, path);
                if let Some(e) = fs.lookup(&mut d, path) {
                    let _ = fs.list(&mut d, e.cluster);
                }
            }
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
