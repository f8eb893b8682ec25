//! Linux evdev key codes to ASCII for a US keyboard layout: letters, digits, punctuation, space,
//! Enter (`\n`), Backspace (0x08), Tab and Escape. Pure logic.

/// Left and right Shift.
pub const SHIFT_KEYS: [u16; 2] = [42, 54];

// Indexed by key code; 0 = no character (modifiers and keys beyond 57).
const PLAIN: &[u8; 58] =
    b"\0\x1b1234567890-=\x08\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
const SHIFTED: &[u8; 58] =
    b"\0\x1b!@#$%^&*()_+\x08\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

/// The character key `code` types, if any.
pub fn ascii(code: u16, shift: bool) -> Option<u8> {
    let table = if shift { SHIFTED } else { PLAIN };
    table.get(code as usize).copied().filter(|&c| c != 0)
}
