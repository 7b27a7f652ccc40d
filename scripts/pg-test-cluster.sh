#!/usr/bin/env bash
# Alias of scripts/pg-cluster.sh (the name some notes use); see that script for usage.
exec "$(dirname "$0")/pg-cluster.sh" "$@"
