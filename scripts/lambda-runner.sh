#!/bin/sh
# Cargo target runner for the functions `cargo lambda watch` starts in the local stack
# (scripts/local-stack.sh sets CARGO_TARGET_<host>_RUNNER for cargo lambda watch only): points
# the function's Runtime API at scripts/runtime-relay.py, keyed by this process id (the
# function keeps it through exec), then runs the function. Without LAMBDA_RUNTIME_RELAY it
# changes nothing.
if [ -n "${LAMBDA_RUNTIME_RELAY:-}" ]; then
  case "${AWS_LAMBDA_RUNTIME_API:-}" in
    http://*/.rt/*) AWS_LAMBDA_RUNTIME_API="$LAMBDA_RUNTIME_RELAY/$$/.rt/${AWS_LAMBDA_RUNTIME_API#*/.rt/}"
                    export AWS_LAMBDA_RUNTIME_API ;;
  esac
fi
exec "$@"
