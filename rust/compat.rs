// SPDX-License-Identifier: GPL-2.0

//! The kernel-version seam, Rust side: the one place where the code differs
//! between kernel lines. Each difference is a `cfg` named for the change,
//! which Kbuild sets from the kernel version (see "the kernel-version seam"
//! there; C code tests `LINUX_VERSION_CODE` in rust/helpers.c). Code
//! elsewhere calls the functions here and never tests a version itself.
//!
//! Differences handled without a `cfg`, the same code on every line:
//!
//! * module parameters are declared in C (rust/parameters.c): the Rust
//!   `module!` macro takes parameters only on recent lines;
//! * bindgen's output is read with the lint allowances the newest rustc
//!   needs and older ones ignore (rust/bindings.rs).

use core::ffi::{c_char, CStr};

/// `text` as the `const char *` kernel functions take.
///
/// `xt_tarpit_cstr_ext`: the kernel's `CStr` is `core::ffi::CStr` with the
/// `CStrExt` methods, and its clippy configuration bans `CStr::as_ptr` for
/// `as_char_ptr` (whose `c_char` is the kernel's, unsigned). Before that
/// change the kernel had a `CStr` of its own and literals are core's, so the
/// pointer is taken from the bytes.
#[cfg(xt_tarpit_cstr_ext)]
pub(crate) fn c_str_ptr(text: &CStr) -> *const c_char {
    use kernel::str::CStrExt;
    text.as_char_ptr().cast()
}

/// `text` as the `const char *` kernel functions take (see above).
#[cfg(not(xt_tarpit_cstr_ext))]
pub(crate) fn c_str_ptr(text: &CStr) -> *const c_char {
    text.to_bytes_with_nul().as_ptr().cast()
}
