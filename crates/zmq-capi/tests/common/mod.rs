//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository's include/ directory (zmq.h, zmq_utils.h).
pub fn include_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../include")
}

/// The built shared library, target/<profile>/libzmq.so: cargo builds the
/// cdylib alongside the rlib these tests link, one level above deps/.
pub fn cdylib() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in target/<profile>/deps");
    let lib = profile_dir.join("libzmq.so");
    assert!(
        lib.exists(),
        "{} is missing: build the crate's cdylib (cargo build -p zmq-capi)",
        lib.display()
    );
    lib
}

/// A fresh scratch directory under the system temp dir.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zmq-capi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Reports a check that cannot run on this machine. On CI (where `.ci/run`
/// installs every prerequisite) a skip means a broken set-up: fail.
pub fn skip(what: &str, reason: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} cannot run on CI: {reason}"
    );
    eprintln!("SKIPPED {what}: {reason}");
}
