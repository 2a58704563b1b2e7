//! Gives the shared library libzmq's SONAME so binaries linked against
//! Debian's libzmq.so.5 load ours unchanged.
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzmq.so.5");
}
