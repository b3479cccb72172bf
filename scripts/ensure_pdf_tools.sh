#!/usr/bin/env bash
# pdftotext (Debian's poppler-utils) for the tests that read the certificate PDF back as text;
# poppler-data carries the Adobe-GB1 maps that turn its built-in Chinese font back into characters.
set -euo pipefail
if command -v pdftotext >/dev/null && [ -d /usr/share/poppler/cMap/Adobe-GB1 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "ensure_pdf_tools: install Debian's poppler-utils and poppler-data" >&2; exit 1; fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils poppler-data >/dev/null
echo "ensure_pdf_tools: installed pdftotext"
