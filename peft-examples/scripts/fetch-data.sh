#!/usr/bin/env bash
# Fetches the labelled text corpora that the peft4j examples train on.
#
# Usage: peft-examples/scripts/fetch-data.sh
#
# Downloads Debian's python3-pattern package with the system package client
# (apt-get download: no root needed), extracts it with dpkg-deb and copies three
# CSV files from usr/share/doc/python3-pattern/test/corpora/ into
# ${PEFT_DATA_DIR:-<repo>/data}/pattern/ (git-ignored; never commit them: the
# corpora are for personal and research use):
#   polarity-en-pang&lee2.csv   4,000 Rotten Tomatoes sentences, positive/negative
#   uncertainty-conll2010.csv   3,000 Wikipedia sentences, certain/uncertain
#   spam-apache.csv             250 mails, spam/not spam
#
# Exits 0 at once when all three files are already there. Otherwise works in a
# temporary folder beside the destination and moves each finished file into place,
# so an interrupted run leaves either a complete file or none. Exits 1 with a
# message saying what to install, or which file to place where, when it cannot
# fetch. All messages go to stderr.
set -euo pipefail
exec 1>&2

readonly package=python3-pattern
readonly corpora=usr/share/doc/python3-pattern/test/corpora
readonly files=("polarity-en-pang&lee2.csv" "uncertainty-conll2010.csv" "spam-apache.csv")

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/../.." && pwd)"
data_dir="${PEFT_DATA_DIR:-$repo/data}"
dest="$data_dir/pattern"

all_present() {
  local f
  for f in "${files[@]}"; do
    [[ -s "$dest/$f" ]] || return 1
  done
}

fail() {
  echo "fetch-data.sh: $*"
  echo "fetch-data.sh: or place these files from Debian's $package package ($corpora/ inside it) in $dest/:"
  local f
  for f in "${files[@]}"; do
    echo "fetch-data.sh:   $f"
  done
  exit 1
}

if all_present; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 \
  || fail "apt-get not found: this script needs a Debian or Ubuntu system with apt-get and dpkg-deb."
command -v dpkg-deb >/dev/null 2>&1 \
  || fail "dpkg-deb not found: install dpkg (apt-get install dpkg)."

mkdir -p "$data_dir"
work="$(mktemp -d "$data_dir/.fetch-pattern.XXXXXX")"
trap 'rm -rf "$work"' EXIT

apt_opts=()
if [[ "$(id -u)" -eq 0 ]]; then
  # apt's sandbox user _apt cannot write into this private folder; download as root, quietly.
  apt_opts=(-o APT::Sandbox::User=root)
fi

download() {
  (cd "$work" && apt-get "${apt_opts[@]}" download "$package")
}

echo "fetch-data.sh: downloading $package with apt-get into $work"
if ! download; then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "fetch-data.sh: apt-get download $package failed; apt's package lists may be empty or stale, so running apt-get update (as root) and trying again"
    apt-get update \
      || fail "apt-get update failed: check network access to the Debian archive listed in /etc/apt/sources.list(.d)."
    download \
      || fail "apt-get download $package failed even after apt-get update: check network access to the Debian archive and that it carries $package (apt-cache policy $package)."
  else
    fail "apt-get download $package failed; if apt's package lists are empty or stale, run: sudo apt-get update   (then run this script again)."
  fi
fi

debs=("$work"/"$package"_*.deb)
[[ -f "${debs[0]}" ]] || fail "apt-get download reported success but left no $package .deb in $work."
dpkg-deb -x "${debs[0]}" "$work/root" || fail "dpkg-deb -x ${debs[0]} failed."

for f in "${files[@]}"; do
  [[ -s "$work/root/$corpora/$f" ]] || fail "$(basename "${debs[0]}") holds no $corpora/$f."
done

mkdir -p "$dest"
for f in "${files[@]}"; do
  cp "$work/root/$corpora/$f" "$work/$f.part"
  mv -f "$work/$f.part" "$dest/$f"
done
echo "fetch-data.sh: placed ${#files[@]} files from $(basename "${debs[0]}") in $dest"
