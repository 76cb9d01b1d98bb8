#!/usr/bin/env bash
# Copies the browser files of the npm packages into static/vendor (no bundler, no CDN).
set -euo pipefail
NM=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"/{bootstrap,htmx,bootstrap-icons,sortablejs,tom-select,flatpickr,echarts,bpmn-js,dmn-js,cytoscape}
cp "$NM"/bootstrap/dist/css/bootstrap.min.css* "$NM"/bootstrap/dist/js/bootstrap.bundle.min.js* "$OUT"/bootstrap/
cp "$NM"/htmx.org/dist/htmx.min.js "$OUT"/htmx/
cp -r "$NM"/bootstrap-icons/font/bootstrap-icons.min.css "$NM"/bootstrap-icons/font/fonts "$OUT"/bootstrap-icons/
cp "$NM"/sortablejs/Sortable.min.js "$OUT"/sortablejs/
cp "$NM"/tom-select/dist/js/tom-select.complete.min.js* "$NM"/tom-select/dist/css/tom-select.bootstrap5.min.css* "$OUT"/tom-select/
cp "$NM"/flatpickr/dist/flatpickr.min.js "$NM"/flatpickr/dist/flatpickr.min.css "$NM"/flatpickr/dist/l10n/ru.js "$OUT"/flatpickr/
cp "$NM"/echarts/dist/echarts.min.js "$OUT"/echarts/
# Process maps (mining): cytoscape.js and its layered (dagre) layout, which bundles dagre.
cp "$NM"/cytoscape/dist/cytoscape.min.js "$NM"/cytoscape-dagre/dist/cytoscape-dagre.min.js* "$OUT"/cytoscape/
# bpmn-js / dmn-js: the UMD bundles and their CSS/fonts (the bpmn.io watermark stays on).
cp "$NM"/bpmn-js/dist/bpmn-modeler.production.min.js "$NM"/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$OUT"/bpmn-js/
cp -r "$NM"/bpmn-js/dist/assets "$OUT"/bpmn-js/
cp "$NM"/dmn-js/dist/dmn-modeler.production.min.js "$NM"/dmn-js/dist/dmn-navigated-viewer.production.min.js "$OUT"/dmn-js/
cp -r "$NM"/dmn-js/dist/assets "$OUT"/dmn-js/
# dmn-js's "production" bundles inline Inferno's development build (bpmn-io/dmn-js#965), which
# logs "Inferno is in development mode" and an error about a minified development build on
# every DMN page. Only those two start-up messages are taken out; Inferno's warnings about real
# misuse stay. A release that fixes the bundle no longer holds them, and nothing is changed.
for file in "$OUT"/dmn-js/*.production.min.js; do
    sed -E -i -e 's/console\.info\("Inferno is in development mode\."\),//' \
        -e "s/indexOf\(\"testFn\"\)&&[A-Za-z_\$]+\(\"It looks like you're using a minified copy of the development build of Inferno\.[^\"]*\"\)/indexOf(\"testFn\")\&\&void 0/" \
        "$file"
done
# A source map a copied file names must be copied too: the production storage (manifest)
# rewrites every sourceMappingURL and stops collectstatic at a missing one. Any reference left
# dangling (a package that does not ship its map) is removed, so the build never depends on it.
find "$OUT" -type f \( -name '*.js' -o -name '*.css' \) -print0 | sort -z |
while IFS= read -r -d '' file; do
    { grep -oE '[#@] sourceMappingURL=[^[:space:]*]+' "$file" || true; } | cut -d= -f2- | sort -u |
    while IFS= read -r map; do
        case "$map" in data:*) continue ;; esac
        [[ -f "$(dirname "$file")/$map" ]] && continue
        echo "copy_vendor: $file names a missing $map; reference removed" >&2
        sed -E -i -e "s#//[#@] sourceMappingURL=${map//./\\.}[[:space:]]*\$##" \
            -e "s#/\\*[#@] sourceMappingURL=${map//./\\.}[[:space:]]*\\*/##" "$file"
    done
done
