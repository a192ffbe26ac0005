#!/usr/bin/env bash
# The system libraries and programs that Python packages of Portevoix use at run time: WeasyPrint
# (the PDF reports) needs Pango (with HarfBuzz and fontconfig) from the operating system, and
# pysaml2 (SAML single sign-on) calls the xmlsec1 program for XML signatures. Installed with
# apt-get when missing and this runs as root (as in CI); otherwise it prints the command and,
# in CI, fails.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing system packages (PDF reports, SAML single sign-on): ${missing[*]}"
echo "Install them with: sudo apt-get install ${missing[*]}"
[ -z "${CI:-}" ] || exit 1
