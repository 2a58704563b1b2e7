//! The core crate names option, flag, event, errno and socket-type numbers
//! of its own (its Rust API takes them). Every one of them must be the
//! number zmq.h gives the same name, so the C API and the core can never
//! drift apart: zmq.h is the one table (tests/header.rs checks it against
//! this crate), and this test checks the core against zmq.h.

use std::collections::HashMap;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn number(text: &str) -> Option<i64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// zmq.h's `#define NAME value` lines whose value is a number, or
/// `(ZMQ_HAUSNUMERO + n)`.
fn header_numbers() -> HashMap<String, i64> {
    let header = read("../../include/zmq.h");
    let mut defines = HashMap::new();
    for line in header.lines() {
        let mut words = line.splitn(3, ' ');
        if words.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        defines.insert(name.to_string(), value.trim().to_string());
    }
    let base = number(&defines["ZMQ_HAUSNUMERO"]).unwrap();
    defines
        .iter()
        .filter_map(|(name, value)| {
            let value = match value.strip_prefix("(ZMQ_HAUSNUMERO + ") {
                Some(rest) => base + number(rest.trim_end_matches(')'))?,
                None => number(value)?,
            };
            Some((name.clone(), value))
        })
        .collect()
}

/// A core file's `pub const NAME: type = value;` items.
fn core_constants(file: &str) -> Vec<(String, i64)> {
    let source = read(&format!("../zmq-core/src/{file}"));
    let consts: Vec<_> = source
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(':')?;
            let value = rest.split_once('=')?.1.trim().trim_end_matches(';');
            Some((
                name.to_string(),
                number(value).unwrap_or_else(|| panic!("{file}: {line}")),
            ))
        })
        .collect();
    assert!(!consts.is_empty(), "{file} has no constants any more");
    consts
}

#[test]
fn every_core_number_is_the_one_zmq_h_gives() {
    let header = header_numbers();
    // (core file, the prefix zmq.h puts before its names)
    let tables = [
        ("socket/options.rs", "ZMQ_"),
        ("ctx.rs", "ZMQ_"),
        ("link/events.rs", "ZMQ_EVENT_"),
        ("socket/mod.rs", "ZMQ_"),
        ("poll.rs", "ZMQ_"),
        ("error.rs", ""),
    ];
    let mut checked = 0;
    for (file, prefix) in tables {
        for (name, value) in core_constants(file) {
            let c_name = format!("{prefix}{name}");
            assert_eq!(
                header.get(&c_name),
                Some(&value),
                "{file}: {name} against zmq.h's {c_name}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} constants found");
}

#[test]
fn every_socket_type_is_numbered_as_in_zmq_h() {
    let header = header_numbers();
    let source = read("../zmq-core/src/socket_type.rs");
    let body = source.split_once("pub enum SocketType {").unwrap().1;
    let body = body.split_once('}').unwrap().0;
    let mut seen = 0;
    for line in body.lines().map(str::trim) {
        let Some((variant, value)) = line.trim_end_matches(',').split_once(" = ") else {
            continue;
        };
        let c_name = format!("ZMQ_{}", variant.to_uppercase());
        assert_eq!(
            header.get(&c_name),
            number(value).as_ref(),
            "SocketType::{variant}"
        );
        seen += 1;
    }
    assert_eq!(seen, 12);
}
