// SPDX-License-Identifier: GPL-2.0

//! Host build of the packet core: generates its view of the rule ABI,
//! `xt_tarpit_abi.rs`, from include/uapi/linux/netfilter/xt_TARPIT.h with
//! bindgen, as the module's Kbuild does (same items, same options; see the
//! `xt_tarpit_abi.rs` rule there), and tells rustc where it is.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let header = manifest.join("../include/uapi/linux/netfilter/xt_TARPIT.h");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let bindgen = env::var_os("BINDGEN").unwrap_or_else(|| "bindgen".into());
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-env-changed=BINDGEN");
    let status = Command::new(&bindgen)
        .arg(&header)
        .args(["--use-core", "--ctypes-prefix", "core::ffi", "--no-prepend-enum-name"])
        .args(["--with-derive-default", "--no-layout-tests"])
        .args(["--allowlist-type", "xt_tarpit_.*", "--allowlist-var", "XTTARPIT_.*"])
        .arg("-o")
        .arg(out.join("xt_tarpit_abi.rs"))
        .status()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {}: {error}; install bindgen and libclang (Debian: apt install bindgen libclang1-14)",
                bindgen.to_string_lossy()
            )
        });
    assert!(status.success(), "bindgen failed on {}", header.display());
    println!("cargo:rustc-env=XT_TARPIT_GENERATED={}", out.display());
}
