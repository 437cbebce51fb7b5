#!/usr/bin/env python3
"""Counts the includes in engine/ that run against the layering (docs/architecture.md):
an include of a layer above the including file's own, or of a layer its library does not link.
Prints each one and the total; exits 1 when there is any."""
import os
import re
import sys

ORDER = ["base", "model", "config", "policy", "git", "store", "sandbox", "planning",
         "proposers", "goals", "scheduling", "workspace"]
RANK = {layer: i for i, layer in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.M)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "engine")
found = 0
for layer in ORDER:
    for folder, _, files in os.walk(os.path.join(root, layer)):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as source:
                text = source.read()
            for included in INCLUDE.findall(text):
                target = included.split("/", 1)[0]
                upward = target in RANK and RANK[target] > RANK[layer]
                libgit2 = included.startswith("git2") and layer != "git"
                if upward or libgit2:
                    found += 1
                    print(f"{os.path.relpath(path, root)}: {included}")
print(f"{found} include(s) against the layering")
sys.exit(1 if found else 0)
