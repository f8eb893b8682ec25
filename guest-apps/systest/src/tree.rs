//! The directory tree through the file server: folders made, a long-named file created,
//! renamed within and across folders, deleted, and listed; what it leaves on the disk (the
//! folder `/Projects`) is checked on the host with mdir and fsck.fat (RostSystestTest).

use crate::Suite;
use librost::Line;
use librost::abi::{Error, fs};
use librost::file::Fs;

const TEXT: &[u8] = b"A file with a long name, from rost.\n";

/// Writes `data` into a new file at `path`; whether all went well.
fn write_new(fs: &Fs, path: &[u8], data: &[u8]) -> bool {
    let Ok(fd) = fs.open(path, true) else { return false };
    let written = fs.write(fd, data) == Ok(data.len());
    fs.close(fd).is_ok() && written
}

/// The entries of directory `path` as one line: name and size (or `/` for a folder) each.
fn list(fs: &Fs, path: &[u8]) -> (usize, Line) {
    let mut line = Line::task();
    line.s(path).s(b":");
    let Ok(dir) = fs.open(path, false) else { return (0, line) };
    let mut i = 0;
    while let Ok(e) = fs.readdir(dir, i as u32) {
        line.s(b" '").s(e.name()).s(b"'");
        if e.dir { line.s(b"/") } else { line.s(b" ").dec(e.size as u64) };
        i += 1;
    }
    fs.close(dir).ok();
    (i, line)
}

pub fn tree(t: &mut Suite) {
    let fs = Fs::SERVER;
    t.check(b"mkdir /Projects", fs.mkdir(b"/Projects") == Ok(()));
    t.check(b"mkdir of an existing name: Inval", fs.mkdir(b"/PROJECTS") == Err(Error::Inval));
    t.check(b"mkdir without its parent: NoEnt", fs.mkdir(b"/Nowhere/x") == Err(Error::NoEnt));
    t.check(b"mkdir of an invalid name: Inval", fs.mkdir(b"/a:b") == Err(Error::Inval));
    t.check(b"mkdir /Projects/Old inside it", fs.mkdir(b"/Projects/Old") == Ok(()));
    t.check(b"a file with a long name", write_new(&fs, b"/Projects/Long name file.txt", TEXT));
    let st = fs.stat(b"/projects/LONG NAME FILE.TXT");
    t.check(b"stat finds it by any case, with its long name", st.as_ref().is_ok_and(|s| s.name() == b"Long name file.txt" && s.size == TEXT.len() as u32));
    t.check(b"it is dated by the file server's clock (2026)", st.is_ok_and(|s| s.modified().0 == 2026));
    t.check(b"rename within the folder", fs.rename(b"/Projects/Long name file.txt", b"/Projects/Shorter.txt") == Ok(()));
    t.check(b"rename into another folder", fs.rename(b"/Projects/Shorter.txt", b"/Projects/Old/Renamed file.txt") == Ok(()));
    t.check(b"the old name is gone: NoEnt", fs.stat(b"/Projects/Shorter.txt").err() == Some(Error::NoEnt));
    let fd = fs.open(b"/Projects/Old/Renamed file.txt", false).unwrap_or(u32::MAX);
    let mut back = [0u8; 64];
    t.check(b"the content moved with it", fs.read(fd, &mut back) == Ok(TEXT.len()) && &back[..TEXT.len()] == TEXT);
    t.check(b"delete of an open file: Perm", fs.delete(b"/Projects/Old/Renamed file.txt") == Err(Error::Perm));
    t.check(b"rename of an open file", fs.rename(b"/Projects/Old/Renamed file.txt", b"/Projects/Old/Kept.txt") == Ok(()));
    t.check(b"its descriptor still reads", fs.seek(fd, 2).is_ok() && fs.read(fd, &mut back[..4]) == Ok(4) && back[..4] == TEXT[2..6]);
    fs.close(fd).ok();
    t.check(b"delete of a folder with entries: Inval", fs.delete(b"/Projects/Old") == Err(Error::Inval));
    t.check(b"a folder cannot move into itself: Inval", fs.rename(b"/Projects", b"/Projects/Old/P") == Err(Error::Inval));
    t.check(b"rename of a missing file: NoEnt", fs.rename(b"/Projects/none", b"/Projects/x") == Err(Error::NoEnt));
    t.check(b"rename onto an existing name: Inval", fs.rename(b"/Projects/Old", b"/DOCS/README.TXT") == Err(Error::Inval));
    t.check(b"a scratch file and folder", write_new(&fs, b"/Projects/Scratch file.txt", b"gone soon") && fs.mkdir(b"/Projects/Empty folder") == Ok(()));
    t.check(b"delete a file", fs.delete(b"/Projects/Scratch file.txt") == Ok(()));
    t.check(b"delete an empty folder", fs.delete(b"/Projects/Empty folder") == Ok(()));
    t.check(b"deleted: NoEnt", fs.stat(b"/Projects/Scratch file.txt").err() == Some(Error::NoEnt));
    t.check(b"delete of the root: Inval", fs.delete(b"/") == Err(Error::Inval));
    t.check(b"a path longer than a message: Inval", fs.mkdir(&[b'x'; fs::NAME + 30]) == Err(Error::Inval));
    t.check(b"a folder moves with its files", fs.rename(b"/Projects/Old", b"/Projects/Archive 2026") == Ok(()));
    let (n, mut line) = list(&fs, b"/Projects");
    line.send();
    t.check(b"/Projects lists 1 folder", n == 1);
    let (n, mut line) = list(&fs, b"/Projects/Archive 2026");
    line.send();
    t.check(b"which holds the renamed file", n == 1);
}
