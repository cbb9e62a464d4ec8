#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Samples of a bench profile that landed on instructions crossing a 4 KiB page.

Under QEMU's TCG a translated block does not chain directly to code on
another page, and an instruction that straddles a page boundary starts a
block of its own that spans two pages: in the profiles such an instruction
collects a few percent of all samples by itself, where real hardware would
spend nothing noticeable on it. Which instructions straddle depends only on
where the linker placed the code, so this is layout luck, not work; this
script measures how much of a target's profile it is.

Usage: page-crossings.py TARGET KALLSYMS VMLINUX MODULE.ko < perf-script-output
  perf-script-output: `perf script -F ip,sym -G` of the whole-guest profile
  MODULE.ko: the target's module (the one named xt_TARPIT in KALLSYMS), or -

Prints one line:
  CROSSINGS target=T samples=N busy=N crossing=N module=N where=sym+off:n,...
where *crossing* counts busy samples on instructions that cross a page
boundary, *module* those of them in the target's module, and *where* lists
them, most samples first.
"""

import collections
import re
import subprocess
import sys

PAGE = 4096
IDLE = {"default_idle", "acpi_idle_do_entry", "mwait_idle", "poll_idle", "pv_native_safe_halt"}


def kallsyms(path):
    """Symbol name -> address, module symbols kept apart."""
    kernel, module = {}, {}
    for line in open(path):
        fields = line.split()
        if len(fields) < 3 or fields[1].lower() != "t":
            continue
        address = int(fields[0], 16)
        if address == 0:
            continue
        (module if len(fields) > 3 and fields[3] == "[xt_TARPIT]" else kernel)[fields[2]] = address
    return kernel, module


def text_symbols(elf):
    """Name -> value of the function symbols of an ELF file's .text."""
    symbols = {}
    out = subprocess.run(["nm", "--defined-only", elf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tT":
            symbols[fields[2]] = int(fields[0], 16)
    return symbols


def instruction_length(elf, address, section=None):
    """Length of the instruction at `address` of `elf` (a .text offset for
    a relocatable module), or None when objdump finds none there."""
    command = ["objdump", "-d", "--no-show-raw-insn", f"--start-address={address:#x}",
               f"--stop-address={address + 32:#x}"]
    if section:
        command += ["-j", section]
    out = subprocess.run(command + [elf], capture_output=True, text=True).stdout
    starts = [int(match.group(1), 16) for match in re.finditer(r"^\s*([0-9a-f]+):", out, re.M)]
    if len(starts) < 2 or starts[0] != address:
        return None
    return starts[1] - starts[0]


def slide(live, static):
    """The offset from `static` to `live` addresses, from a symbol both
    know (the most common difference, in case one symbol is renamed)."""
    differences = collections.Counter(live[name] - static[name] for name in live if name in static)
    return differences.most_common(1)[0][0] if differences else None


def short(symbol):
    """A Rust v0-mangled name as its last two path segments (a::b)."""
    if not symbol.startswith("_R"):
        return symbol
    segments, index = [], 2
    while index < len(symbol):
        match = re.match(r"(\d+)_?", symbol[index:])
        if not match:
            index += 1
            continue
        length = int(match.group(1))
        start = index + match.end()
        segments.append(symbol[start:start + length])
        index = start + length
    names = [segment for segment in segments if segment and not segment[0].isdigit()]
    return "::".join(names[-2:]) or symbol


def main():
    target, kallsyms_path, vmlinux, module = sys.argv[1:5]
    kernel_live, module_live = kallsyms(kallsyms_path)
    kernel_slide = slide(kernel_live, text_symbols(vmlinux))
    module_slide = slide(module_live, text_symbols(module)) if module != "-" else None
    module_addresses = set(module_live.values())
    module_low = min(module_addresses) if module_addresses else 0
    module_high = max(module_addresses) if module_addresses else 0

    counts = collections.Counter()
    names = {}
    total = busy = 0
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        total += 1
        symbol = fields[1] if len(fields) > 1 else "[unknown]"
        if symbol in IDLE:
            continue
        busy += 1
        try:
            address = int(fields[0], 16)
        except ValueError:
            continue
        counts[address] += 1
        names[address] = symbol

    crossing = in_module = 0
    where = []
    for address, samples in counts.most_common():
        offset = address % PAGE
        if offset < PAGE - 15:
            continue  # no x86 instruction is longer than 15 bytes
        mine = module_slide is not None and module_low <= address <= module_high + PAGE
        if mine:
            length = instruction_length(module, address - module_slide, ".text")
        elif kernel_slide is not None:
            length = instruction_length(vmlinux, address - kernel_slide)
        else:
            length = None
        if length is None or offset + length <= PAGE:
            continue
        crossing += samples
        in_module += samples if mine else 0
        where.append(f"{short(names[address])}+{offset:#x}:{samples}")
    print(f"CROSSINGS target={target} samples={total} busy={busy} crossing={crossing} "
          f"module={in_module} where={','.join(where) or '-'}")


if __name__ == "__main__":
    main()
