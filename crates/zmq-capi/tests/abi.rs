//! ABI check: bindgen reads our include/zmq.h and the system's libzmq 4.3
//! zmq.h (Debian's libzmq3-dev), and this test compares what it sees:
//! constants and their values, function signatures, and the size and
//! alignment of zmq_msg_t and zmq_pollitem_t. It also checks our header
//! against `zmq::constants::ALL` and the Rust types' layouts.
//!
//! The comparison with libzmq is skipped, with the reason printed, only
//! where libzmq's header is not installed (and never on CI).

mod common;

use std::collections::{BTreeMap, BTreeSet};

/// Functions of libzmq's stable API that we do not export yet. Shrink it.
const KNOWN_MISSING_FUNCTIONS: &[&str] = &[];

/// Constants whose value differs from libzmq's on purpose.
const DIFFERENT_ON_PURPOSE: &[&str] = &[
    // We implement 4.3.5; Debian's header may be an older 4.3.x.
    "ZMQ_VERSION_PATCH",
];

/// Draft constants of libzmq's header that ours lacks (string constants
/// are not compared; these are listed for the record).
const KNOWN_MISSING_DRAFT_STRINGS: &[&str] = &[
    "ZMQ_MSG_PROPERTY_ROUTING_ID",
    "ZMQ_MSG_PROPERTY_SOCKET_TYPE",
    "ZMQ_MSG_PROPERTY_USER_ID",
    "ZMQ_MSG_PROPERTY_PEER_ADDRESS",
];

/// What bindgen saw in one header.
#[derive(Debug, Default)]
struct Api {
    /// Integer constants by name.
    constants: BTreeMap<String, i64>,
    /// Function signatures by name, normalised (no parameter names, no
    /// whitespace, callback typedefs expanded).
    functions: BTreeMap<String, String>,
    /// (size, align) of zmq_msg_t and zmq_pollitem_t.
    layouts: BTreeMap<String, (usize, usize)>,
}

/// Runs bindgen over `#include <zmq.h>`, searching `include` first (our
/// header) or only the system paths (libzmq's). Err if the header is absent.
fn read_header(include: Option<&std::path::Path>, draft: bool) -> Result<Api, String> {
    let mut builder = bindgen::Builder::default()
        .header_contents("abi_probe.h", "#include <zmq.h>\n")
        .allowlist_function("zmq_.*")
        .allowlist_type("zmq_.*")
        .allowlist_var("(ZMQ|E)[A-Z0-9_]*")
        .generate_comments(false)
        .layout_tests(true)
        .derive_debug(false);
    if let Some(dir) = include {
        builder = builder.clang_arg(format!("-I{}", dir.display()));
    }
    if draft {
        builder = builder.clang_arg("-DZMQ_BUILD_DRAFT_API");
    }
    let text = builder.generate().map_err(|e| e.to_string())?.to_string();
    Ok(parse(&text))
}

