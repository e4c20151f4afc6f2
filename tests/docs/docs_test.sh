#!/usr/bin/env bash
# The repository stands alone: whoever clones it or installs a package has only what is in it.
# 1. No file points to the team's working contract or design notes outside the repository
#    (their path, or the names they go by): docs/ holds the whole contract.
# 2. Every relative link of every Markdown file leads to a file or directory that exists
#    (anchors are not checked).
# Usage: docs_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"

# The files of the product: what git tracks, or, in an unpacked source tarball, every file but
# build trees.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -d '' files < <(git ls-files -z)
else
  mapfile -d '' files < <(find . -path ./.git -prune -o -path ./build -prune -o -type f -print0)
fi

failed=0

# Spelled in pieces so that this file does not find itself.
outside='\.\./'"shared"'|/work/'"shared"'|\bS''PEC\b|\bDE''SIGN\.md'
hits="$(printf '%s\0' "${files[@]}" | xargs -0 grep -I -n -E "$outside" -- 2>/dev/null || true)"
if [ -n "$hits" ]; then
  echo "FAIL: references to a contract outside the repository (point to docs/ instead):"
  echo "$hits"
  failed=1
fi

# Markdown links [text](target) outside code: fenced blocks and `code spans` are dropped first,
# so TOML's [[rules]] or an example URL in a shell block is not taken for a link.
links_of() {
  awk '
    /^[[:space:]]*```/ { fenced = !fenced; next }
    fenced { next }
    {
      line = $0
      gsub(/`[^`]*`/, "", line)
      while (match(line, /\]\([^)[:space:]]+/)) {
        print substr(line, RSTART + 2, RLENGTH - 2)
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$1"
}

checked=0
for file in "${files[@]}"; do
  case "$file" in *.md) ;; *) continue ;; esac
  dir="$(dirname "$file")"
  while IFS= read -r target; do
    case "$target" in
      '#'* | [a-zA-Z]*://* | mailto:*) continue ;;
    esac
    path="${target%%#*}"
    checked=$((checked + 1))
    if [ ! -e "$dir/$path" ]; then
      echo "FAIL: $file links to $target, which does not exist"
      failed=1
    fi
  done < <(links_of "$file")
done

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "no reference outside the repository in ${#files[@]} files; $checked relative links resolve"
