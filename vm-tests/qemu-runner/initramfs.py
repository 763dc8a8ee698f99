#!/usr/bin/env python3
"""Initramfs helper of the pullab QEMU runner: writes newc cpio archives (the format Linux unpacks as initramfs)
without cpio(1), fakeroot or root rights.

    initramfs.py kind FILE
        prints "cpio", "tar" or "unknown", then the compression ("none", "gzip", "xz", "bzip2", "lzma", "zstd",
        "lz4", "lzo"): what the runner needs to know of a rootfs or ramdisk artifact

    initramfs.py build OUT [--tar TARBALL PREFIX]... [--dir DIR PREFIX]... [--console]
        one uncompressed newc archive OUT with, in order, the members of each TARBALL (any compression Python's
        tarfile reads: none, gzip, bzip2, xz) and the tree of each DIR, each under PREFIX ("" = the root);
        --console adds dev/ and the dev/console character device (5, 1)

Every entry belongs to root (uid/gid 0) except tar members, which keep their owner, mode and mtime; device nodes
and FIFOs of a tarball are kept; hard links become newc hard links (same inode number, the data with the first
entry). Parent directories missing from the input are added (0755), a path is written once (the first wins), and
names with ".." are refused. Exit status 0, 1 on an unreadable or invalid input (message on stderr), 2 on usage.
"""
import bz2
import gzip
import lzma
import os
import stat
import sys
import tarfile

TRAILER = "TRAILER!!!"


class Newc:
    """A newc ("070701") cpio writer."""

    def __init__(self, out):
        self.out = out
        self.ino = 1000
        self.seen = set()
        self.offset = 0

    def _write(self, data):
        self.out.write(data)
        self.offset += len(data)

    def _pad(self):
        if self.offset % 4:
            self._write(b"\0" * (4 - self.offset % 4))

    def entry(self, name, mode, size=0, uid=0, gid=0, mtime=0, nlink=1, rdev=(0, 0), ino=None, data=None):
        """One entry; data is bytes or a readable binary file of exactly size bytes."""
        if ino is None:
            self.ino += 1
            ino = self.ino
        encoded = name.encode("utf-8", "surrogateescape") + b"\0"
        fields = (ino, mode, uid, gid, nlink, max(0, int(mtime)), size, 0, 0, rdev[0], rdev[1], len(encoded), 0)
        self._write(b"070701" + b"".join(b"%08X" % (f & 0xFFFFFFFF) for f in fields))
        self._write(encoded)
        self._pad()
        if size:
            if isinstance(data, bytes):
                self._write(data)
            else:
                left = size
                while left:
                    chunk = data.read(min(left, 1 << 20))
                    if not chunk:
                        raise ValueError("%s: input ended %d bytes early" % (name, left))
                    self._write(chunk)
                    left -= len(chunk)
            self._pad()
        return ino

    def parents(self, name):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.seen:
                self.seen.add(d)
                self.entry(d, stat.S_IFDIR | 0o755, nlink=2)

    def claim(self, name):
        """True when name is new (and now taken); its missing parents are written first."""
        if name in self.seen:
            return False
        self.parents(name)
        self.seen.add(name)
        return True

    def trailer(self):
        self.entry(TRAILER, 0, ino=0)
        self._pad()


