//! include/zmq.h is generated from this crate by cbindgen. This test fails
//! when the committed header is stale; `UPDATE_ZMQ_H=1` rewrites it:
//!
//!     UPDATE_ZMQ_H=1 cargo test -p zmq-capi --test header

use std::path::{Path, PathBuf};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn committed_header() -> PathBuf {
    crate_dir().join("../../include/zmq.h")
}

fn generate() -> String {
    let config = cbindgen::Config::from_file(crate_dir().join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir())
        .with_config(config)
        .generate()
        .expect("cbindgen runs over zmq-capi");
    let mut out = Vec::new();
    bindings.write(&mut out);
    let text = String::from_utf8(out).expect("cbindgen writes UTF-8");
    c89_comments(&text)
}

/// cbindgen labels its C++ guards with `//` comments, some after `#endif`:
/// C89 has neither, and `gcc -std=c89 -Wpedantic -Werror` refuses them.
fn c89_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.split_once("//") {
            Some((code, _)) if code.trim_start().starts_with('#') || code.trim() == "}" => {
                code.trim_end()
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn committed_zmq_h_matches_the_rust_sources() {
    let fresh = generate();
    let path = committed_header();
    if std::env::var_os("UPDATE_ZMQ_H").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("include/zmq.h is writable");
        eprintln!("rewrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/zmq.h is stale (first difference at line {}).\n\
             Regenerate it with:\n    UPDATE_ZMQ_H=1 cargo test -p zmq-capi --test header\n\
             committed: {:?}\ngenerated: {:?}",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            fresh.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}
