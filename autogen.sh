#!/bin/sh
# Regenerates the autotools build system.
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf -fi
