#!/bin/sh
# Writes PROGRAM's man page to stdout from its --help and --version (help2man), with a
# COMMANDS section holding each subcommand's own --help, since help2man reads only the top.
# Usage: make-manpage.sh PROGRAM "one-line description" "subcommand ..."
set -eu
program="$1" name="$2" subcommands="$3"
# Run by name, not by its path in the build tree, which the usage lines would show.
PATH="$(cd "$(dirname "$program")" && pwd):$PATH"
program="$(basename "$program")"
include="$(mktemp)"
trap 'rm -f "$include"' EXIT
set --
if [ -n "$subcommands" ]; then
  set -- --include="$include"
  echo "[COMMANDS]" >"$include"
  for sub in $subcommands; do
    printf '.SS %s\n.nf\n' "$sub" >>"$include"
    # roff: a backslash is \e, and a line must not start with a control character.
    "$program" "$sub" --help | sed -e 's/\\/\\e/g' -e "s/^[.']/\\\\\&&/" >>"$include"
    printf '.fi\n' >>"$include"
  done
fi
help2man --no-info --no-discard-stderr --section=1 --name="$name" "$@" "$program"
