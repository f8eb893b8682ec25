//! Rust syntax highlighting, a line at a time: [`line`] splits a line into spans of one
//! [`Kind`] each, starting in the [`State`] the previous line ended in (inside a block comment,
//! nested to some depth, or inside a string or raw string) and returning the state it ends in.
//! A tokenizer, not a parser: keywords, type-like names (capitalised), macro calls (`name!`),
//! strings (`"..."`, `b"..."`, `r#"..."#`), character literals (`'x'`, `b'\n'`) told apart
//! from lifetimes (`'a`), numbers (`0x1f`, `1_000u32`, `2.5e3`, not the `..` of a range) and
//! comments (`//` and nested `/* */`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Keyword,
    Type,
    Macro,
    Str,
    Number,
    Comment,
}

/// Where a line starts: in code, inside a block comment (its nesting depth), a string, or a raw
/// string (its number of `#`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Code,
    Comment(u32),
    Str,
    RawStr(u32),
}

const KEYWORDS: &[&[u8]] = &[
    b"as", b"async", b"await", b"break", b"const", b"continue", b"crate", b"dyn", b"else", b"enum", b"extern",
    b"false", b"fn", b"for", b"if", b"impl", b"in", b"let", b"loop", b"match", b"mod", b"move", b"mut", b"pub",
    b"ref", b"return", b"self", b"Self", b"static", b"struct", b"super", b"trait", b"true", b"type", b"unsafe",
    b"use", b"where", b"while",
];

fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Splits `text` (one line, without its `\n`) into spans, calling `out(start, end, kind)` for
/// each in order (together they cover the line); returns the state the next line starts in.
pub fn line(text: &[u8], mut state: State, out: &mut impl FnMut(usize, usize, Kind)) -> State {
    let mut i = 0;
    while i < text.len() {
        let start = i;
        let (end, kind, next) = match state {
            State::Comment(depth) => {
                let (end, depth) = block_comment(text, i, depth);
                (end, Kind::Comment, if depth == 0 { State::Code } else { State::Comment(depth) })
            }
            State::Str => match string_end(text, i) {
                Some(end) => (end, Kind::Str, State::Code),
                None => (text.len(), Kind::Str, State::Str),
            },
            State::RawStr(hashes) => match raw_end(text, i, hashes) {
                Some(end) => (end, Kind::Str, State::Code),
                None => (text.len(), Kind::Str, State::RawStr(hashes)),
            },
            State::Code => code_token(text, i),
        };
        i = end.max(start + 1).min(text.len());
        state = next;
        out(start, i, kind);
    }
    state
}

/// From `i` inside a block comment nested `depth` deep: where the scan stopped (the comment's
/// end or the line's) and the depth there.
fn block_comment(text: &[u8], mut i: usize, mut depth: u32) -> (usize, u32) {
    while i < text.len() {
        match &text[i..] {
            [b'/', b'*', ..] => (i, depth) = (i + 2, depth + 1),
            [b'*', b'/', ..] => {
                (i, depth) = (i + 2, depth - 1);
                if depth == 0 {
                    return (i, 0);
                }
            }
            _ => i += 1,
        }
    }
    (i, depth)
}

