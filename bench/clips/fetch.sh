#!/usr/bin/env bash
# Fetches the real SDR camera clips of the README's colour-fidelity table from Debian packages into data/clips/
# (git-ignored; the clips keep their packages' licences, listed in bench/clips/README.md). Then:
#   hdrup bench clips data/clips --frames 4 --qp 37 --colour-keep
set -euo pipefail
cd "$(dirname "$0")/../.."
out=data/clips
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # apt downloads as its _apt user
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
# package | path inside it | name here
while IFS='|' read -r pkg path name; do
  [ -f "$out/$name" ] && continue
  (cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
  deb=$(ls "$tmp"/"${pkg}"_*.deb | head -n 1)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ".$path"
  case "$path" in
    *.gz) gunzip -c "$tmp$path" > "$out/$name" ;;
    *) cp "$tmp$path" "$out/$name" ;;
  esac
  echo "fetch.sh: $name from $pkg"
done <<'LIST'
forensics-samples-files|/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4|dog_indoor_1080p.mp4
python-kivy-examples|/usr/share/kivy-examples/widgets/cityCC0.mpg|city_night.mpg
pd-extendedview|/usr/share/doc/pd-extendedview/media/diver.mov|underwater_diver.mov
python3-imageio|/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4|cockatoo_720p.mp4
python3-hug-doc|/usr/share/doc/python3-hug/examples/streaming_movie_server/movie.mp4|lego_saturated.mp4
opencv-doc|/usr/share/doc/opencv-doc/opencv4/html/box.mp4.gz|hands_box.mp4
opencv-doc|/usr/share/doc/opencv-doc/examples/data/vtest.avi|pedestrians_vtest.avi
LIST
ls -l "$out"
