//! Functions of libzmq's API whose feature has not landed yet. Each is
//! exported with libzmq's signature so programs link and load, and fails
//! with ENOTSUP, as libzmq does for a feature left out of its build.

use std::ffi::{c_char, c_int};

use zmq_core::Error;

use crate::errno::{fail, guard};

/// CURVE key generation: ENOTSUP until CURVE lands (as libzmq without it).
#[no_mangle]
pub extern "C" fn zmq_curve_keypair(
    z85_public_key: *mut c_char,
    z85_secret_key: *mut c_char,
) -> c_int {
    let _ = (z85_public_key, z85_secret_key);
    guard(-1, || fail(Error::NotSupported))
}

/// CURVE public key derivation: ENOTSUP until CURVE lands.
#[no_mangle]
pub extern "C" fn zmq_curve_public(
    z85_public_key: *mut c_char,
    z85_secret_key: *const c_char,
) -> c_int {
    let _ = (z85_public_key, z85_secret_key);
    guard(-1, || fail(Error::NotSupported))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::errno;
    use std::ptr::{null, null_mut};

    #[test]
    fn each_fails_with_enotsup() {
        let results = [
            zmq_curve_keypair(null_mut(), null_mut()),
            zmq_curve_public(null_mut(), null()),
        ];
        assert!(results.iter().all(|&r| r == -1));
        assert_eq!(errno(), libc::ENOTSUP);
    }
}
