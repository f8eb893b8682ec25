//! wmtest: the display and input path as a window manager sees it, run as init on a machine
//! with a GPU (`rost.init=/BIN/WMTEST`): fb_info, fb_map, drawing, fb_flush of a
//! rectangle (and of one partly off screen), another process refused the framebuffer, then the
//! first input event taken with poll_event and routed to an application (peer `app`) through
//! the kernel (RouteInput), which the application reports. Exits 0 when all went as expected.
#![no_std]
#![no_main]

use librost::abi::{InputEvent, MSG_ROUTE_INPUT, Message};
use librost::{Line, fb_flush, fb_info, fb_map, poll_event, send_message, sleep_ms, spawn, wait};

librost::entry!(main);

fn main(_: &[&[u8]]) -> u64 {
    let Ok((w, h)) = fb_info() else { return 1 };
    Line::task().s(b"display ").dec(w as u64).s(b"x").dec(h as u64).send();
    let Ok(fb) = fb_map() else { return 1 };
    Line::task().s(b"fb_map at ").hex(fb).send();
    // SAFETY: fb_map mapped w * h pixels read-write at `fb`.
    let px = unsafe { core::slice::from_raw_parts_mut(fb as *mut u32, w as usize * h as usize) };
    for y in 10..60 {
        px[y * w as usize + 10..y * w as usize + 110].fill(0xff0000);
    }
    let flushed = fb_flush(10, 10, 100, 50).is_ok() && fb_flush(w - 10, h - 10, 100, 100).is_ok();
    Line::task().s(b"red rectangle flushed: ").s(if flushed { b"yes" } else { b"no" }).send();
    let thief = spawn(b"/BIN/PEER", &[b"fb-thief"]).unwrap_or(0);
    let refused = wait(thief) == Ok((thief, 0));
    Line::task().s(b"another process refused the framebuffer: ").s(if refused { b"yes" } else { b"no" }).send();
    let app = spawn(b"/BIN/PEER", &[b"app"]).unwrap_or(0);
    Line::task().s(b"ready for input").send();
    let ev = loop {
        if let Some(ev) = poll_event() {
            break ev;
        }
        sleep_ms(10);
    };
    Line::task().s(b"event kind ").dec(ev.kind as u64).s(b" code ").dec(ev.code as u64).s(b" value ").dec(ev.value as u64).send();
    // RouteInput: the kernel hands the event to the application as its own (sender 0).
    let mut route = [0u8; 8 + InputEvent::SIZE];
    route[..8].copy_from_slice(&app.to_le_bytes());
    route[8..].copy_from_slice(&ev.to_bytes());
    let routed = send_message(0, &Message::new(MSG_ROUTE_INPUT, &route)).is_ok();
    Line::task().s(b"routed to task ").dec(app).s(b": ").s(if routed { b"yes" } else { b"no" }).send();
    let ok = wait(app) == Ok((app, 0)) && flushed && refused && routed;
    Line::task().s(b"wmtest done").send();
    !ok as u64
}
