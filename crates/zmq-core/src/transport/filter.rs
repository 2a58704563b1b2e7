//! Accept filters (ZMQ_TCP_ACCEPT_FILTER, ZMQ_IPC_FILTER_UID/GID/PID): a
//! listener closes at once a connection whose peer no filter admits, as
//! libzmq does. With no filter of a kind, everyone is admitted.

use crate::error::{Error, Result};
use std::ffi::CStr;
use std::net::IpAddr;

/// The filters a listener applies, as set on its socket before the bind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptFilters {
    /// Peer addresses a tcp connection may come from.
    pub tcp: Vec<IpMask>,
    /// An ipc peer is admitted if its user, one of its groups (primary or
    /// supplementary) or its process is listed.
    pub uids: Vec<u32>,
    pub gids: Vec<u32>,
    pub pids: Vec<i32>,
}

/// An address and how many leading bits of it must match (`10.0.0.0/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpMask {
    addr: IpAddr,
    bits: u8,
}

impl IpMask {
    /// Parses `address[/bits]`; an IPv6 address only with ZMQ_IPV6.
    pub fn parse(text: &str, ipv6: bool) -> Result<IpMask> {
        let (addr, bits) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| Error::Invalid)?;
        if addr.is_ipv6() && !ipv6 {
            return Err(Error::Invalid);
        }
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) => b
                .parse::<u8>()
                .ok()
                .filter(|&b| b <= max)
                .ok_or(Error::Invalid)?,
            Some(_) => return Err(Error::Invalid),
        };
        Ok(IpMask { addr, bits })
    }

    /// Whether `peer` lies in the masked range (families must agree; an
    /// IPv4 peer seen on a dual-stack listener counts as IPv4).
    pub fn matches(&self, peer: IpAddr) -> bool {
        match (self.addr, peer.to_canonical()) {
            (IpAddr::V4(a), IpAddr::V4(p)) => same_prefix(&a.octets(), &p.octets(), self.bits),
            (IpAddr::V6(a), IpAddr::V6(p)) => same_prefix(&a.octets(), &p.octets(), self.bits),
            _ => false,
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

impl AcceptFilters {
    pub fn admits_tcp(&self, peer: impl FnOnce() -> Option<IpAddr>) -> bool {
        self.tcp.is_empty() || peer().is_some_and(|p| self.tcp.iter().any(|m| m.matches(p)))
    }

    /// Judges an ipc peer by the credentials the kernel gives for it
    /// (SO_PEERCRED; None if it gave none).
    pub fn admits_ipc(&self, cred: impl FnOnce() -> Option<libc::ucred>) -> bool {
        if self.uids.is_empty() && self.gids.is_empty() && self.pids.is_empty() {
            return true;
        }
        let Some(cred) = cred() else {
            return false;
        };
        self.uids.contains(&cred.uid)
            || self.gids.contains(&cred.gid)
            || self.pids.contains(&cred.pid)
            || self.gids.iter().any(|&g| is_member(cred.uid, g))
    }
}

/// Whether the user `uid` is listed as a (supplementary) member of `gid`.
fn is_member(uid: u32, gid: u32) -> bool {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let Some(name) = user_name(uid, &mut buf) else {
        return false;
    };
    let mut group_buf = vec![0 as libc::c_char; 64 * 1024];
    // SAFETY: zeroed `group` is a valid out-parameter; getgrgid_r fills it
    // with pointers into `group_buf`, which outlives their use below.
    unsafe {
        let mut group: libc::group = std::mem::zeroed();
        let mut found: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrgid_r(
            gid,
            &mut group,
            group_buf.as_mut_ptr(),
            group_buf.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() || group.gr_mem.is_null() {
            return false;
        }
        let mut member = group.gr_mem;
        while !(*member).is_null() {
            if CStr::from_ptr(*member).to_bytes() == name.as_slice() {
                return true;
            }
            member = member.add(1);
        }
    }
    false
}

fn user_name(uid: u32, buf: &mut [libc::c_char]) -> Option<Vec<u8>> {
    // SAFETY: zeroed `pw` is a valid out-parameter; getpwuid_r fills it
    // with pointers into `buf`, read before `buf` goes.
    unsafe {
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found);
        if rc != 0 || found.is_null() || pw.pw_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr(pw.pw_name).to_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_parse_as_libzmq() {
        for bad in [
            "foo",
            "0.0.0.0foo",
            "0.0.0.0/foo",
            "0.0.0.0/",
            "0.0.0.0/-1",
            "0.0.0.0/33",
        ] {
            assert_eq!(IpMask::parse(bad, false), Err(Error::Invalid), "{bad}");
        }
        assert_eq!(IpMask::parse("::1", false), Err(Error::Invalid));
        assert!(IpMask::parse("::1/128", true).is_ok());
        let m = IpMask::parse("10.1.0.0/16", false).unwrap();
        assert!(m.matches("10.1.200.3".parse().unwrap()));
        assert!(!m.matches("10.2.0.1".parse().unwrap()));
        assert!(m.matches("::ffff:10.1.0.9".parse().unwrap()), "mapped IPv4");
        let m = IpMask::parse("127.0.0.1", false).unwrap();
        assert!(m.matches("127.0.0.1".parse().unwrap()));
        assert!(!m.matches("127.0.0.2".parse().unwrap()));
        let m = IpMask::parse("192.168.0.0/17", false).unwrap();
        assert!(m.matches("192.168.127.1".parse().unwrap()));
        assert!(!m.matches("192.168.128.1".parse().unwrap()));
    }
}
