// SPDX-License-Identifier: GPL-2.0

//! The pure packet core of xt_TARPIT: no kernel types, no `unsafe`, no
//! allocation. Built into the module and, through `rust/host.rs`, as a host
//! crate for `cargo test` and fuzzing.

mod mode;

pub use mode::{Mode, TARGET_DATA_SIZE};
