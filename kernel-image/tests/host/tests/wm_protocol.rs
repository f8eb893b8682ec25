//! The window protocol (abi::wm): every message survives its encoding, and malformed ones
//! (wrong kind, wrong sender, short or out-of-range payloads) decode to errors.

use abi::wm::*;
use abi::{InputEvent, MSG_INPUT, Message};

fn from(sender: u64, mut m: Message) -> Message {
    m.sender = sender;
    m
}

const EV: InputEvent = InputEvent { kind: abi::INPUT_POINTER, code: 0, value: 0, x: 300, y: 200 };

#[test]
fn kernel_input_round_trips_with_the_pointer_position() {
    let m = from(0, KernelToWm::encode(EV));
    assert_eq!(KernelToWm::decode(&m), Ok(KernelToWm::InputEvent { sender_pid: 0, mouse_x: 300, mouse_y: 200, event: EV }));
    assert_eq!(KernelToWm::decode(&from(7, KernelToWm::encode(EV))), Err(Malformed::Sender(7)));
    assert_eq!(KernelToWm::decode(&from(0, Message::new(MSG_INPUT, &[1, 2, 3]))), Err(Malformed::Payload));
}

#[test]
fn route_input_round_trips_and_no_action_sends_nothing() {
    let r = WmToKernel::RouteInput { app_pid: 42, event: EV };
    assert_eq!(WmToKernel::decode(&from(3, r.encode().unwrap())), Ok(r));
    assert_eq!(WmToKernel::NoAction.encode(), None);
    let mut short = r.encode().unwrap();
    short.len = 20;
    assert_eq!(WmToKernel::decode(&short), Err(Malformed::Payload));
    assert_eq!(WmToKernel::decode(&Message::new(99, &[0; 28])), Err(Malformed::Kind(99)));
}

#[test]
fn wm_to_app_messages_round_trip_only_from_the_wm() {
    let all = [
        WmToApp::Resize { width: 640, height: 480 },
        WmToApp::Focus { focused: true },
        WmToApp::Focus { focused: false },
        WmToApp::Redraw,
        WmToApp::Close,
    ];
    for msg in all {
        assert_eq!(WmToApp::decode(&from(5, msg.encode()), 5), Ok(msg));
        assert_eq!(WmToApp::decode(&from(6, msg.encode()), 5), Err(Malformed::Sender(6)));
    }
    let input = WmToApp::InputEvent { event: EV };
    assert_eq!(WmToApp::decode(&from(0, input.encode()), 5), Ok(input));
    assert_eq!(WmToApp::decode(&from(5, input.encode()), 5), Err(Malformed::Sender(5)), "forged input");
    let huge = WmToApp::Resize { width: 100_000, height: 10 };
    assert_eq!(WmToApp::decode(&from(5, huge.encode()), 5), Err(Malformed::Payload));
}

#[test]
fn create_window_round_trips_and_checks_its_sizes() {
    let c = AppToWm::create_window(b"Terminal", 640, 400, 17);
    let AppToWm::CreateWindow { title, title_len, .. } = c else { panic!() };
    assert_eq!(&title[..title_len as usize], b"Terminal");
    assert_eq!(AppToWm::decode(&from(9, c.encode())), Ok(c));
    for bad in [
        AppToWm::create_window(b"x", 0, 10, 1),
        AppToWm::create_window(b"x", 4096, 10, 1),
        AppToWm::create_window(b"x", 2048, 2048, 1), // 16 MiB: more than one shm object
    ] {
        assert_eq!(AppToWm::decode(&from(9, bad.encode())), Err(Malformed::Payload));
    }
    let mut long_title = c.encode();
    long_title.payload[64] = 65;
    assert_eq!(AppToWm::decode(&from(9, long_title)), Err(Malformed::Payload));
    let mut cut = c.encode();
    cut.len = 70;
    assert_eq!(AppToWm::decode(&from(9, cut)), Err(Malformed::Payload));
    assert_eq!(AppToWm::decode(&from(0, c.encode())), Err(Malformed::Sender(0)));
    let update = AppToWm::UpdateBuffer { damage: Damage { x: 1, y: 2, w: 300, h: u32::MAX } };
    assert_eq!(AppToWm::decode(&from(9, update.encode())), Ok(update));
    let mut cut = update.encode();
    cut.len = 12;
    assert_eq!(AppToWm::decode(&from(9, cut)), Err(Malformed::Payload));
    assert_eq!(AppToWm::decode(&from(9, AppToWm::Exit.encode())), Ok(AppToWm::Exit));
    assert_eq!(AppToWm::decode(&from(9, Message::new(0x999, &[]))), Err(Malformed::Kind(0x999)));
}

#[test]
fn set_title_round_trips_and_checks_its_length() {
    let t = AppToWm::set_title(b"Code - rost sample pages");
    let AppToWm::SetTitle { title, title_len } = t else { panic!() };
    assert_eq!(&title[..title_len as usize], b"Code - rost sample pages");
    assert_eq!(AppToWm::decode(&from(9, t.encode())), Ok(t));
    let AppToWm::SetTitle { title_len, .. } = AppToWm::set_title(&[b'x'; 100]) else { panic!() };
    assert_eq!(title_len as usize, TITLE, "cut to the field");
    let mut long = t.encode();
    long.payload[TITLE] = 65;
    assert_eq!(AppToWm::decode(&from(9, long)), Err(Malformed::Payload));
    let mut cut = t.encode();
    cut.len = TITLE as u32 + 2;
    assert_eq!(AppToWm::decode(&from(9, cut)), Err(Malformed::Payload));
    assert_eq!(AppToWm::decode(&from(0, t.encode())), Err(Malformed::Sender(0)));
}

#[test]
fn damage_is_clipped_to_the_window_and_empty_or_outside_is_nothing() {
    let d = |x, y, w, h| Damage { x, y, w, h };
    assert_eq!(d(10, 20, 30, 40).clip(100, 100), Some(d(10, 20, 30, 40)));
    assert_eq!(d(90, 95, 30, 40).clip(100, 100), Some(d(90, 95, 10, 5)));
    assert_eq!(d(0, 0, u32::MAX, u32::MAX).clip(640, 480), Some(d(0, 0, 640, 480)));
    assert_eq!(d(u32::MAX, u32::MAX, u32::MAX, u32::MAX).clip(640, 480), None, "no overflow");
    assert_eq!(d(100, 0, 5, 5).clip(100, 100), None, "wholly outside");
    assert_eq!(d(5, 5, 0, 10).clip(100, 100), None, "empty");
    assert_eq!(d(5, 5, 10, 10).clip(0, 0), None);
}