def clean(prefix, name):
    """PREFIX/NAME as an archive path: no leading "/" or "./", no "." components; None for the root itself."""
    parts = [p for p in (prefix + "/" + name).split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError("refusing a path with '..': %s" % name)
    return "/".join(parts) or None


def add_tar(cpio, path, prefix):
    with tarfile.open(path, "r:*") as tar:
        members = tar.getmembers()
        linked = {clean(prefix, m.linkname) for m in members if m.islnk()}
        inodes = {}
        for m in members:
            name = clean(prefix, m.name)
            if name is None:
                continue
            perm = m.mode & 0o7777
            common = dict(uid=m.uid, gid=m.gid, mtime=m.mtime)
            if m.islnk():
                target = clean(prefix, m.linkname)
                if target not in inodes or not cpio.claim(name):
                    continue
                ino, mode = inodes[target]
                cpio.entry(name, mode, ino=ino, nlink=2, **common)
            elif not cpio.claim(name):
                continue
            elif m.isdir():
                cpio.entry(name, stat.S_IFDIR | perm, nlink=2, **common)
            elif m.issym():
                target = m.linkname.encode("utf-8", "surrogateescape")
                cpio.entry(name, stat.S_IFLNK | 0o777, size=len(target), data=target, **common)
            elif m.isreg():
                mode = stat.S_IFREG | perm
                with tar.extractfile(m) as f:
                    ino = cpio.entry(name, mode, size=m.size, data=f, nlink=2 if name in linked else 1, **common)
                inodes[name] = (ino, mode)
            elif m.ischr() or m.isblk() or m.isfifo():
                kind = stat.S_IFCHR if m.ischr() else stat.S_IFBLK if m.isblk() else stat.S_IFIFO
                cpio.entry(name, kind | perm, rdev=(m.devmajor, m.devminor), **common)


def add_dir(cpio, root, prefix):
    for top, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(top, root)
        for name in dirs + sorted(files):
            src = os.path.join(top, name)
            dest = clean(prefix, os.path.join(rel, name))
            if dest is None or not cpio.claim(dest):
                continue
            st = os.lstat(src)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                cpio.entry(dest, stat.S_IFDIR | perm, nlink=2, mtime=st.st_mtime)
            elif stat.S_ISLNK(st.st_mode):
                target = os.readlink(src).encode("utf-8", "surrogateescape")
                cpio.entry(dest, stat.S_IFLNK | 0o777, size=len(target), data=target, mtime=st.st_mtime)
            elif stat.S_ISREG(st.st_mode):
                with open(src, "rb") as f:
                    cpio.entry(dest, stat.S_IFREG | perm, size=st.st_size, data=f, mtime=st.st_mtime)


MAGIC = [(b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"BZh", "bzip2"), (b"\x5d\x00\x00", "lzma"),
         (b"\x28\xb5\x2f\xfd", "zstd"), (b"\x02\x21\x4c\x18", "lz4"), (b"\x89LZO", "lzo")]


def kind(path):
    with open(path, "rb") as f:
        head = f.read(6)
    compression = next((name for magic, name in MAGIC if head.startswith(magic)), "none")
    opener = {"none": open, "gzip": gzip.open, "xz": lzma.open, "bzip2": bz2.open, "lzma": lzma.open}.get(compression)
    if opener is None:
        return "unknown", compression
    try:
        with opener(path, "rb") as f:
            start = f.read(512)
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise ValueError("%s: cannot read the %s data: %s" % (path, compression, e)) from e
    if start[:6] in (b"070701", b"070702"):
        return "cpio", compression
    if start[257:262] == b"ustar" or (compression != "none" and _is_tar(path)):
        return "tar", compression
    return "unknown", compression


def _is_tar(path):
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, lzma.LZMAError):
        return False


def main(argv):
    if len(argv) == 2 and argv[0] == "kind":
        print(" ".join(kind(argv[1])))
        return 0
    if len(argv) >= 2 and argv[0] == "build":
        out, args = argv[1], argv[2:]
        plan, console = [], False
        while args:
            if args[0] in ("--tar", "--dir") and len(args) >= 3:
                plan.append((args[0], args[1], args[2]))
                args = args[3:]
            elif args[0] == "--console":
                console = True
                args = args[1:]
            else:
                print("initramfs.py: unexpected argument %r" % args[0], file=sys.stderr)
                return 2
        with open(out, "wb") as f:
            cpio = Newc(f)
            if console and cpio.claim("dev/console"):
                cpio.entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
            for what, src, prefix in plan:
                (add_tar if what == "--tar" else add_dir)(cpio, src, prefix)
            cpio.trailer()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, ValueError, EOFError, tarfile.TarError, lzma.LZMAError) as e:
        print("initramfs.py: %s" % e, file=sys.stderr)
        sys.exit(1)
