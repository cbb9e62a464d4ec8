// SPDX-License-Identifier: GPL-2.0

//! Host build of xt_TARPIT's packet core (`rust/packet/`), the same source
//! files the kernel module compiles, for `cargo test` and `cargo fuzz`.

#![no_std]
#![forbid(unsafe_code)]

#[path = "packet/mod.rs"]
mod packet;

pub use packet::*;
