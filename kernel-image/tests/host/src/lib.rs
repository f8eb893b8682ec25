//! Unit tests of the kernel's pure crates, compiled for the host: the device-tree reader (`fdt`)
//! and the ELF parser (`elf`). The ELF tests read the programs in guest-apps/build (made by
//! guest-apps/build.sh, which kernel-image/build.sh runs first).
#![cfg(test)]

/// Builds a flattened device tree: `nodes` is a list of (depth, name, properties), depth 1 being
/// the root, in document order.
fn dtb(nodes: &[(usize, &str, &[(&str, &[u8])])]) -> Vec<u8> {
    let (mut structs, mut strings) = (Vec::new(), Vec::new());
    let word = |v: &mut Vec<u8>, w: u32| v.extend_from_slice(&w.to_be_bytes());
    let pad = |v: &mut Vec<u8>| v.resize(v.len().div_ceil(4) * 4, 0);
    let mut depth = 0;
    for &(d, name, props) in nodes {
        while depth >= d {
            word(&mut structs, 2);
            depth -= 1;
        }
        word(&mut structs, 1);
        structs.extend_from_slice(name.as_bytes());
        structs.push(0);
        pad(&mut structs);
        depth = d;
        for &(pname, value) in props {
            word(&mut structs, 3);
            word(&mut structs, value.len() as u32);
            word(&mut structs, strings.len() as u32);
            strings.extend_from_slice(pname.as_bytes());
            strings.push(0);
            structs.extend_from_slice(value);
            pad(&mut structs);
        }
    }
    for _ in 0..depth {
        word(&mut structs, 2);
    }
    word(&mut structs, 9);
    let header = 40 + 16; // header, then an empty memory reservation block
    let total = header + structs.len() + strings.len();
    let mut blob = Vec::new();
    for w in
        [0xd00d_feed, total as u32, header as u32, (header + structs.len()) as u32, 40, 17, 16, 0]
    {
        word(&mut blob, w);
    }
    word(&mut blob, strings.len() as u32);
    word(&mut blob, structs.len() as u32);
    blob.resize(header, 0);
    blob.extend(structs);
    blob.extend(strings);
    blob
}

#[test]
fn bootargs_found_in_chosen() {
    let blob = dtb(&[
        (1, "", &[("compatible", b"linux,dummy-virt\0")]),
        (2, "memory@40000000", &[("bootargs", b"wrong\0")]),
        (
            2,
            "chosen",
            &[("stdout-path", b"/pl011@9000000\0"), ("bootargs", b"rost.demo=tasks x=1\0")],
        ),
        (2, "psci", &[]),
    ]);
    assert_eq!(fdt::bootargs(&blob), Some(&b"rost.demo=tasks x=1"[..]));
    // Trailing bytes after the blob (the rest of the 1 MiB area) do not matter.
    let mut padded = blob.clone();
    padded.resize(1 << 20, 0);
    assert_eq!(fdt::bootargs(&padded), Some(&b"rost.demo=tasks x=1"[..]));
}

#[test]
fn bootargs_only_from_chosen_itself() {
    let child = dtb(&[(1, "", &[]), (2, "chosen", &[]), (3, "sub", &[("bootargs", b"no\0")])]);
    assert_eq!(fdt::bootargs(&child), None);
    let deep = dtb(&[(1, "", &[]), (2, "soc", &[]), (3, "chosen", &[("bootargs", b"no\0")])]);
    assert_eq!(fdt::bootargs(&deep), None);
    let none = dtb(&[(1, "", &[]), (2, "chosen", &[("stdout-path", b"/x\0")])]);
    assert_eq!(fdt::bootargs(&none), None);
}

#[test]
fn bootargs_of_garbage_is_none() {
    assert_eq!(fdt::bootargs(&[]), None);
    assert_eq!(fdt::bootargs(&[0; 4096]), None);
    let blob = dtb(&[(1, "", &[]), (2, "chosen", &[("bootargs", b"a\0")])]);
    for cut in 0..blob.len() {
        assert_eq!(fdt::bootargs(&blob[..cut]), None, "truncated at {cut}");
    }
    let mut bad = blob.clone();
    bad[12..16].copy_from_slice(&u32::MAX.to_be_bytes()); // strings block far away
    assert_eq!(fdt::bootargs(&bad), None);
}

