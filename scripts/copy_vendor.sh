#!/usr/bin/env bash
# Copies the browser files of the npm packages into static/vendor (no bundler, no CDN).
set -euo pipefail
NM=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"/{bootstrap,htmx,bootstrap-icons,sortablejs,tom-select,flatpickr,echarts,bpmn-js,dmn-js}
cp "$NM"/bootstrap/dist/css/bootstrap.min.css* "$NM"/bootstrap/dist/js/bootstrap.bundle.min.js* "$OUT"/bootstrap/
cp "$NM"/htmx.org/dist/htmx.min.js "$OUT"/htmx/
cp -r "$NM"/bootstrap-icons/font/bootstrap-icons.min.css "$NM"/bootstrap-icons/font/fonts "$OUT"/bootstrap-icons/
cp "$NM"/sortablejs/Sortable.min.js "$OUT"/sortablejs/
cp "$NM"/tom-select/dist/js/tom-select.complete.min.js "$NM"/tom-select/dist/css/tom-select.bootstrap5.min.css "$OUT"/tom-select/
cp "$NM"/flatpickr/dist/flatpickr.min.js "$NM"/flatpickr/dist/flatpickr.min.css "$NM"/flatpickr/dist/l10n/ru.js "$OUT"/flatpickr/
cp "$NM"/echarts/dist/echarts.min.js "$OUT"/echarts/
# bpmn-js / dmn-js: the UMD bundles and their CSS/fonts (the bpmn.io watermark stays on).
cp "$NM"/bpmn-js/dist/bpmn-modeler.production.min.js "$NM"/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$OUT"/bpmn-js/
cp -r "$NM"/bpmn-js/dist/assets "$OUT"/bpmn-js/
cp "$NM"/dmn-js/dist/dmn-modeler.production.min.js "$NM"/dmn-js/dist/dmn-navigated-viewer.production.min.js "$OUT"/dmn-js/
cp -r "$NM"/dmn-js/dist/assets "$OUT"/dmn-js/
