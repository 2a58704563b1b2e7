//! Debian's cppzmq headers (zmq.hpp, zmq_addon.hpp) build against our
//! include/zmq.h with -Wall -Wextra -Werror as C++11 and C++17, a plain C
//! program builds as C89 and C99 with -pedantic, and the C++ program runs against
//! our libzmq.so.5.
//!
//! Skipped, with the reason printed, only where g++ or cppzmq is absent.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

fn tool_works(cmd: &str, args: &[&str], stdin: &str) -> bool {
    let child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    use std::io::Write;
    let _ = child
        .stdin
        .take()
        .map(|mut s| s.write_all(stdin.as_bytes()));
    child.wait().is_ok_and(|s| s.success())
}

/// Why the C++ checks cannot run here, if they cannot.
fn missing_toolchain() -> Option<&'static str> {
    if !tool_works("g++", &["--version"], "") {
        return Some("g++ is not installed");
    }
    if !tool_works("g++", &["-E", "-x", "c++", "-"], "#include <zmq.hpp>\n") {
        return Some("cppzmq (zmq.hpp) is not installed");
    }
    None
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("compiler runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory holding libzmq.so.5 -> our cdylib, for -L and the loader
/// (an executable linked with -lzmq asks for the SONAME, libzmq.so.5).
fn lib_dir(name: &str) -> std::path::PathBuf {
    let dir = common::scratch_dir(name);
    for link in ["libzmq.so", "libzmq.so.5"] {
        std::os::unix::fs::symlink(common::cdylib(), dir.join(link)).expect("symlink");
    }
    dir
}

fn source(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cpp")
        .join(name)
}

#[test]
fn cppzmq_builds_with_werror_and_runs_against_our_library() {
    if let Some(reason) = missing_toolchain() {
        common::skip("cppzmq check", reason);
        return;
    }
    let include = common::include_dir();
    let libs = lib_dir("cppzmq");
    for std in ["c++11", "c++17"] {
        let exe = libs.join(format!("cppzmq_smoke_{std}"));
        run(Command::new("g++")
            .arg(format!("-std={std}"))
            .args(["-Wall", "-Wextra", "-Werror", "-I"])
            .arg(&include)
            .arg(source("cppzmq_smoke.cpp"))
            .arg("-L")
            .arg(&libs)
            .arg("-lzmq")
            .arg("-o")
            .arg(&exe));
        let out = Command::new(&exe)
            .env("LD_LIBRARY_PATH", &libs)
            .output()
            .expect("smoke program runs");
        assert!(
            out.status.success(),
            "{std} smoke program failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&libs);
}

#[test]
fn zmq_h_builds_as_pedantic_c89_and_c99() {
    if !tool_works("gcc", &["--version"], "") {
        common::skip("C check", "gcc is not installed");
        return;
    }
    let dir = common::scratch_dir("c99");
    let src = dir.join("c99.c");
    std::fs::write(
        &src,
        "#include <zmq.h>\n#include <zmq_utils.h>\n\
         static void release(void *data, void *hint) { (void) data; (void) hint; }\n\
         int main(void) {\n\
         zmq_msg_t m; zmq_free_fn *ffn = release; zmq_pollitem_t item = {0, 0, ZMQ_POLLIN, 0};\n\
         (void) item;\n\
         if (zmq_msg_init_data(&m, \"abc\", 3, ffn, NULL) != 0) return 1;\n\
         return zmq_msg_close(&m);\n}\n",
    )
    .expect("write C source");
    for std in ["-std=c89", "-std=c99"] {
        run(Command::new("gcc")
            .args([
                std,
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
                "-I",
            ])
            .arg(common::include_dir())
            .arg(&src));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