#[test]
fn nodes_visits_every_node_with_its_own_properties() {
    let blob = dtb(&[
        (1, "", &[("compatible", b"linux,dummy-virt\0")]),
        (2, "smmuv3@9050000", &[("compatible", b"arm,smmu-v3\0"), ("reg", &[0, 0, 0, 0, 0, 0x90, 0x50, 0, 0, 0, 0, 0, 0, 2, 0, 0])]),
        (2, "virtio_mmio@a000200", &[("iommus", &[0, 0, 0, 9, 0, 0, 0, 1])]),
        (3, "child", &[("reg", b"x")]),
        (2, "last", &[]),
    ]);
    let mut seen = Vec::new();
    let none: Option<()> = fdt::nodes(&blob, |n| {
        seen.push((n.depth, n.name.to_vec(), n.prop(b"reg").map(<[u8]>::to_vec), n.prop(b"iommus").is_some()));
        None
    });
    assert_eq!(none, None);
    let names: Vec<_> = seen.iter().map(|s| (s.0, String::from_utf8(s.1.clone()).unwrap(), s.3)).collect();
    assert_eq!(names, [(1, "".into(), false), (2, "smmuv3@9050000".into(), false), (2, "virtio_mmio@a000200".into(), true),
        (3, "child".into(), false), (2, "last".into(), false)]);
    assert_eq!(seen[1].2.as_deref().map(|r| r[5]), Some(0x90));
    assert_eq!(seen[2].2, None, "a child's property is not its parent's");
    let first = fdt::nodes(&blob, |n| n.prop(b"compatible").filter(|c| c.starts_with(b"arm,")));
    assert_eq!(first, Some(&b"arm,smmu-v3\0"[..]), "stops at the first answer");
    for cut in 0..blob.len() {
        let _ = fdt::nodes(&blob[..cut], |n| n.prop(b"reg").map(|_| ())); // never panics
    }
}

fn guest_build(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../guest-apps/build/{}", env!("CARGO_MANIFEST_DIR"), name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run kernel-image/build.sh first)"))
}

#[test]
fn elf_loader_accepts_the_static_pie_programs() {
    let bytes = guest_build("hello.elf");
    let e = elf::Elf::parse(&bytes).expect("hello.elf parses");
    let relocs = e.relocations().expect("only RELATIVE relocations");
    assert!(relocs.len() >= 3, "hello has a table of &str: {relocs:?}");
    let segs: Vec<_> = e.segments().collect();
    assert!(segs.iter().any(|s| s.flags & elf::PF_X != 0));
    assert!(segs.iter().all(|s| s.flags & elf::PF_X == 0 || s.flags & elf::PF_W == 0));
    for name in ["demo.elf", "systest.elf", "hostile.elf", "screen.elf", "peer.elf"] {
        elf::Elf::parse(&guest_build(name)).and_then(|e| e.relocations()).expect(name);
    }
}

#[test]
fn elf_loader_refuses_malformed_files() {
    let good = guest_build("hello.elf");
    assert!(elf::Elf::parse(b"hello").is_err());
    assert!(elf::Elf::parse(&good[..100]).is_err(), "truncated program headers");
    let mut exec = good.clone();
    exec[16] = 2; // ET_EXEC: not position-independent
    assert!(elf::Elf::parse(&exec).is_err());
    let phoff = u64::from_le_bytes(good[32..40].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(good[56..58].try_into().unwrap()) as usize;
    let load = (0..phnum).map(|i| phoff + 56 * i).find(|&o| good[o] == 1).unwrap();
    let mut wx = good.clone();
    wx[load + 4] = 7; // R W X
    assert_eq!(elf::Elf::parse(&wx).err(), Some("segment is writable and executable"));
    let mut huge = good.clone();
    huge[load + 40..load + 48].copy_from_slice(&u64::MAX.to_le_bytes()); // p_memsz
    assert!(elf::Elf::parse(&huge).is_err());
    let mut outside = good.clone();
    outside[load + 8..load + 16].copy_from_slice(&(1u64 << 40).to_le_bytes()); // p_offset
    assert!(elf::Elf::parse(&outside).is_err());
}

/// Random corruption of a real program must give Ok or Err from the ELF code, never a panic
/// (an out-of-bounds index or an arithmetic overflow: this runs with overflow checks on).
#[test]
fn elf_parsing_survives_random_corruption() {
    let good = guest_build("hello.elf");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..3000 {
        let mut bad = good.clone();
        for _ in 0..1 + round % 8 {
            // Half in the ELF and program headers (offsets, sizes, types), half anywhere early
            // (.rela.dyn, .dynamic).
            let span = if next() % 2 == 0 { 64 + 56 * 10 } else { 4096 };
            let at = (next() % span) as usize % bad.len();
            bad[at] = match next() % 4 {
                0 => 0xff,
                1 => 0,
                _ => next() as u8,
            };
        }
        if round % 5 == 0 {
            bad.truncate((next() as usize) % bad.len());
        }
        if round % 97 == 0 && bad.len() > 40 {
            bad[32..40].copy_from_slice(&(u64::MAX - (next() % 64)).to_le_bytes()); // e_phoff
        }
        if let Ok(e) = elf::Elf::parse(&bad) {
            let segs: Vec<_> = e.segments().collect();
            for s in &segs {
                let _ = e.data(s);
            }
            let _ = e.relocations();
            let _ = e.relro();
        }
    }
}