/// Just past the `"` closing a string whose contents start at `i`, if it closes on this line.
fn string_end(text: &[u8], mut i: usize) -> Option<usize> {
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Just past the `"#..#` closing a raw string with `hashes` hashes, if it closes on this line.
fn raw_end(text: &[u8], mut i: usize, hashes: u32) -> Option<usize> {
    while i < text.len() {
        if text[i] == b'"' && text[i + 1..].iter().take(hashes as usize).filter(|&&b| b == b'#').count() == hashes as usize {
            return Some(i + 1 + hashes as usize);
        }
        i += 1;
    }
    None
}

/// The token of code at `i`: its end, kind, and the state after it.
fn code_token(text: &[u8], i: usize) -> (usize, Kind, State) {
    let rest = &text[i..];
    match rest {
        [b'/', b'/', ..] => (text.len(), Kind::Comment, State::Code),
        [b'/', b'*', ..] => {
            let (end, depth) = block_comment(text, i + 2, 1);
            (end, Kind::Comment, if depth == 0 { State::Code } else { State::Comment(depth) })
        }
        [b'"', ..] | [b'b', b'"', ..] => {
            let from = i + rest.iter().position(|&b| b == b'"').unwrap() + 1;
            match string_end(text, from) {
                Some(end) => (end, Kind::Str, State::Code),
                None => (text.len(), Kind::Str, State::Str),
            }
        }
        [b'r', b'"' | b'#', ..] | [b'b', b'r', b'"' | b'#', ..] if raw_start(rest).is_some() => {
            let (quote, hashes) = raw_start(rest).unwrap();
            match raw_end(text, i + quote + 1, hashes) {
                Some(end) => (end, Kind::Str, State::Code),
                None => (text.len(), Kind::Str, State::RawStr(hashes)),
            }
        }
        [b'\'', ..] | [b'b', b'\'', ..] => {
            let q = if rest[0] == b'b' { 1 } else { 0 };
            match char_end(&rest[q..]) {
                Some(n) => (i + q + n, Kind::Str, State::Code),
                None if q == 1 => (i + 1, Kind::Plain, State::Code), // `b` alone, an identifier
                None => (i + 1 + rest[1..].iter().take_while(|&&b| ident_byte(b)).count(), Kind::Plain, State::Code),
            }
        }
        [b'0'..=b'9', ..] => (i + number_len(rest), Kind::Number, State::Code),
        [b, ..] if b.is_ascii_alphabetic() || *b == b'_' => {
            let n = rest.iter().take_while(|&&b| ident_byte(b)).count();
            let word = &rest[..n];
            let kind = if KEYWORDS.contains(&word) {
                Kind::Keyword
            } else if rest.get(n) == Some(&b'!') && rest.get(n + 1) != Some(&b'=') {
                return (i + n + 1, Kind::Macro, State::Code);
            } else if word[0].is_ascii_uppercase() {
                Kind::Type
            } else {
                Kind::Plain
            };
            (i + n, kind, State::Code)
        }
        _ => (i + 1, Kind::Plain, State::Code),
    }
}

/// For `r"`, `r#"`, `br##"`...: the offset of the opening quote and the number of hashes.
fn raw_start(rest: &[u8]) -> Option<(usize, u32)> {
    let r = if rest[0] == b'b' { 1 } else { 0 };
    let hashes = rest[r + 1..].iter().take_while(|&&b| b == b'#').count();
    let quote = r + 1 + hashes;
    (rest.get(quote) == Some(&b'"')).then_some((quote, hashes as u32))
}

/// The length of the character literal at the start of `rest` (`'x'`, `'\n'`, `'\u{1F600}'`,
/// a multi-byte UTF-8 character), or None for a lifetime or a lone quote.
fn char_end(rest: &[u8]) -> Option<usize> {
    if rest.get(1) == Some(&b'\\') {
        return rest.get(3..)?.iter().position(|&b| b == b'\'').map(|p| p + 4);
    }
    let c = *rest.get(1)?;
    let width = match c {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    };
    (rest.get(1 + width) == Some(&b'\'')).then_some(2 + width)
}

/// The length of the number at the start of `rest`: digits, letters (hex digits, exponents,
/// suffixes like `u32`), `_`, a decimal point followed by a digit, a sign after an exponent.
fn number_len(rest: &[u8]) -> usize {
    let hex = rest.starts_with(b"0x") || rest.starts_with(b"0X");
    let mut n = 0;
    while n < rest.len() {
        let b = rest[n];
        let exponent_sign = !hex && (b == b'+' || b == b'-') && matches!(rest[n - 1], b'e' | b'E');
        let point = b == b'.' && rest.get(n + 1).is_some_and(u8::is_ascii_digit);
        if ident_byte(b) || point || exponent_sign {
            n += 1;
        } else {
            break;
        }
    }
    n
}
