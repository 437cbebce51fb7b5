"""A small style check for this repository, with exact fixes, written as SARIF 2.1.0.

    python3 tools/lint.py [--exit-zero] --sarif REPORT.sarif PATH...

E711  comparison to None with == or != (fix: `is` / `is not`)
W291  trailing whitespace (fix: remove it)
Exit status: 0 clean (or --exit-zero), 1 findings, 2 usage error.
"""

import json
import os
import sys
import tokenize


def region(line, start, end):
    return {"startLine": line, "startColumn": start + 1, "endLine": line, "endColumn": end + 1}


def finding(path, rule, message, line, start, end, replacement):
    uri = os.path.abspath(path)
    return {
        "ruleId": rule,
        "level": "warning",
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region(line, start, end)}}],
        "fixes": [{
            "description": {"text": f"Replace with '{replacement}'" if replacement else "Remove it"},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri},
                "replacements": [{"deletedRegion": region(line, start, end),
                                  "insertedContent": {"text": replacement}}],
            }],
        }],
    }


def check(path):
    results = []
    with open(path, "rb") as f:
        tokens = list(tokenize.tokenize(f.readline))
    for previous, token in zip(tokens, tokens[1:]):
        if previous.type == tokenize.OP and previous.string in ("==", "!=") and token.string == "None":
            fixed = "is" if previous.string == "==" else "is not"
            results.append(finding(path, "E711", f"comparison to None should be 'x {fixed} None'",
                                   previous.start[0], previous.start[1], previous.end[1], fixed))
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            body = text.rstrip("\n")
            stripped = body.rstrip()
            if stripped != body:
                results.append(finding(path, "W291", "trailing whitespace", number, len(stripped), len(body), ""))
    return results


def python_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                yield from (os.path.join(folder, n) for n in sorted(names) if n.endswith(".py"))
        else:
            yield path


def main(argv):
    exit_zero = "--exit-zero" in argv[1:2]
    if exit_zero:
        argv = argv[:1] + argv[2:]
    if len(argv) < 4 or argv[1] != "--sarif":
        print(__doc__, file=sys.stderr)
        return 2
    results = [r for path in python_files(argv[3:]) for r in check(path)]
    report = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": {"name": "snapback-lint", "rules": [{"id": "E711"}, {"id": "W291"}]}},
                  "results": results}],
    }
    os.makedirs(os.path.dirname(os.path.abspath(argv[2])), exist_ok=True)
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    for r in results:
        where = r["locations"][0]["physicalLocation"]
        print(f"{os.path.relpath(where['artifactLocation']['uri'])}:{where['region']['startLine']}: "
              f"{r['ruleId']} {r['message']['text']}")
    return 1 if results and not exit_zero else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
