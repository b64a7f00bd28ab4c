#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (see README.md beside this file).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent bootstrap@5.3.9 bootstrap-icons@1.13.2 htmx.org@2.0.11 chart.js@4.6.2 dejavu-fonts-ttf@2.37.3 >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
cp bootstrap-5.3.9/package/dist/css/bootstrap.min.css bootstrap-5.3.9/package/dist/js/bootstrap.bundle.min.js \
   bootstrap-5.3.9/package/LICENSE "$here/bootstrap/"
cp bootstrap-icons-1.13.2/package/font/bootstrap-icons.min.css bootstrap-icons-1.13.2/package/LICENSE "$here/bootstrap-icons/"
cp bootstrap-icons-1.13.2/package/font/fonts/* "$here/bootstrap-icons/fonts/"
cp htmx.org-2.0.11/package/dist/htmx.min.js htmx.org-2.0.11/package/LICENSE "$here/htmx/"
mkdir -p "$here/chart.js"
cp chart.js-4.6.2/package/dist/chart.umd.min.js chart.js-4.6.2/package/LICENSE.md "$here/chart.js/"
# The PDF exports embed DejaVu Sans (every letter of Albanian and far beyond; decision 110).
mkdir -p "$here/dejavu"
cp dejavu-fonts-ttf-2.37.3/package/ttf/DejaVuSans.ttf dejavu-fonts-ttf-2.37.3/package/ttf/DejaVuSans-Bold.ttf \
   dejavu-fonts-ttf-2.37.3/package/LICENSE "$here/dejavu/"
sed -i -e 's#/\*\# sourceMappingURL=.*\*/##' -e 's#//\# sourceMappingURL=.*$##' \
  "$here/bootstrap/bootstrap.min.css" "$here/bootstrap/bootstrap.bundle.min.js" "$here/chart.js/chart.umd.min.js"
echo "vendored files refreshed in $here"
