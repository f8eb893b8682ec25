//! Linux evdev key codes to ASCII for a US keyboard layout (letters, digits, punctuation, space,
//! Enter (`\n`), Backspace (0x08), Tab and Escape), and [`Keyboard`], which tracks Shift and Ctrl
//! and names the editing keys (arrows, Home/End, Page Up/Down, Delete). Pure logic.

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

/// A key as an application sees it: a character (Shift applied), a control chord, or an
/// editing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A printable character, Tab, or Escape (0x1b).
    Char(u8),
    /// Ctrl with a letter: the lower-case letter (ctrl+s is `Ctrl(b's')`).
    Ctrl(u8),
    Enter,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
}

/// Left and right Ctrl.
pub const CTRL_KEYS: [u16; 2] = [29, 97];

/// The modifier state of one keyboard, turning evdev key events into [`Key`]s.
#[derive(Default)]
pub struct Keyboard {
    shift: bool,
    ctrl: bool,
}

impl Keyboard {
    /// The key that event (`code`, `value`: 0 up, 1 down, 2 repeat) types, if any.
    pub fn key(&mut self, code: u16, value: u32) -> Option<Key> {
        if SHIFT_KEYS.contains(&code) {
            self.shift = value != 0;
            return None;
        }
        if CTRL_KEYS.contains(&code) {
            self.ctrl = value != 0;
            return None;
        }
        if value == 0 {
            return None;
        }
        Some(match code {
            28 | 96 => Key::Enter,
            14 => Key::Backspace,
            111 => Key::Delete,
            105 => Key::Left,
            106 => Key::Right,
            103 => Key::Up,
            108 => Key::Down,
            102 => Key::Home,
            107 => Key::End,
            104 => Key::PageUp,
            109 => Key::PageDown,
            _ => {
                let c = ascii(code, self.shift)?;
                if self.ctrl && c.is_ascii_alphabetic() {
                    Key::Ctrl(c.to_ascii_lowercase())
                } else {
                    Key::Char(c)
                }
            }
        })
    }
}