fn parse(text: &str) -> Api {
    let mut api = Api::default();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");

    // pub const NAME: TYPE = VALUE;
    for item in flat.split("pub const ").skip(1) {
        let Some((name, rest)) = item.split_once(':') else {
            continue;
        };
        let Some(value) = rest.split_once('=').map(|(_, v)| v) else {
            continue;
        };
        let value = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .replace('_', "");
        if let Ok(v) = value.parse::<i64>() {
            api.constants.insert(name.trim().to_string(), v);
        }
    }

    // pub type NAME = TYPE;  (for expanding callback typedefs)
    let mut aliases = BTreeMap::new();
    for item in flat.split("pub type ").skip(1) {
        if let Some((name, rest)) = item.split_once(" = ") {
            let ty = rest.split(';').next().unwrap_or("");
            if name.starts_with("zmq_") {
                aliases.insert(name.trim().to_string(), ty.to_string());
            }
        }
    }

    // pub fn NAME(ARGS) -> RET;
    for item in flat.split("pub fn ").skip(1) {
        let Some((name, rest)) = item.split_once('(') else {
            continue;
        };
        let sig = format!("({}", rest.split(';').next().unwrap_or(""));
        let mut sig = sig;
        for _ in 0..4 {
            for (alias, ty) in &aliases {
                sig = replace_word(&sig, alias, ty);
            }
        }
        api.functions
            .insert(name.trim().to_string(), normalise(&sig));
    }

    // ["Size of NAME"][::std::mem::size_of::<NAME>() - 64usize];
    for kind in ["Size", "Alignment"] {
        for item in flat.split(&format!("[\"{kind} of ")).skip(1) {
            let Some((name, rest)) = item.split_once('"') else {
                continue;
            };
            let Some(n) = rest.split(" - ").nth(1) else {
                continue;
            };
            let n: usize = n
                .split("usize")
                .next()
                .unwrap_or("")
                .trim()
                .parse()
                .unwrap_or(0);
            let entry = api.layouts.entry(name.to_string()).or_default();
            if kind == "Size" {
                entry.0 = n;
            } else {
                entry.1 = n;
            }
        }
    }
    api
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Replaces whole-word occurrences of `word` in `text`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Drops parameter names (`name:` not part of `::`) and all whitespace.
fn normalise(sig: &str) -> String {
    let s: String = sig.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_param = i == 0 || matches!(chars[i - 1], '(' | ',');
        if starts_param && is_ident(chars[i]) {
            let mut j = i;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            // `name:Type` or `name:::path::Type` (whitespace is gone), but
            // not `path::Type`.
            let colons = chars[j..].iter().take_while(|&&c| c == ':').count();
            if colons == 1 || colons == 3 {
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    // Trailing commas and the unit return type carry no meaning.
    out.replace(",)", ")").replace("->()", "")
}

fn ours(draft: bool) -> Api {
    read_header(Some(&common::include_dir()), draft).expect("bindgen reads include/zmq.h")
}

fn libzmq(draft: bool) -> Option<Api> {
    match read_header(None, draft) {
        Ok(api) if !api.functions.is_empty() => Some(api),
        Ok(_) | Err(_) => {
            common::skip(
                "libzmq comparison",
                "the system zmq.h (libzmq3-dev) is not installed",
            );
            None
        }
    }
}

#[test]
fn every_libzmq_constant_is_ours_with_the_same_value() {
    let Some(theirs) = libzmq(false) else { return };
    let ours = ours(false);
    assert!(
        theirs.constants.len() > 200,
        "bindgen saw too few libzmq constants"
    );
    eprintln!("compared {} libzmq constants", theirs.constants.len());
    let mut problems = Vec::new();
    for (name, value) in &theirs.constants {
        match ours.constants.get(name) {
            None => problems.push(format!("{name} is missing")),
            Some(v) if v != value && !DIFFERENT_ON_PURPOSE.contains(&name.as_str()) => {
                problems.push(format!("{name} is {v}, libzmq has {value}"))
            }
            Some(_) => {}
        }
    }
    for name in ours.constants.keys() {
        if !theirs.constants.contains_key(name) {
            problems.push(format!(
                "{name} is ours only (draft items need #[cfg(zmq_draft)])"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "constants differ from libzmq's:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_libzmq_draft_constant_is_ours_with_the_same_value() {
    let Some(theirs) = libzmq(true) else { return };
    let ours = ours(true);
    let mut problems = Vec::new();
    for (name, value) in &theirs.constants {
        match ours.constants.get(name) {
            None => problems.push(format!("{name} is missing")),
            Some(v) if v != value && !DIFFERENT_ON_PURPOSE.contains(&name.as_str()) => {
                problems.push(format!("{name} is {v}, libzmq has {value}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "draft constants differ:\n{}",
        problems.join("\n")
    );
    eprintln!("not compared (string constants): {KNOWN_MISSING_DRAFT_STRINGS:?}");
}

#[test]
fn every_libzmq_function_is_declared_with_the_same_signature() {
    let Some(theirs) = libzmq(false) else { return };
    let ours = ours(false);
    assert!(
        theirs.functions.len() > 60,
        "bindgen saw too few libzmq functions"
    );
    eprintln!(
        "compared {} libzmq functions with our {}",
        theirs.functions.len(),
        ours.functions.len()
    );
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    for (name, sig) in &theirs.functions {
        match ours.functions.get(name) {
            None => missing.push(name.as_str()),
            Some(s) if s != sig => problems.push(format!("{name}: ours {s}\n    libzmq {sig}")),
            Some(_) => {}
        }
    }
    for name in ours.functions.keys() {
        if !theirs.functions.contains_key(name) {
            problems.push(format!("{name} is not in libzmq's stable API"));
        }
    }
    for name in &missing {
        if !KNOWN_MISSING_FUNCTIONS.contains(name) {
            problems.push(format!(
                "{name} is missing (add it, or to KNOWN_MISSING_FUNCTIONS)"
            ));
        }
    }
    for name in KNOWN_MISSING_FUNCTIONS {
        if !missing.contains(name) {
            problems.push(format!(
                "{name} exists now: remove it from KNOWN_MISSING_FUNCTIONS"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "functions differ from libzmq's:\n{}",
        problems.join("\n")
    );
}

#[test]
fn struct_layouts_match_libzmq_and_rust() {
    let ours = ours(false);
    let rust = [
        (
            "zmq_msg_t",
            (
                std::mem::size_of::<zmq::message::zmq_msg_t>(),
                std::mem::align_of::<zmq::message::zmq_msg_t>(),
            ),
        ),
        (
            "zmq_pollitem_t",
            (
                std::mem::size_of::<zmq::poll::zmq_pollitem_t>(),
                std::mem::align_of::<zmq::poll::zmq_pollitem_t>(),
            ),
        ),
    ];
    for (name, layout) in rust {
        assert_eq!(
            ours.layouts.get(name),
            Some(&layout),
            "{name}: zmq.h vs Rust"
        );
    }
    assert_eq!(ours.layouts["zmq_msg_t"], (64, 8));
    let Some(theirs) = libzmq(false) else { return };
    for name in ["zmq_msg_t", "zmq_pollitem_t"] {
        assert_eq!(
            ours.layouts.get(name),
            theirs.layouts.get(name),
            "{name}: ours vs libzmq"
        );
    }
}

#[test]
fn header_constants_are_the_rust_constants() {
    let header = ours(true);
    let rust: BTreeMap<String, i64> = zmq::constants::ALL
        .iter()
        .map(|&(n, v)| (n.to_string(), v))
        .collect();
    let from_header: BTreeMap<String, i64> = header
        .constants
        .into_iter()
        .filter(|(n, _)| n.starts_with("ZMQ_") || rust.contains_key(n))
        .collect();
    assert_eq!(
        from_header, rust,
        "zmq.h (with ZMQ_BUILD_DRAFT_API) vs constants::ALL"
    );

    let stable: BTreeSet<String> = ours(false)
        .constants
        .into_keys()
        .filter(|n| rust.contains_key(n))
        .collect();
    for (name, _) in zmq::constants::ALL {
        let is_draft = zmq::constants::DRAFT.contains(name);
        assert_eq!(
            stable.contains(*name),
            !is_draft,
            "{name}: draft items are defined only under ZMQ_BUILD_DRAFT_API"
        );
    }
}
