"""Writes the object of the single gpu.binary in an MLIR file (argv[1]) to
argv[2]: PTX text for format=isa, the cubin/fatbin bytes otherwise."""
import re
import sys

text = open(sys.argv[1], encoding="latin-1").read()
match = re.search(r'gpu\.object<.*?(?:assembly|bin|fatbin) = "((?:[^"\\]|\\.)*)"',
                  text, re.S)
if not match:
    sys.exit("no gpu.object in " + sys.argv[1])


def unescape(m):
    code = m.group(1)
    return b"\\" if code == b"\\" else bytes([int(code, 16)])


data = re.sub(rb"\\(\\|[0-9A-Fa-f]{2})", unescape,
              match.group(1).encode("latin-1"))
open(sys.argv[2], "wb").write(data)
