"""Rewrite the expected extraction of every golden page. Run on purpose, review the diff:

    python tests/regenerate_golden.py
"""

import json

from golden import expected_path, extract_golden, golden_pages

if __name__ == "__main__":
    for name in golden_pages():
        data = extract_golden(name)
        expected_path(name).write_text(
            json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8")
        print(f"wrote {expected_path(name)}")
