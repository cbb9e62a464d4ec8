// SPDX-License-Identifier: GPL-2.0

//! xt_TARPIT: the netfilter `TARPIT` target, in Rust.
//!
//! Answers TCP connection attempts so that the peer's socket stays open for
//! a long time while this host keeps no state per connection. The crate is
//! split in three layers:
//!
//! * [`packet`]: the pure packet core (no kernel types, no `unsafe`), also
//!   built on the host for `cargo test` and fuzzing;
//! * [`target`]: the target's behaviour in safe Rust, on top of the glue;
//! * [`netfilter`], [`skb`], [`pernet`], [`settings`] and [`family`]: the
//!   only layer with `unsafe`, with [`compat`], the one place where kernel
//!   lines differ, wrapping the kernel API generated into [`bindings`]
//!   and the wrappers in `helpers.c` and `parameters.c`.

use kernel::prelude::*;

module! {
    type: TarpitModule,
    name: "xt_TARPIT",
    description: "Xtables: TCP tarpit, holds connections open at no cost per connection",
    license: "GPL",
    alias: ["ipt_TARPIT", "ip6t_TARPIT"],
}

mod bindings;
mod compat;
mod counters;
mod family;
mod netfilter;
#[path = "packet/mod.rs"]
pub mod packet;
mod pernet;
mod settings;
mod skb;
mod target;

/// The loaded module: owns the per-namespace state (counters and
/// `/proc/net/xt_TARPIT`) and the target registration (both revisions, IPv4
/// and IPv6). Fields drop in declaration order: the target goes first, so
/// no packet can reach freed per-namespace state.
struct TarpitModule {
    _target: netfilter::Registration<{ target::ENTRIES }>,
    _pernet: pernet::Registration,
}

impl kernel::Module for TarpitModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let keys = settings::draw_keys().ok_or(EBUSY)?;
        // Counters before the target: a packet may reach the target as soon
        // as it is registered. On error, what was registered is dropped
        // (undone).
        let pernet = pernet::Registration::register()?;
        let target = target::register(module, &keys)?;
        pr_info!(
            "registered the TARPIT target for IPv4 and IPv6; counters in /proc/net/xt_TARPIT\n"
        );
        Ok(TarpitModule {
            _target: target,
            _pernet: pernet,
        })
    }
}
