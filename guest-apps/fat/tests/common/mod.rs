//! What the tests share: the guest build's files, a disk image in memory, pseudo-random numbers,
//! the host's FAT tools, and the time files are stamped with.
#![allow(dead_code)]

pub fn guest_build(name: &str) -> Vec<u8> {
    let path = format!("{}/../build/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run guest-apps/build.sh first)"))
}

/// 2026-12-04 13:37:42 UTC, the time files are stamped with here.
pub const NOW_UNIX: u64 = 1_796_391_462;
pub const NOW: fat::Stamp = fat::Stamp { date: (2026 - 1980) << 9 | 12 << 5 | 4, time: 13 << 11 | 37 << 5 | 21 };

/// A disk image in memory, and the number of sectors read from it.
pub struct Image(pub Vec<u8>, pub usize);

/// A reproducible stream of pseudo-random numbers (xorshift64) from `seed`.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
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


/// Runs host tool `cmd` (mtools need no drive configuration); whether it succeeded, its output.
pub fn tool(cmd: &str, args: &[&str]) -> (bool, Vec<u8>) {
    let out = std::process::Command::new(cmd).args(args).env("MTOOLS_SKIP_CHECK", "1").output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    (out.status.success(), out.stdout)
}

/// `img` written to a file in a temporary directory of its own (removed on drop).
pub struct HostImage(pub std::path::PathBuf);

impl HostImage {
    pub fn new(tag: &str, img: &[u8]) -> HostImage {
        // Tests run in parallel threads of one process: each image gets a directory of its own.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rost-fat-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("disk.img"), img).unwrap();
        HostImage(dir)
    }

    pub fn path(&self) -> String {
        self.0.join("disk.img").to_str().unwrap().to_string()
    }

    pub fn read(&self) -> Vec<u8> {
        std::fs::read(self.0.join("disk.img")).unwrap()
    }

    /// fsck.fat -n on the image: must find nothing to repair (skipped where it is not installed).
    pub fn assert_fsck_clean(&self) {
        let fsck = ["/usr/sbin/fsck.fat", "/sbin/fsck.fat"].into_iter().find(|p| std::path::Path::new(p).exists());
        if let Some(fsck) = fsck {
            let (ok, report) = tool(fsck, &["-n", &self.path()]);
            assert!(ok, "fsck.fat: {}", String::from_utf8_lossy(&report));
        }
    }
}

impl Drop for HostImage {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// The guest's disk image with long names mtools wrote: a folder `/A long folder name` holding
/// `Some notes.txt` (text) and `lower.txt`.
pub fn with_long_names() -> Vec<u8> {
    let host = HostImage::new("lfn", &guest_build("disk.img"));
    let img = host.path();
    let notes = host.0.join("Some notes.txt");
    std::fs::write(&notes, b"long names work\n").unwrap();
    assert!(tool("mmd", &["-i", &img, "::/A long folder name"]).0);
    assert!(tool("mcopy", &["-i", &img, notes.to_str().unwrap(), "::/A long folder name/Some notes.txt"]).0);
    assert!(tool("mcopy", &["-i", &img, notes.to_str().unwrap(), "::/A long folder name/lower.txt"]).0);
    host.read()
}
