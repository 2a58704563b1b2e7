//! ZMTP 3.x, sans-IO: bytes in, events and bytes out.
