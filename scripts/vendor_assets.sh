#!/usr/bin/env bash
# Refresh guanxi/static/vendor/ from the versions pinned in package.json.
# Needs Node.js/npm only when run by a developer; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
nm="$work/node_modules"
out=guanxi/static/vendor
rm -rf "$out"
mkdir -p "$out"/{tabler/css,tabler/js,htmx,alpinejs,echarts,sortablejs,tom-select/css,tom-select/js,swagger-ui}
strip_map() { sed -e '/sourceMappingURL=/d' "$1" > "$2"; }
strip_map "$nm/@tabler/core/dist/css/tabler.min.css" "$out/tabler/css/tabler.min.css"
strip_map "$nm/@tabler/core/dist/js/tabler.min.js" "$out/tabler/js/tabler.min.js"
strip_map "$nm/htmx.org/dist/htmx.min.js" "$out/htmx/htmx.min.js"
strip_map "$nm/alpinejs/dist/cdn.min.js" "$out/alpinejs/alpine.min.js"
strip_map "$nm/echarts/dist/echarts.min.js" "$out/echarts/echarts.min.js"
strip_map "$nm/sortablejs/Sortable.min.js" "$out/sortablejs/Sortable.min.js"
strip_map "$nm/tom-select/dist/js/tom-select.complete.min.js" "$out/tom-select/js/tom-select.complete.min.js"
strip_map "$nm/tom-select/dist/css/tom-select.bootstrap5.min.css" "$out/tom-select/css/tom-select.bootstrap5.min.css"
# Swagger UI for /api/docs (Apache-2.0; NOTICE kept beside the licence).
strip_map "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$out/swagger-ui/swagger-ui-bundle.js"
strip_map "$nm/swagger-ui-dist/swagger-ui.css" "$out/swagger-ui/swagger-ui.css"
cp "$nm/swagger-ui-dist/NOTICE" "$out/swagger-ui/NOTICE"
for pkg in "@tabler/core:tabler" "htmx.org:htmx" "alpinejs:alpinejs" "echarts:echarts" \
           "sortablejs:sortablejs" "tom-select:tom-select" "swagger-ui-dist:swagger-ui"; do
  src="${pkg%%:*}"; dst="${pkg##*:}"
  lic="$(ls "$nm/$src" | grep -i -E '^(licen[cs]e|copying)' | head -1 || true)"
  if [ -n "$lic" ]; then
    cp "$nm/$src/$lic" "$out/$dst/LICENSE"
  else
    version="$(node -p "require('$nm/$src/package.json').version")"
    printf 'MIT License\n\n%s %s is distributed under the MIT licence (the npm package ships no licence file).\nCopyright (c) its authors. See https://opensource.org/licenses/MIT for the full text.\n' "$src" "$version" > "$out/$dst/LICENSE"
  fi
done
# Fonts Tabler's CSS may reference are not needed: it uses system fonts.
echo "vendored into $out:"; du -sh "$out"/*
