"""README.md's python blocks, run in order in one namespace (like a reader
pasting them); a block after `<!-- python: not run (...) -->` is only compiled."""

from __future__ import annotations

import re

from conftest import ROOT

BLOCK = re.compile(r"(<!-- python: not run[^>]*-->\n)?```python\n(.*?)```", re.S)


def test_readme_python_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 3
    namespace: dict = {}
    ran = 0
    for i, (skip, code) in enumerate(blocks):
        compiled = compile(code, f"README.md python block {i}", "exec")
        if not skip:
            exec(compiled, namespace)
            ran += 1
    assert ran >= 2
