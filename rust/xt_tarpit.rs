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
//! * [`netfilter`], [`skb`], [`pernet`] and [`settings`]: the only layer
//!   with `unsafe`, wrapping the kernel API generated into [`bindings`]
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
mod counters;
mod netfilter;
#[path = "packet/mod.rs"]
pub mod packet;
mod pernet;
mod settings;
mod skb;
mod target;

/// The loaded module: owns the per-namespace state (counters and
/// `/proc/net/xt_TARPIT`) and the target registration for IPv4 and IPv6.
struct TarpitModule {
    registration: Option<netfilter::Registration>,
    registration_v1: Option<netfilter::Registration>,
    _pernet: pernet::Registration,
}

impl kernel::Module for TarpitModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        // Counters first: a packet may reach the target as soon as it is
        // registered. On error, what was registered is dropped (undone).
        settings::init_keys();
        let pernet = pernet::Registration::register()?;
        let registration =
            netfilter::Registration::register::<target::Tarpit>(module, target::TARPIT)?;
        let registration_v1 =
            netfilter::Registration::register::<target::TarpitV1>(module, target::TARPIT_V1)?;
        pr_info!(
            "registered the TARPIT target for IPv4 and IPv6; counters in /proc/net/xt_TARPIT\n"
        );
        Ok(TarpitModule {
            registration: Some(registration),
            registration_v1: Some(registration_v1),
            _pernet: pernet,
        })
    }
}

impl Drop for TarpitModule {
    fn drop(&mut self) {
        // The target goes first, so no packet can reach freed counters.
        drop(self.registration_v1.take());
        drop(self.registration.take());
    }
}
