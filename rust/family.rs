// SPDX-License-Identifier: GPL-2.0

//! The address family of a packet or a rule, as the packet core names it
//! ([`Family`]) and as netfilter numbers it (`NFPROTO_*`): below both the
//! registration glue and the packet glue, which use it alike.

use crate::bindings;

pub(crate) use crate::packet::Family;

/// Both families, in the order the target's entries are registered.
pub(crate) const FAMILIES: [Family; 2] = [Family::Ipv4, Family::Ipv6];

/// Netfilter's number for `family` (`NFPROTO_IPV4`, `NFPROTO_IPV6`).
pub(crate) fn nfproto(family: Family) -> u8 {
    match family {
        Family::Ipv4 => bindings::NFPROTO_IPV4 as u8,
        Family::Ipv6 => bindings::NFPROTO_IPV6 as u8,
    }
}
