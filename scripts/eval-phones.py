#!/usr/bin/env python3
"""Agreement of `leadgate extract` with libphonenumber on a vector file.

usage: scripts/eval-phones.py LEADGATE_BINARY VECTORS.jsonl

Each vector input without letters is wrapped in a one-message conversation with the case's
default region; the extracted phone must equal the vector's expected E.164 (or both be null).
Prints the agreement and every disagreement.
"""
import json
import subprocess
import sys

binary, vectors = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(vectors, encoding="utf-8")]
rows = [r for r in rows if not r.get("contains_letters")]
lines = [json.dumps({"id": i, "started_at": "2026-01-01T00:00:00Z", "default_region": r["default_region"],
                     "messages": [{"role": "visitor", "text": r["input"]}]}) for i, r in enumerate(rows)]
out = subprocess.run([binary, "extract"], input="\n".join(lines), capture_output=True, text=True).stdout.splitlines()
agree, misses = 0, []
for r, line in zip(rows, out):
    rec = json.loads(line)
    got = rec["lead"]["phone"] if "lead" in rec else ("error", rec["error"]["code"])
    if got == r["expected"]:
        agree += 1
    else:
        misses.append((r["input"], r["default_region"], r["expected"], got))
print(f"agreement {agree}/{len(rows)} = {agree / len(rows):.4f}")
for m in misses:
    print("differs:", m)
