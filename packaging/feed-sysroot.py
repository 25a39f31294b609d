#!/usr/bin/env python3
"""A QEMU_LD_PREFIX root for running the feed-profile (dynamically linked
musl) binaries under qemu-user, from Debian's multiarch musl packages
(`dpkg --add-architecture mipsel arm64; apt-get install musl:mipsel
musl:arm64`): musl's libc.so is also its dynamic loader, so the root needs
it under the loader name the binary asks for (PT_INTERP) and as libc.so.

  feed-sysroot.py TARGET BINARY OUTDIR

mipsel: OpenWrt's mipsel is soft-float (loader ld-musl-mipsel-sf.so.1) and
Debian's musl is hard-float (FP ABI "xx"), and qemu refuses to pair a
soft-float program with a hard-float loader. The two differ only in how
floating-point values are passed, so the root gets a copy of Debian's
libc.so whose .MIPS.abiflags says soft-float, and only for a binary that
imports no libc function taking or returning a float (checked here: the
-nojs build, for one, imports none).
"""

import re
import shutil
import struct
import sys
from pathlib import Path

DEBIAN_LIBC = {
    "aarch64-unknown-linux-musl": Path("/lib/aarch64-linux-musl/libc.so"),
    "mipsel-unknown-linux-musl": Path("/lib/mipsel-linux-musl/libc.so"),
}
# libc/libm functions with float or double parameters or results. The
# printf family is variadic and could take a double, but what calls it here
# (libunwind's and std's messages) formats only integers and strings.
FLOAT_FUNCS = re.compile(
    r"^(a?(sin|cos|tan)h?f?|atan2f?|exp(2|m1)?f?|log(10|2|1p)?f?|powf?|sqrtf?|cbrtf?|hypotf?|"
    r"floorf?|ceilf?|l?l?roundf?|truncf?|rintf?|nearbyintf?|fmodf?|remainderf?|frexpf?|ldexpf?|"
    r"scalbnf?|modff?|fabsf?|fmaf?|fmaxf?|fminf?|strto(d|f|ld)|atof|difftime|v?[sf]?scanf)$")


def elf_sections(data: bytes):
    """(name, offset, size) of each section of a little-endian ELF32 file."""
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    headers = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = headers[shstrndx][4]
    for h in headers:
        name = data[strtab_off + h[0]:data.index(b"\0", strtab_off + h[0])].decode()
        yield name, h[4], h[5]


def undefined_symbols(data: bytes) -> set[str]:
    sections = {n: (o, s) for n, o, s in elf_sections(data)}
    symoff, symsize = sections[".dynsym"]
    stroff, _ = sections[".dynstr"]
    names = set()
    for i in range(symsize // 16):
        st_name, _value, _size, _info, _other, shndx = struct.unpack_from("<IIIBBH", data, symoff + 16 * i)
        if shndx == 0 and st_name:
            names.add(data[stroff + st_name:data.index(b"\0", stroff + st_name)].decode())
    return names


def interpreter(data: bytes) -> str:
    ei_class = data[4]
    if ei_class == 1:
        phoff, = struct.unpack_from("<I", data, 28)
        phentsize, phnum = struct.unpack_from("<HH", data, 42)
        fmt, off_i = "<IIIIIIII", (1, 4)
    else:
        phoff, = struct.unpack_from("<Q", data, 32)
        phentsize, phnum = struct.unpack_from("<HH", data, 54)
        fmt, off_i = "<IIQQQQQQ", (2, 5)
    for i in range(phnum):
        ph = struct.unpack_from(fmt, data, phoff + i * phentsize)
        if ph[0] == 3:  # PT_INTERP
            return data[ph[off_i[0]]:ph[off_i[0]] + ph[off_i[1]]].rstrip(b"\0").decode()
    sys.exit("feed-sysroot: the binary has no PT_INTERP: it is not dynamically linked")


def main(target: str, binary: Path, outdir: Path) -> int:
    data = binary.read_bytes()
    interp = interpreter(data)
    libc = DEBIAN_LIBC.get(target)
    if libc is None or not libc.exists():
        sys.exit(f"feed-sysroot: no Debian musl for {target} ({libc}): apt-get install musl:<arch>")
    lib = outdir / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    loader = bytearray(libc.read_bytes())
    if target.startswith("mipsel-") and interp.endswith("-sf.so.1"):
        floats = sorted(n for n in undefined_symbols(data) if FLOAT_FUNCS.match(n))
        if floats:
            sys.exit(f"feed-sysroot: {binary} calls libc with floats ({', '.join(floats)}): "
                     "a hard-float libc would get them wrong")
        (off, size), = [(o, s) for n, o, s in elf_sections(bytes(loader)) if n == ".MIPS.abiflags"]
        assert size >= 24
        loader[off + 5] = 0  # cpr1_size: no FPU registers
        loader[off + 7] = 3  # fp_abi: Val_GNU_MIPS_ABI_FP_SOFT
    for name in {Path(interp).name, "libc.so"}:
        (lib / name).unlink(missing_ok=True)
        (lib / name).write_bytes(loader)
        (lib / name).chmod(0o755)
    print(outdir)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
