//! The requests that change the directory tree (abi::fs::MKDIR, RENAME, DELETE): each field of
//! the request checked before the disk is touched, so a malformed one gets an error, and each
//! failure named (NoEnt, Inval, Perm, NoMem) by looking before acting. Descriptors follow a
//! renamed entry; an open one cannot be deleted.

use crate::{Dev, FDS, Open, now};
use fat::Fat;
use librost::abi::Error;

type Reply = Result<(u64, usize), Error>;

/// The directory part of `path` and its last name (trailing slashes ignored); Inval for the root.
fn split(path: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let end = path.iter().rposition(|&b| b != b'/').ok_or(Error::Inval)? + 1;
    let slash = path[..end].iter().rposition(|&b| b == b'/').ok_or(Error::Inval)?;
    Ok((&path[..slash], &path[slash + 1..end]))
}

/// Checks that an entry may be made at `path`: its name valid (Inval), its directory there
/// (NoEnt), the path free (Inval).
pub(crate) fn check_new(vol: &Fat, d: &mut Dev, path: &[u8]) -> Result<(), Error> {
    let (dir, name) = split(path)?;
    if !fat::valid_name(name) {
        return Err(Error::Inval);
    }
    vol.lookup(d, dir).filter(|e| e.dir).ok_or(Error::NoEnt)?;
    match vol.lookup(d, path) {
        Some(_) => Err(Error::Inval),
        None => Ok(()),
    }
}

/// An existing entry other than the root (NoEnt if missing, Inval for the root).
fn existing(vol: &Fat, d: &mut Dev, path: &[u8]) -> Result<fat::Entry, Error> {
    split(path)?;
    vol.lookup(d, path).ok_or(Error::NoEnt)
}

pub(crate) fn mkdir(vol: &Fat, d: &mut Dev, path: &[u8]) -> Reply {
    check_new(vol, d, path)?;
    vol.mkdir(d, path, now()).ok_or(Error::NoMem)?;
    Ok((0, 0))
}

/// payload: the old path's length (u8), the old path, the new path.
pub(crate) fn rename(vol: &Fat, d: &mut Dev, fds: &mut [Option<Open>; FDS], p: &[u8]) -> Reply {
    let n = *p.first().ok_or(Error::Inval)? as usize;
    let from = p.get(1..1 + n).ok_or(Error::Inval)?;
    let to = &p[1 + n..];
    let old = existing(vol, d, from)?;
    if vol.lookup(d, to).is_some_and(|e| e.at == old.at) {
        // The same entry under another case of its name: allowed, the name changes.
        split(to).map(|(_, name)| fat::valid_name(name)).ok().filter(|&v| v).ok_or(Error::Inval)?;
    } else {
        check_new(vol, d, to)?;
    }
    let new = vol.rename(d, from, to).ok_or(Error::Inval)?;
    for o in fds.iter_mut().flatten().filter(|o| o.file.entry.at == old.at) {
        let size = o.file.entry.size;
        o.file.entry = new;
        o.file.entry.size = size;
    }
    Ok((0, 0))
}

pub(crate) fn delete(vol: &Fat, d: &mut Dev, fds: &mut [Option<Open>; FDS], p: &[u8]) -> Reply {
    let e = existing(vol, d, p)?;
    if fds.iter().flatten().any(|o| o.file.entry.at == e.at) {
        return Err(Error::Perm);
    }
    vol.delete(d, p).ok_or(Error::Inval)?;
    Ok((0, 0))
}
