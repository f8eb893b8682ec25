//! Character references in text and attribute values: `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`
//! `&nbsp;` `&copy;`, decimal `&#NN;` and hexadecimal `&#xHH;` (the `;` optional after digits, as
//! browsers accept). Unknown or malformed references stay as written. Code points that are not
//! characters (0, surrogates, beyond U+10FFFF) become U+FFFD.

use alloc::string::String;

const NAMED: [(&str, char); 7] =
    [("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"'), ("apos", '\''), ("nbsp", '\u{a0}'), ("copy", '\u{a9}')];

/// The longest named reference, so that a failed match looks only this far ahead.
const LONGEST_NAME: usize = 4;

/// `s` with its character references decoded.
pub fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference at the start of `s` (which begins with `&`) stands for, and the
/// reference's length in bytes.
fn reference(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let start = if hex { 3 } else { 2 };
        let radix = if hex { 16 } else { 10 };
        let mut end = start;
        let mut value: u32 = 0;
        while let Some(d) = b.get(end).and_then(|&c| (c as char).to_digit(radix)) {
            // Saturate past the last code point: any longer number is just as invalid.
            value = value.saturating_mul(radix).saturating_add(d).min(0x11_0000);
            end += 1;
        }
        if end == start {
            return None;
        }
        if b.get(end) == Some(&b';') {
            end += 1;
        }
        let ch = match value {
            0 => '\u{fffd}',
            v => char::from_u32(v).unwrap_or('\u{fffd}'),
        };
        return Some((ch, end));
    }
    let name_len = b[1..].iter().take(LONGEST_NAME + 1).take_while(|c| c.is_ascii_alphanumeric()).count();
    if b.get(1 + name_len) != Some(&b';') {
        return None;
    }
    let name = &s[1..1 + name_len];
    NAMED.iter().find(|(n, _)| *n == name).map(|&(_, ch)| (ch, name_len + 2))
}
